//! The subscription life cycle's writes to the `subscriptions` row (activation,
//! disconnection, price plan change) and the columns only it uses (migration
//! `000013_scheduled_actions`). Each write is conditional on the state it leaves, so a
//! lost race changes nothing and answers false.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::subscriptions::{STATUS_ACTIVE, STATUS_DISCONNECTED, STATUS_PRE_ACTIVE};
use crate::schema::subscriptions::{self, dsl as s};
use crate::FirstRow;
use crate::{db_time, DbConn, StoreError};

/// What the life cycle keeps on a subscription besides `Subscription`'s columns.
#[derive(Clone, Debug, Default, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = subscriptions)]
pub struct LifeColumns {
    pub contract_number: Option<String>,
    pub disconnection_reason: Option<String>,
    /// The termination fee recorded at disconnection (minor units); `None`: none recorded
    /// (suppressed, or not disconnected).
    pub termination_fee_minor: Option<i64>,
}

pub fn life(conn: &mut DbConn, subscription_number: i64) -> Result<LifeColumns, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscriptions::table
        .find(subscription_number)
        .select(LifeColumns::as_select())
        .first_row(conn)
        .optional()?
        .unwrap_or_default())
    })
}

/// The contract an activation or a plan change starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewContract {
    pub start: NaiveDate,
    pub term_months: i32,
    pub number: Option<String>,
}

/// PreActive → Active on `connected`, with `contract` (none: the subscription keeps what
/// it was created with). False when it is not PreActive.
pub fn activate(
    conn: &mut DbConn,
    subscription_number: i64,
    connected: NaiveDate,
    contract: Option<&NewContract>,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let target = subscriptions::table
        .find(subscription_number)
        .filter(s::status.eq(STATUS_PRE_ACTIVE));
    let n = diesel::update(target)
        .set((
            s::status.eq(STATUS_ACTIVE),
            s::connected_date.eq(Some(connected)),
            s::last_amended_at.eq(db_time(now)),
        ))
        .execute(conn)?;
    if n == 1 {
        if let Some(c) = contract {
            set_contract(conn, subscription_number, c, true)?;
        }
    }
    Ok(n == 1)
}

/// Starts `contract` on the subscription (with its number when `with_number`).
fn set_contract(
    conn: &mut DbConn,
    subscription_number: i64,
    c: &NewContract,
    with_number: bool,
) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let target = subscriptions::table.find(subscription_number);
    let terms = (
        s::contract_start.eq(Some(c.start)),
        s::contract_term_months.eq(Some(c.term_months)),
    );
    if with_number {
        diesel::update(target)
            .set((terms, s::contract_number.eq(c.number.clone())))
            .execute(conn)?;
    } else {
        diesel::update(target).set(terms).execute(conn)?;
    }
    Ok(())
    })
}

/// → Disconnected on `on`, with the reason and the termination fee recorded. False when it
/// is already disconnected.
pub fn disconnect(
    conn: &mut DbConn,
    subscription_number: i64,
    on: NaiveDate,
    reason: Option<&str>,
    fee_minor: Option<i64>,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    let n = diesel::update(
        subscriptions::table
            .find(subscription_number)
            .filter(s::status.ne(STATUS_DISCONNECTED)),
    )
    .set((
        s::status.eq(STATUS_DISCONNECTED),
        s::disconnected_date.eq(Some(on)),
        s::disconnection_reason.eq(reason),
        s::termination_fee_minor.eq(fee_minor),
        s::last_amended_at.eq(db_time(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
    })
}

/// Puts the subscription on `plan`; a `contract` replaces the current one (its number
/// stays). False when it is disconnected.
pub fn change_plan(
    conn: &mut DbConn,
    subscription_number: i64,
    plan: &str,
    contract: Option<&NewContract>,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        subscriptions::table
            .find(subscription_number)
            .filter(s::status.ne(STATUS_DISCONNECTED)),
    )
    .set((
        s::price_plan_code.eq(plan),
        s::last_amended_at.eq(db_time(now)),
    ))
    .execute(conn)?;
    if n == 1 {
        if let Some(c) = contract {
            set_contract(conn, subscription_number, c, false)?;
        }
    }
    Ok(n == 1)
}

/// Ends, on `on`, every package of the subscription still open then except those
/// `keep` accepts (by purchase identifier): the expiry becomes `on` (or the package's own
/// effective date, for one that would only start later). Returns the purchases ended.
pub fn end_packages(
    conn: &mut DbConn,
    subscription_number: i64,
    on: NaiveDate,
    keep: impl Fn(&super::SubscriptionPackageRow) -> bool,
) -> Result<Vec<i64>, StoreError> {
    let mut ended = Vec::new();
    for p in super::subscriptions::packages(conn, subscription_number)? {
        if p.expiry_date.is_some_and(|e| e <= on) || keep(&p) {
            continue;
        }
        super::subscriptions::expire_package(
            conn,
            p.purchase_identifier,
            on.max(p.effective_date),
        )?;
        ended.push(p.purchase_identifier);
    }
    Ok(ended)
}
