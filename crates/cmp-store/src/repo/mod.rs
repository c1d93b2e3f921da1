//! One module per aggregate: plain functions taking the connection given by
//! `Store::read` / `Store::write`, and the row structs (one struct per table, used both to
//! read and to insert: `NewX` is the same type as `X`).
//!
//! Inserts never use `RETURNING` (it does not compile against the multi-backend
//! connection): numbers come from [`counters`] before the insert.

pub mod accounts;
pub mod agreements;
pub mod api_keys;
pub mod audit;
pub mod billing_media;
pub mod catalogues;
pub mod corporates;
pub mod counters;
pub mod customers;
pub mod groups;
pub mod lifecycle;
pub mod payments;
pub mod scheduled_actions;
pub mod selfcare;
pub mod structure;
pub mod subscription_details;
pub mod subscriptions;
pub mod usage;

pub use accounts::{Account, NewAccount};
pub use agreements::{Agreement, AgreementChanges, NewAgreement, UpdateOutcome};
pub use billing_media::{BillingMedia, NewBillingMedia};
pub use catalogues::CatalogueRow;
pub use corporates::{Corporate, NewCorporate};
pub use customers::{Customer, CustomerAddress, NewCustomer, NewCustomerAddress};
pub use groups::{Group, NewGroup};
pub use subscriptions::{
    IdentityRow, NewSubscription, SerialNumberRow, Subscription, SubscriptionFilter,
    SubscriptionPackageRow,
};

/// Deletes every row of subscription, customer, structure and reference data and every
/// catalogue version (children first) and puts the number counters back to their first
/// values: the sandbox's reset.
pub fn wipe_all(conn: &mut crate::DbConn) -> Result<(), crate::StoreError> {
    use crate::schema::*;
    use diesel::RunQueryDsl;
    selfcare::wipe(conn)?;
    crate::repo::scheduled_actions::wipe(conn)?;
    subscription_details::wipe(conn)?;
    usage::wipe(conn)?;
    diesel::delete(audit_log::table).execute(conn)?;
    diesel::delete(account_email_addresses::table).execute(conn)?;
    diesel::delete(registered_cards::table).execute(conn)?;
    diesel::delete(direct_debits::table).execute(conn)?;
    diesel::delete(subscription_identities::table).execute(conn)?;
    diesel::delete(subscription_serial_numbers::table).execute(conn)?;
    diesel::delete(subscription_packages::table).execute(conn)?;
    diesel::delete(subscriptions::table).execute(conn)?;
    diesel::delete(catalogues::table).execute(conn)?;
    diesel::delete(agreements::table).execute(conn)?;
    diesel::delete(accounts::table).execute(conn)?;
    diesel::delete(customer_addresses::table).execute(conn)?;
    diesel::delete(customers::table).execute(conn)?;
    diesel::delete(corporates::table).execute(conn)?;
    diesel::delete(customer_groups::table).execute(conn)?;
    diesel::delete(billing_media::table).execute(conn)?;
    counters::reset_all(conn)
}
