//! Agreements: billing instructions logged at exactly one level (group, corporate or
//! account; a CHECK constraint enforces it).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::agreements::{self, dsl as a};
use crate::FirstRow;
use crate::{db_time, DbConn, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = agreements)]
pub struct Agreement {
    pub agreement_number: i64,
    pub group_code: Option<String>,
    pub corporate_code: Option<String>,
    pub account_number: Option<i64>,
    /// Day of the month, 1..=31.
    pub billing_cycle: i32,
    pub invoice_consolidation_level: Option<String>,
    pub invoice_receipt_address: Option<String>,
    pub next_expected_invoice_date: NaiveDate,
    pub billing_media: Option<String>,
    pub price_plan_code: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_amended_at: NaiveDateTime,
}

pub type NewAgreement = Agreement;

/// What `update` changes: `None` leaves a column as it is. A pending bill cycle change is
/// a scheduled action (`scheduled_actions`), not a column.
#[derive(Clone, Debug, Default, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = agreements)]
pub struct AgreementChanges {
    pub billing_media: Option<String>,
    pub invoice_consolidation_level: Option<String>,
    pub invoice_receipt_address: Option<String>,
    pub billing_cycle: Option<i32>,
    pub next_expected_invoice_date: Option<NaiveDate>,
    pub price_plan_code: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateOutcome {
    Updated,
    NotFound,
    /// `last_amended_at` was not the expected value: someone else changed it first.
    Stale,
}

pub fn insert(conn: &mut DbConn, row: &Agreement) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let row = Agreement {
        created_at: db_time(row.created_at),
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    diesel::insert_into(agreements::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

pub fn get(conn: &mut DbConn, agreement_number: i64) -> Result<Option<Agreement>, StoreError> {
    crate::on_backend!(conn => {
    Ok(agreements::table
        .find(agreement_number)
        .select(Agreement::as_select())
        .first_row(conn)
        .optional()?)
    })
}

pub fn exists(conn: &mut DbConn, agreement_number: i64) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    Ok(diesel::select(diesel::dsl::exists(
        agreements::table.find(agreement_number),
    ))
    .get_result(conn)?)
    })
}

/// Agreements logged at the account, ordered by number.
pub fn list_logged_at_account(
    conn: &mut DbConn,
    account_number: i64,
) -> Result<Vec<Agreement>, StoreError> {
    crate::on_backend!(conn => {
    Ok(agreements::table
        .filter(a::account_number.eq(account_number))
        .order(a::agreement_number)
        .select(Agreement::as_select())
        .load(conn)?)
    })
}

/// Agreements logged at the corporate, ordered by number.
pub fn list_logged_at_corporate(
    conn: &mut DbConn,
    corporate_code: &str,
) -> Result<Vec<Agreement>, StoreError> {
    crate::on_backend!(conn => {
    Ok(agreements::table
        .filter(a::corporate_code.eq(corporate_code))
        .order(a::agreement_number)
        .select(Agreement::as_select())
        .load(conn)?)
    })
}

/// Agreements logged at the group, ordered by number.
pub fn list_logged_at_group(
    conn: &mut DbConn,
    group_code: &str,
) -> Result<Vec<Agreement>, StoreError> {
    crate::on_backend!(conn => {
    Ok(agreements::table
        .filter(a::group_code.eq(group_code))
        .order(a::agreement_number)
        .select(Agreement::as_select())
        .load(conn)?)
    })
}

/// Applies `changes` and sets `last_amended_at = now`, in one conditional UPDATE, so two
/// concurrent updates never lose each other's changes. With `expected_last_amended`, the
/// update happens only if the row still has that `last_amended_at` (optimistic locking),
/// else `Stale`.
pub fn update(
    conn: &mut DbConn,
    agreement_number: i64,
    changes: &AgreementChanges,
    expected_last_amended: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<UpdateOutcome, StoreError> {
    let set = (changes, a::last_amended_at.eq(db_time(now)));
    let target = agreements::table.filter(a::agreement_number.eq(agreement_number));
    let updated = match expected_last_amended {
        Some(expected) => diesel::update(target.filter(a::last_amended_at.eq(db_time(expected))))
            .set(set)
            .execute(conn)?,
        None => diesel::update(target).set(set).execute(conn)?,
    };
    Ok(if updated > 0 {
        UpdateOutcome::Updated
    } else if exists(conn, agreement_number)? {
        UpdateOutcome::Stale
    } else {
        UpdateOutcome::NotFound
    })
}

/// The billing media codes agreements use (a catalogue import must keep them).
pub fn billing_media_in_use(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    crate::on_backend!(conn => {
    Ok(agreements::table
        .filter(a::billing_media.is_not_null())
        .select(a::billing_media.assume_not_null())
        .distinct()
        .load(conn)?)
    })
}

/// What a conditional UPDATE that touched `updated` rows means: done, or (none touched)
/// stale when the row `exists`, else not found.
pub fn outcome(
    updated: usize,
    exists: impl FnOnce() -> Result<bool, StoreError>,
) -> Result<UpdateOutcome, StoreError> {
    Ok(if updated > 0 {
        UpdateOutcome::Updated
    } else if exists()? {
        UpdateOutcome::Stale
    } else {
        UpdateOutcome::NotFound
    })
}
