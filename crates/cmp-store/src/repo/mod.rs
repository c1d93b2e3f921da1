//! One module per aggregate: plain functions taking the connection given by
//! `Store::read` / `Store::write`, and the row structs (one struct per table, used both to
//! read and to insert: `NewX` is the same type as `X`).
//!
//! Inserts never use `RETURNING` (it does not compile against the multi-backend
//! connection): numbers come from [`counters`] before the insert.

pub mod accounts;
pub mod agreements;
pub mod billing_media;
pub mod corporates;
pub mod counters;
pub mod customers;
pub mod groups;

pub use accounts::{Account, NewAccount};
pub use agreements::{Agreement, AgreementChanges, NewAgreement, UpdateOutcome};
pub use billing_media::{BillingMedia, NewBillingMedia};
pub use corporates::{Corporate, NewCorporate};
pub use customers::{Customer, CustomerAddress, NewCustomer, NewCustomerAddress};
pub use groups::{Group, NewGroup};
