//! Usage, allowances and spend caps per bill period (migration `000012_usage`).
//!
//! A bill period is named by its first day (`period_start`). Per subscription and period
//! there is one `usage_periods` row (how many records, what they cost), the rated
//! `usage_records`, and the `allowance_draws` (how much of each allowance is used).
//! Money is in minor units (pence). Callers lock the subscription ([`lock_subscription`])
//! before they read what they will write back, so the read-then-write below cannot race.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::schema::allowance_draws::{self, dsl as ad};
use crate::schema::spend_cap_breaches::{self, dsl as br};
use crate::schema::subscription_spend_caps::{self, dsl as sc};
use crate::schema::subscriptions::{self, dsl as s};
use crate::schema::usage_periods::{self, dsl as up};
use crate::schema::usage_records::{self, dsl as ur};
use crate::FirstRow;
use crate::{db_time, DbConn, StoreError};

/// How many usage records one INSERT statement carries.
const INSERT_CHUNK: usize = 200;

/// A subscription's usage in one bill period, summed.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = usage_periods)]
pub struct UsagePeriod {
    pub subscription_number: i64,
    pub period_start: NaiveDate,
    /// Records so far: the next record is number `records + 1`.
    pub records: i64,
    pub charged_minor: i64,
}

/// One rated usage record.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = usage_records)]
pub struct UsageRecord {
    pub subscription_number: i64,
    pub period_start: NaiveDate,
    pub record_number: i64,
    pub used_at: NaiveDateTime,
    /// `Voice`, `SMS` or `Data` (a CHECK constraint allows only these).
    pub usage_type: String,
    pub quantity: i64,
    /// What came out of allowances; the rest was charged.
    pub in_bundle: i64,
    pub charged_minor: i64,
    pub recorded_at: NaiveDateTime,
    pub request_id: String,
}

/// How much of one allowance (a service of a purchased package) a period has used.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = allowance_draws)]
pub struct AllowanceDraw {
    pub subscription_number: i64,
    pub period_start: NaiveDate,
    pub purchase_identifier: i64,
    pub service_code: String,
    pub used: i64,
}

/// A spend cap set on a subscription, in force from `effective_date` up to, not
/// including, `expiry_date`.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = subscription_spend_caps)]
pub struct SpendCapRow {
    pub subscription_number: i64,
    pub cap_code: String,
    pub effective_date: NaiveDate,
    pub amount_minor: i64,
    pub expiry_date: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

/// The first refusal by a cap in a bill period (its notice was sent).
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = spend_cap_breaches)]
pub struct BreachRow {
    pub subscription_number: i64,
    pub period_start: NaiveDate,
    pub cap_code: String,
    pub breached_at: NaiveDateTime,
    /// The workflow event that records it.
    pub event_number: i64,
}

/// Locks the subscription's row until the transaction ends, without changing it (usage
/// and caps are not changes of the subscription: its `lastAmendedDate` stays). False when
/// there is no such subscription.
pub fn lock_subscription(conn: &mut DbConn, subscription_number: i64) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    let n = diesel::update(subscriptions::table.find(subscription_number))
        .set(s::last_amended_at.eq(s::last_amended_at))
        .execute(conn)?;
    Ok(n == 1)
    })
}

/// The subscription's usage totals of the period starting `start`, if it has any.
pub fn period(
    conn: &mut DbConn,
    subscription_number: i64,
    start: NaiveDate,
) -> Result<Option<UsagePeriod>, StoreError> {
    crate::on_backend!(conn => {
    Ok(usage_periods::table
        .find((subscription_number, start))
        .select(UsagePeriod::as_select())
        .first_row(conn)
        .optional()?)
    })
}

/// Writes the period's totals (creating its row the first time).
pub fn save_period(conn: &mut DbConn, row: &UsagePeriod) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let n = diesel::update(usage_periods::table.find((row.subscription_number, row.period_start)))
        .set((
            up::records.eq(row.records),
            up::charged_minor.eq(row.charged_minor),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(usage_periods::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
    })
}

/// Adds rated records (after `save_period` has created their period).
pub fn insert_records(conn: &mut DbConn, rows: &[UsageRecord]) -> Result<(), StoreError> {
    let rows: Vec<UsageRecord> = rows
        .iter()
        .map(|r| UsageRecord {
            used_at: db_time(r.used_at),
            recorded_at: db_time(r.recorded_at),
            ..r.clone()
        })
        .collect();
    // A multi-row INSERT compiles only against each backend's own connection.
    for chunk in rows.chunks(INSERT_CHUNK) {
        let insert = diesel::insert_into(usage_records::table).values(chunk);
        match conn {
            DbConn::Pg(c) => insert.execute(c)?,
            DbConn::Sqlite(c) => insert.execute(c)?,
        };
    }
    Ok(())
}

/// The records of one period, in the order they were rated.
pub fn records(
    conn: &mut DbConn,
    subscription_number: i64,
    start: NaiveDate,
) -> Result<Vec<UsageRecord>, StoreError> {
    crate::on_backend!(conn => {
    Ok(usage_records::table
        .filter(ur::subscription_number.eq(subscription_number))
        .filter(ur::period_start.eq(start))
        .order(ur::record_number)
        .select(UsageRecord::as_select())
        .load(conn)?)
    })
}

/// What the period has used of each allowance, by purchase and service.
pub fn draws(
    conn: &mut DbConn,
    subscription_number: i64,
    start: NaiveDate,
) -> Result<Vec<AllowanceDraw>, StoreError> {
    crate::on_backend!(conn => {
    Ok(allowance_draws::table
        .filter(ad::subscription_number.eq(subscription_number))
        .filter(ad::period_start.eq(start))
        .order((ad::purchase_identifier, ad::service_code))
        .select(AllowanceDraw::as_select())
        .load(conn)?)
    })
}

/// Writes what an allowance has used (creating its row the first time).
pub fn save_draw(conn: &mut DbConn, row: &AllowanceDraw) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let key = (
        row.subscription_number,
        row.period_start,
        row.purchase_identifier,
        row.service_code.as_str(),
    );
    let n = diesel::update(allowance_draws::table.find(key))
        .set(ad::used.eq(row.used))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(allowance_draws::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
    })
}

// ---- spend caps ----

/// Every cap set on the subscription, by code then effective date.
pub fn caps(conn: &mut DbConn, subscription_number: i64) -> Result<Vec<SpendCapRow>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_spend_caps::table
        .filter(sc::subscription_number.eq(subscription_number))
        .order((sc::cap_code, sc::effective_date))
        .select(SpendCapRow::as_select())
        .load(conn)?)
    })
}

/// Sets the subscription's cap `row.cap_code` from `row.effective_date` on: caps of that
/// code starting on or after that day are dropped, the one in force then ends that day.
pub fn replace_cap(conn: &mut DbConn, row: &SpendCapRow) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let of_code = || {
        subscription_spend_caps::table
            .filter(sc::subscription_number.eq(row.subscription_number))
            .filter(sc::cap_code.eq(row.cap_code.as_str()))
    };
    diesel::delete(of_code().filter(sc::effective_date.ge(row.effective_date))).execute(conn)?;
    diesel::update(
        of_code().filter(
            sc::expiry_date
                .is_null()
                .or(sc::expiry_date.gt(row.effective_date)),
        ),
    )
    .set(sc::expiry_date.eq(Some(row.effective_date)))
    .execute(conn)?;
    let row = SpendCapRow {
        created_at: db_time(row.created_at),
        ..row.clone()
    };
    diesel::insert_into(subscription_spend_caps::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

/// Subscriptions, not disconnected, with a cap of code `cap_code` in force on `today` or
/// later.
pub fn count_using_cap(
    conn: &mut DbConn,
    cap_code: &str,
    today: NaiveDate,
) -> Result<i64, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscriptions::table
        .filter(s::status.ne(super::subscriptions::STATUS_DISCONNECTED))
        .filter(diesel::dsl::exists(
            subscription_spend_caps::table
                .filter(sc::subscription_number.eq(s::subscription_number))
                .filter(sc::cap_code.eq(cap_code))
                .filter(sc::expiry_date.is_null().or(sc::expiry_date.gt(today))),
        ))
        .select(count_star())
        .get_result(conn)?)
    })
}

/// The codes of the caps that already refused usage in the period (notice sent).
pub fn breached_caps(
    conn: &mut DbConn,
    subscription_number: i64,
    start: NaiveDate,
) -> Result<Vec<String>, StoreError> {
    crate::on_backend!(conn => {
    Ok(spend_cap_breaches::table
        .filter(br::subscription_number.eq(subscription_number))
        .filter(br::period_start.eq(start))
        .order(br::cap_code)
        .select(br::cap_code)
        .load(conn)?)
    })
}

pub fn insert_breach(conn: &mut DbConn, row: &BreachRow) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let row = BreachRow {
        breached_at: db_time(row.breached_at),
        ..row.clone()
    };
    diesel::insert_into(spend_cap_breaches::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

/// Deletes every usage and spend cap row (the sandbox's reset), children first.
pub fn wipe(conn: &mut DbConn) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    diesel::delete(spend_cap_breaches::table).execute(conn)?;
    diesel::delete(subscription_spend_caps::table).execute(conn)?;
    diesel::delete(allowance_draws::table).execute(conn)?;
    diesel::delete(usage_records::table).execute(conn)?;
    diesel::delete(usage_periods::table).execute(conn)?;
    Ok(())
    })
}
