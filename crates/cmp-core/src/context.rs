//! What an operation is given besides its request: the store, the clock, who calls and
//! the request id. No globals.

use std::sync::Arc;

use chrono::NaiveDateTime;
use cmp_store::{DbConn, Store};

use crate::clock::Clock;
use crate::error::OpError;
use crate::Fault;

#[derive(Clone)]
pub struct Context {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    /// The authenticated caller, or the SOAP `AuditRecord/UserID`.
    pub caller: Option<String>,
    pub request_id: String,
}

impl Context {
    pub fn new(store: Store, clock: Arc<dyn Clock>, request_id: impl Into<String>) -> Self {
        Context {
            store,
            clock,
            caller: None,
            request_id: request_id.into(),
        }
    }

    /// Now, as stored (UTC, microseconds).
    pub fn now(&self) -> NaiveDateTime {
        cmp_store::db_time(self.clock.now().naive_utc())
    }

    /// Runs `f` in one transaction; rule faults and store errors roll it back.
    pub fn write<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, OpError>) -> Result<T, Fault> {
        self.store
            .write(f)
            .map_err(|e| e.into_fault(&self.request_id))
    }

    /// Runs `f` on a pooled connection, outside a transaction.
    pub fn read<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, OpError>) -> Result<T, Fault> {
        self.store
            .read(f)
            .map_err(|e| e.into_fault(&self.request_id))
    }
}
