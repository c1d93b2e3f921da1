//! Store errors become faults here, once (STYLE.md, Errors and faults):
//! constraint violation → rule fault; pool timeout or lost connection →
//! ServiceUnavailableFault; anything else → SystemFault with the request id, the detail
//! logged once.

use cmp_store::StoreError;

use crate::Fault;
use cmp_model::text::log_safe;
use cmp_model::Code;

/// An operation's failure inside a transaction: a fault to answer, or a store error
/// still to be mapped.
#[derive(Debug)]
pub enum OpError {
    Fault(Fault),
    Store(StoreError),
}

impl From<Fault> for OpError {
    fn from(f: Fault) -> Self {
        OpError::Fault(f)
    }
}

impl From<StoreError> for OpError {
    fn from(e: StoreError) -> Self {
        OpError::Store(e)
    }
}

impl OpError {
    pub fn into_fault(self, request_id: &str) -> Fault {
        match self {
            OpError::Fault(f) => f,
            OpError::Store(StoreError::NotFound) => {
                Fault::new(Code::NotFound, "the record no longer exists")
            }
            OpError::Store(StoreError::Conflict { constraint }) => {
                log::info!("request_id={request_id} unique constraint {constraint}");
                Fault::new(Code::AlreadyExists, "a record with that key already exists")
            }
            OpError::Store(StoreError::Reference { constraint }) => {
                log::info!("request_id={request_id} reference constraint {constraint}");
                Fault::new(
                    Code::InvalidReference,
                    "the request refers to something that does not exist or breaks a rule",
                )
            }
            OpError::Store(StoreError::Unavailable(why)) => {
                let why = log_safe(&why);
                log::warn!("request_id={request_id} database unavailable: {why}");
                Fault::unavailable()
            }
            OpError::Store(StoreError::Other(why)) => {
                // A database message may quote a client's value: one line whatever it holds.
                let why = log_safe(&why);
                log::error!("request_id={request_id} database error: {why}");
                Fault::system(request_id)
            }
        }
    }
}
