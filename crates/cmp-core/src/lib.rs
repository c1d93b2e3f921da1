//! The CMP operations: one public function per operation, named after it
//! (`CreateAgreement` → [`agreements::create_agreement`]). Each takes a [`Context`] and a
//! request message and returns a response message or a [`Fault`]. No HTTP, no SQL: the
//! store's repositories do the SQL, the gateway the wire.

// A Fault is large, but it is only ever the error path: boxing it would cost every
// operation an allocation for nothing on success.
#![allow(clippy::result_large_err)]

// Aggregates, one folder each (the order of the customer's life).
pub mod accounts;
pub mod agreements;
pub mod catalogue;
pub mod selfcare;
pub mod structure;
pub mod subscriptions;

// What every operation shares.
pub mod audit;
mod clock;
mod context;
pub mod email_slots;
mod error;
pub mod faults;
pub mod keys;
pub mod sandbox;
pub mod scheduled;

pub use clock::{AdjustableClock, Clock, FixedClock, SystemClock};
pub use context::Context;
pub use error::OpError;

pub use cmp_model::Fault;

/// What every operation returns.
pub type OpResult<T> = Result<T, Fault>;
