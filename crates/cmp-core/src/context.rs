//! What an operation is given besides its request: the store, the clock, who calls, the
//! request id and what the audit trail needs. No globals.

use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use cmp_store::repo::audit;
use cmp_store::{DbConn, Store, Tx};

use crate::catalogue::CatalogueCache;
use crate::clock::Clock;
use crate::error::OpError;
use crate::Fault;

#[derive(Clone)]
pub struct Context {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    /// The authenticated caller (an API key's name), or who runs the CLI.
    pub caller: Option<String>,
    /// The SOAP `AuditRecord/UserID`, when the request carries one: it names the actor.
    pub audit_user: Option<String>,
    /// The CMP operation being run, for the audit trail.
    pub operation: &'static str,
    pub external_reference: Option<String>,
    pub request_id: String,
    /// The product catalogue snapshot, shared by every request of a gateway.
    pub catalogue: Arc<CatalogueCache>,
    /// Inside [`Context::atomically`]: the transaction every read and write joins
    /// (`None` elsewhere; only `atomically` makes one).
    pub tx: Option<SharedTx>,
}

/// The transaction of [`Context::atomically`], shared by the contexts its steps run with.
#[derive(Clone)]
pub struct SharedTx(Arc<Mutex<Tx>>);

impl Context {
    pub fn new(store: Store, clock: Arc<dyn Clock>, request_id: impl Into<String>) -> Self {
        Context {
            store,
            clock,
            caller: None,
            audit_user: None,
            operation: "-",
            external_reference: None,
            request_id: request_id.into(),
            catalogue: Arc::default(),
            tx: None,
        }
    }

    /// Now, as stored (UTC, microseconds).
    pub fn now(&self) -> NaiveDateTime {
        cmp_store::db_time(self.clock.now().naive_utc())
    }

    /// Runs `f` in one transaction; rule faults and store errors roll it back. Inside
    /// [`Context::atomically`] it is a savepoint of that transaction.
    pub fn write<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, OpError>) -> Result<T, Fault> {
        match &self.tx {
            Some(SharedTx(tx)) => tx.lock().unwrap_or_else(|e| e.into_inner()).step(f),
            None => self.store.write(f),
        }
        .map_err(|e| e.into_fault(&self.request_id))
    }

    /// Runs `f` on a pooled connection, outside a transaction (inside
    /// [`Context::atomically`], in it: it sees what the earlier steps wrote).
    pub fn read<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, OpError>) -> Result<T, Fault> {
        match &self.tx {
            Some(SharedTx(tx)) => tx.lock().unwrap_or_else(|e| e.into_inner()).step(f),
            None => self.store.read(f),
        }
        .map_err(|e| e.into_fault(&self.request_id))
    }

    /// Runs `f`, an operation made of other operations, in one transaction: every
    /// `write` and `read` of the context `f` is given joins it, and it commits only when
    /// `f` succeeds. The steps run one after the other: a step may not open another.
    pub fn atomically<T>(&self, f: impl FnOnce(&Context) -> Result<T, Fault>) -> Result<T, Fault> {
        if self.tx.is_some() {
            return f(self);
        }
        let tx = self
            .store
            .begin()
            .map_err(|e| OpError::from(e).into_fault(&self.request_id))?;
        let tx = Arc::new(Mutex::new(tx));
        let inner = Context {
            tx: Some(SharedTx(tx.clone())),
            ..self.clone()
        };
        let out = f(&inner)?;
        drop(inner);
        let tx = Arc::try_unwrap(tx)
            .map_err(|_| Fault::system(&self.request_id))?
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        tx.commit()
            .map_err(|e| OpError::from(e).into_fault(&self.request_id))?;
        Ok(out)
    }

    /// Who the audit trail names: the SOAP user, else the caller, else `anonymous`.
    pub fn actor(&self) -> &str {
        self.audit_user
            .as_deref()
            .or(self.caller.as_deref())
            .unwrap_or("anonymous")
    }

    /// Records in the audit trail that this request changed an entity. Call it inside the
    /// writing transaction: the entry commits or rolls back with the change.
    pub fn audit(
        &self,
        conn: &mut DbConn,
        entity_type: &str,
        entity_id: impl ToString,
    ) -> Result<(), OpError> {
        let entry = audit::NewAuditEntry {
            at: self.now(),
            actor: self.actor().to_string(),
            operation: self.operation.to_string(),
            entity_type: entity_type.to_string(),
            entity_id: entity_id.to_string(),
            external_reference: self.external_reference.clone(),
            request_id: self.request_id.clone(),
        };
        Ok(audit::insert(conn, &entry)?)
    }
}
