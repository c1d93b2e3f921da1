//! Self-care: the outbox, one-time passwords, workflow events, the per-database secret
//! key, and the customer row lock UpdateContactDetails takes.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{customers, one_time_passwords as otp, outbox, secret_keys, workflow_events};
use crate::FirstRow;
use crate::{db_time, DbConn, StoreError};

/// Counter of outbox message ids (seeded by the self-care migration).
pub const OUTBOX_COUNTER: &str = "outbox";

pub const OTP_ISSUED: &str = "Issued";
pub const OTP_USED: &str = "Used";
pub const OTP_LOCKED: &str = "Locked";

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxMessage {
    pub message_id: i64,
    pub created_at: NaiveDateTime,
    pub kind: String,
    pub channel: String,
    pub address: String,
    pub body: String,
    pub request_id: String,
}

/// Writes a message to the outbox (inside the transaction that decides to send it).
pub fn send(conn: &mut DbConn, row: &OutboxMessage) -> Result<(), StoreError> {
    let row = OutboxMessage {
        created_at: db_time(row.created_at),
        ..row.clone()
    };
    diesel::insert_into(outbox::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

/// Every outbox message, oldest first.
pub fn outbox_messages(conn: &mut DbConn) -> Result<Vec<OutboxMessage>, StoreError> {
    Ok(outbox::table
        .order(outbox::message_id)
        .select(OutboxMessage::as_select())
        .load(conn)?)
}

/// The per-database secret key `name` (hex), created by the migration.
pub fn secret_key(conn: &mut DbConn, name: &str) -> Result<Option<String>, StoreError> {
    Ok(secret_keys::table
        .find(name)
        .select(secret_keys::key_hex)
        .first_row(conn)
        .optional()?)
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = otp)]
pub struct OtpRow {
    pub otp_reference: String,
    pub subscription_number: Option<i64>,
    pub account_number: Option<i64>,
    pub delivery_channel: String,
    /// Masked.
    pub delivered_to: String,
    pub purpose: Option<String>,
    /// HMAC-SHA256 (hex) of reference and code.
    pub code_hash: String,
    /// `OTP_ISSUED`, `OTP_USED` or `OTP_LOCKED`.
    pub state: String,
    pub failed_attempts: i32,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

pub fn insert_otp(conn: &mut DbConn, row: &OtpRow) -> Result<(), StoreError> {
    let row = OtpRow {
        created_at: db_time(row.created_at),
        expires_at: db_time(row.expires_at),
        ..row.clone()
    };
    diesel::insert_into(otp::table).values(&row).execute(conn)?;
    Ok(())
}

/// OTPs issued for the subscription or account since `since`.
pub fn otps_issued_since(
    conn: &mut DbConn,
    subscription_number: Option<i64>,
    account_number: Option<i64>,
    since: NaiveDateTime,
) -> Result<i64, StoreError> {
    let mut q = otp::table
        .filter(otp::created_at.gt(db_time(since)))
        .into_boxed();
    q = match (subscription_number, account_number) {
        (Some(s), _) => q.filter(otp::subscription_number.eq(s)),
        (None, Some(a)) => q.filter(otp::account_number.eq(a)),
        (None, None) => return Ok(0),
    };
    Ok(q.count().get_result(conn)?)
}

/// Serialises OTP generation for one subscription or account until the transaction
/// ends: a PostgreSQL transaction-level advisory lock (SQLite's write transaction is
/// already exclusive).
pub fn lock_otp_target(conn: &mut DbConn, key: i64) -> Result<(), StoreError> {
    if let DbConn::Pg(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(key)
            .execute(pg)?;
    }
    Ok(())
}

/// The OTP, its row locked for the rest of the transaction (a no-op UPDATE first: on
/// PostgreSQL concurrent verifications of one OTP take turns).
pub fn get_otp_for_update(
    conn: &mut DbConn,
    reference: &str,
) -> Result<Option<OtpRow>, StoreError> {
    let n = diesel::update(otp::table.find(reference))
        .set(otp::failed_attempts.eq(otp::failed_attempts))
        .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    Ok(otp::table
        .find(reference)
        .select(OtpRow::as_select())
        .first_row(conn)
        .optional()?)
}

/// Records the outcome of a verification.
pub fn set_otp_state(
    conn: &mut DbConn,
    reference: &str,
    state: &str,
    failed_attempts: i32,
    used_at: Option<NaiveDateTime>,
) -> Result<(), StoreError> {
    diesel::update(otp::table.find(reference))
        .set((
            otp::state.eq(state),
            otp::failed_attempts.eq(failed_attempts),
            otp::used_at.eq(used_at.map(db_time)),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = workflow_events)]
pub struct WorkflowRow {
    pub event_number: i64,
    /// Group, Corporate, Account, Agreement or Subscription.
    pub target_type: String,
    pub target_id: String,
    pub event_type_code: String,
    pub event_code: String,
    /// Open, Resolved or Cancelled.
    pub status: String,
    pub process_command: Option<String>,
    pub process_date: Option<NaiveDate>,
    pub process_back_date: Option<NaiveDate>,
    pub resolution_required_by: Option<NaiveDate>,
    pub reason_code: Option<String>,
    pub contact_information: Option<String>,
    pub telephone_number: Option<String>,
    pub pass_to_user_id: Option<String>,
    pub include_notes_default: Option<bool>,
    pub notes: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub last_amended_at: NaiveDateTime,
}

pub fn insert_workflow(conn: &mut DbConn, row: &WorkflowRow) -> Result<(), StoreError> {
    let row = WorkflowRow {
        created_at: db_time(row.created_at),
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    diesel::insert_into(workflow_events::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

/// Workflow events, by event number, optionally of some target types (`types`; none:
/// any), one target id and a status. An id with the list of every type still searches
/// the (target_type, target_id) index.
pub fn workflows(
    conn: &mut DbConn,
    types: &[&str],
    id: Option<&str>,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<WorkflowRow>, StoreError> {
    let mut q = workflow_events::table
        .select(WorkflowRow::as_select())
        .into_boxed();
    match types {
        [] => {}
        [t] => q = q.filter(workflow_events::target_type.eq(t.to_string())),
        many => q = q.filter(workflow_events::target_type.eq_any(many.to_vec())),
    }
    if let Some(id) = id {
        q = q.filter(workflow_events::target_id.eq(id.to_string()));
    }
    if let Some(s) = status {
        q = q.filter(workflow_events::status.eq(s.to_string()));
    }
    Ok(q.order(workflow_events::event_number)
        .limit(limit)
        .load(conn)?)
}

/// Locks the customer's row until the transaction ends (a no-op UPDATE); false when
/// there is no such customer.
pub fn lock_customer(conn: &mut DbConn, customer_number: i64) -> Result<bool, StoreError> {
    let n = diesel::update(customers::table.find(customer_number))
        .set(customers::last_amended_at.eq(customers::last_amended_at))
        .execute(conn)?;
    Ok(n == 1)
}

/// Deletes every self-care row (the sandbox's reset; the secret keys stay).
pub fn wipe(conn: &mut DbConn) -> Result<(), StoreError> {
    diesel::delete(one_time_passwords_table()).execute(conn)?;
    diesel::delete(outbox::table).execute(conn)?;
    diesel::delete(workflow_events::table).execute(conn)?;
    Ok(())
}

fn one_time_passwords_table() -> otp::table {
    otp::table
}
