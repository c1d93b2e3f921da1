//! The CMP operations: one public function per operation, named after it
//! (`CreateAgreement` → [`agreement::create_agreement`]). Each takes a [`Context`] and a
//! request message and returns a response message or a [`Fault`]. No HTTP, no SQL: the
//! store's repositories do the SQL, the gateway the wire.

// A Fault is large, but it is only ever the error path: boxing it would cost every
// operation an allocation for nothing on success.
#![allow(clippy::result_large_err)]

pub mod agreement;
pub mod audit;
pub mod catalogue;
mod clock;
pub mod compat;
pub mod contact;
mod context;
pub mod eligibility;
mod error;
pub mod keys;
pub mod otp;
pub mod outbox;
pub mod payments;
pub mod reference;
pub mod sandbox;
pub mod structure;
pub mod subscription;
pub mod workflow;

pub use clock::{AdjustableClock, Clock, FixedClock, SystemClock};
pub use context::Context;
pub use error::OpError;

pub use cmp_model::Fault;

/// What every operation returns.
pub type OpResult<T> = Result<T, Fault>;
