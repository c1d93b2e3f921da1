//! Agreements: billing instructions logged at exactly one level (group, corporate or
//! account; a CHECK constraint enforces it).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::agreements::{self, dsl as a};
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
    /// A bill cycle change waiting for `next_expected_invoice_date`.
    pub pending_billing_cycle: Option<i32>,
    pub created_at: NaiveDateTime,
    pub last_amended_at: NaiveDateTime,
}

pub type NewAgreement = Agreement;

/// What `update` changes: `None` leaves a column as it is. `pending_billing_cycle` is
/// doubly optional: `Some(None)` clears a pending change.
#[derive(Clone, Debug, Default, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = agreements)]
pub struct AgreementChanges {
    pub billing_media: Option<String>,
    pub invoice_consolidation_level: Option<String>,
    pub invoice_receipt_address: Option<String>,
    pub pending_billing_cycle: Option<Option<i32>>,
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
    let row = Agreement {
        created_at: db_time(row.created_at),
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    diesel::insert_into(agreements::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, agreement_number: i64) -> Result<Option<Agreement>, StoreError> {
    Ok(agreements::table
        .find(agreement_number)
        .select(Agreement::as_select())
        .first(conn)
        .optional()?)
}

pub fn exists(conn: &mut DbConn, agreement_number: i64) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(
        agreements::table.find(agreement_number),
    ))
    .get_result(conn)?)
}

/// Agreements logged at the account, ordered by number.
pub fn list_logged_at_account(
    conn: &mut DbConn,
    account_number: i64,
) -> Result<Vec<Agreement>, StoreError> {
    Ok(agreements::table
        .filter(a::account_number.eq(account_number))
        .order(a::agreement_number)
        .select(Agreement::as_select())
        .load(conn)?)
}

/// Agreements logged at the corporate, ordered by number.
pub fn list_logged_at_corporate(
    conn: &mut DbConn,
    corporate_code: &str,
) -> Result<Vec<Agreement>, StoreError> {
    Ok(agreements::table
        .filter(a::corporate_code.eq(corporate_code))
        .order(a::agreement_number)
        .select(Agreement::as_select())
        .load(conn)?)
}

/// Agreements logged at the group, ordered by number.
pub fn list_logged_at_group(
    conn: &mut DbConn,
    group_code: &str,
) -> Result<Vec<Agreement>, StoreError> {
    Ok(agreements::table
        .filter(a::group_code.eq(group_code))
        .order(a::agreement_number)
        .select(Agreement::as_select())
        .load(conn)?)
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

/// Applies the bill cycle changes due on or before `today`: `billing_cycle` takes the
/// pending day, the pending day is cleared, `next_expected_invoice_date` becomes
/// `next_invoice_date(&agreement_as_it_was)` (the caller owns the calendar rule), and
/// `last_amended_at = now`.
///
/// Each row is claimed by a conditional UPDATE (still pending with the same day and date),
/// so running this twice, or on two gateway instances at once, applies each change once.
/// Returns the agreements as they are after the change, ordered by number.
pub fn apply_due_bill_cycle_changes(
    conn: &mut DbConn,
    today: NaiveDate,
    now: NaiveDateTime,
    next_invoice_date: impl Fn(&Agreement) -> NaiveDate,
) -> Result<Vec<Agreement>, StoreError> {
    let now = db_time(now);
    let due: Vec<Agreement> = agreements::table
        .filter(a::pending_billing_cycle.is_not_null())
        .filter(a::next_expected_invoice_date.le(today))
        .order(a::agreement_number)
        .select(Agreement::as_select())
        .load(conn)?;
    let mut applied = Vec::with_capacity(due.len());
    for old in due {
        let Some(day) = old.pending_billing_cycle else {
            continue;
        };
        let next_date = next_invoice_date(&old);
        let claimed = diesel::update(
            agreements::table
                .filter(a::agreement_number.eq(old.agreement_number))
                .filter(a::pending_billing_cycle.eq(day))
                .filter(a::next_expected_invoice_date.eq(old.next_expected_invoice_date)),
        )
        .set((
            a::billing_cycle.eq(day),
            a::pending_billing_cycle.eq(None::<i32>),
            a::next_expected_invoice_date.eq(next_date),
            a::last_amended_at.eq(now),
        ))
        .execute(conn)?;
        if claimed == 1 {
            applied.push(Agreement {
                billing_cycle: day,
                pending_billing_cycle: None,
                next_expected_invoice_date: next_date,
                last_amended_at: now,
                ..old
            });
        }
    }
    Ok(applied)
}

/// The billing media codes agreements use (a catalogue import must keep them).
pub fn billing_media_in_use(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    Ok(agreements::table
        .filter(a::billing_media.is_not_null())
        .select(a::billing_media.assume_not_null())
        .distinct()
        .load(conn)?)
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
