//! Subscriptions (on an account, billed under an agreement), their packages, serial
//! numbers and identities.
//!
//! Searches use `EXISTS` subqueries on the child tables rather than joins, so a
//! subscription with several matching serial numbers or identities is listed once.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::schema::subscription_identities::{self, dsl as si};
use crate::schema::subscription_packages::{self, dsl as sp};
use crate::schema::subscription_serial_numbers::{self, dsl as ssn};
use crate::schema::subscriptions::{self, dsl as s};
use crate::FirstRow;
use crate::{db_time, DbConn, StoreError};

/// `subscriptions.status` values (a CHECK constraint allows only these).
pub const STATUS_PRE_ACTIVE: &str = "PreActive";
pub const STATUS_ACTIVE: &str = "Active";
pub const STATUS_DISCONNECTED: &str = "Disconnected";

/// `subscription_serial_numbers.kind` values (a CHECK constraint allows only these).
pub const SERIAL_MANAGED: &str = "managed";
pub const SERIAL_NON_MANAGED: &str = "nonManaged";

type Backend = <DbConn as Connection>::Backend;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = subscriptions)]
pub struct Subscription {
    pub subscription_number: i64,
    pub account_number: i64,
    pub agreement_number: i64,
    /// One of `STATUS_PRE_ACTIVE`, `STATUS_ACTIVE`, `STATUS_DISCONNECTED`.
    pub status: String,
    pub price_plan_code: String,
    pub connected_date: Option<NaiveDate>,
    pub disconnected_date: Option<NaiveDate>,
    pub user_name: Option<String>,
    pub cost_centre: Option<String>,
    pub contract_start: Option<NaiveDate>,
    pub contract_term_months: Option<i32>,
    pub created_at: NaiveDateTime,
    pub last_amended_at: NaiveDateTime,
}

pub type NewSubscription = Subscription;

/// A package bought on a subscription; `purchase_identifier` comes from
/// `counters::PURCHASE`.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = subscription_packages)]
pub struct SubscriptionPackageRow {
    pub purchase_identifier: i64,
    pub subscription_number: i64,
    pub package_code: String,
    /// The price plan's base package (as opposed to an optional extra).
    pub is_base: bool,
    pub effective_date: NaiveDate,
    /// First day the package no longer applies; `None` while open-ended.
    pub expiry_date: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

/// One serial number of a subscription: the `enumeration_id`-th of its `kind`.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = subscription_serial_numbers)]
pub struct SerialNumberRow {
    pub subscription_number: i64,
    /// `SERIAL_MANAGED` or `SERIAL_NON_MANAGED`.
    pub kind: String,
    pub enumeration_id: i32,
    pub value: String,
}

/// One identity of a subscription (at most one value per type).
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = subscription_identities)]
pub struct IdentityRow {
    pub subscription_number: i64,
    pub identity_type: String,
    pub identity_value: String,
}

/// What `list` matches; every field set must match (`None` matches anything).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubscriptionFilter {
    pub account_number: Option<i64>,
    /// Some non-managed serial number has this value.
    pub non_managed_serial_number: Option<String>,
    /// Some serial number, managed or not, has this value.
    pub serial_number: Option<String>,
    /// Some identity has this type (and `identity_value`, when both are given).
    pub identity_type: Option<String>,
    /// Some identity has this value (of `identity_type`, when both are given).
    pub identity_value: Option<String>,
    pub status: Option<String>,
}

pub fn insert(conn: &mut DbConn, row: &Subscription) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let row = Subscription {
        created_at: db_time(row.created_at),
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    diesel::insert_into(subscriptions::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

pub fn get(
    conn: &mut DbConn,
    subscription_number: i64,
) -> Result<Option<Subscription>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscriptions::table
        .find(subscription_number)
        .select(Subscription::as_select())
        .first_row(conn)
        .optional()?)
    })
}

pub fn exists(conn: &mut DbConn, subscription_number: i64) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    Ok(diesel::select(diesel::dsl::exists(
        subscriptions::table.find(subscription_number),
    ))
    .get_result(conn)?)
    })
}

/// The subscriptions matching `filter`, in one query for the whole filter.
fn filtered(filter: &SubscriptionFilter) -> subscriptions::BoxedQuery<'_, Backend> {
    let mut q = subscriptions::table.into_boxed();
    if let Some(n) = filter.account_number {
        q = q.filter(s::account_number.eq(n));
    }
    if let Some(status) = &filter.status {
        q = q.filter(s::status.eq(status.as_str()));
    }
    // `subscription_number IN (SELECT …)`, not a correlated EXISTS: SQLite runs an EXISTS
    // once per subscription (a scan of them all); the IN list starts from the serial or
    // identity index and looks each number up by primary key (docs/performance.md).
    if let Some(value) = &filter.non_managed_serial_number {
        q = q.filter(
            s::subscription_number.eq_any(
                subscription_serial_numbers::table
                    .filter(ssn::kind.eq(SERIAL_NON_MANAGED))
                    .filter(ssn::value.eq(value.as_str()))
                    .select(ssn::subscription_number),
            ),
        );
    }
    if let Some(value) = &filter.serial_number {
        // Naming both kinds lets the (kind, value) index serve the lookup.
        q = q.filter(
            s::subscription_number.eq_any(
                subscription_serial_numbers::table
                    .filter(ssn::kind.eq_any([SERIAL_MANAGED, SERIAL_NON_MANAGED]))
                    .filter(ssn::value.eq(value.as_str()))
                    .select(ssn::subscription_number),
            ),
        );
    }
    let identities = subscription_identities::table.select(si::subscription_number);
    match (&filter.identity_type, &filter.identity_value) {
        (Some(t), Some(v)) => {
            q = q.filter(
                s::subscription_number.eq_any(
                    identities
                        .filter(si::identity_type.eq(t.as_str()))
                        .filter(si::identity_value.eq(v.as_str())),
                ),
            )
        }
        (Some(t), None) => {
            q = q.filter(
                s::subscription_number.eq_any(identities.filter(si::identity_type.eq(t.as_str()))),
            )
        }
        (None, Some(v)) => {
            q = q.filter(
                s::subscription_number.eq_any(identities.filter(si::identity_value.eq(v.as_str()))),
            )
        }
        (None, None) => {}
    }
    q
}

/// One page of the subscriptions matching `filter`, ordered by number (`offset` rows
/// skipped, at most `limit` returned), and how many match in all.
pub fn list(
    conn: &mut DbConn,
    filter: &SubscriptionFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Subscription>, i64), StoreError> {
    let total: i64 = filtered(filter).select(count_star()).get_result(conn)?;
    let page = filtered(filter)
        .order(s::subscription_number)
        .offset(offset.max(0))
        .limit(limit.max(0))
        .select(Subscription::as_select())
        .load(conn)?;
    Ok((page, total))
}

/// Subscriptions on price plan `plan_code` that are not disconnected.
pub fn count_using_plan(conn: &mut DbConn, plan_code: &str) -> Result<i64, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscriptions::table
        .filter(s::price_plan_code.eq(plan_code))
        .filter(s::status.ne(STATUS_DISCONNECTED))
        .select(count_star())
        .get_result(conn)?)
    })
}

/// Subscriptions, not disconnected, holding package `package_code` not yet expired on
/// `today` (no expiry date, or one after `today`; packages effective later count too).
/// A subscription holding it twice counts once.
pub fn count_using_package(
    conn: &mut DbConn,
    package_code: &str,
    today: NaiveDate,
) -> Result<i64, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscriptions::table
        .filter(s::status.ne(STATUS_DISCONNECTED))
        .filter(diesel::dsl::exists(
            subscription_packages::table
                .filter(sp::subscription_number.eq(s::subscription_number))
                .filter(sp::package_code.eq(package_code))
                .filter(sp::expiry_date.is_null().or(sp::expiry_date.gt(today))),
        ))
        .select(count_star())
        .get_result(conn)?)
    })
}

// ---- packages ----

pub fn insert_package(conn: &mut DbConn, row: &SubscriptionPackageRow) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let row = SubscriptionPackageRow {
        created_at: db_time(row.created_at),
        ..row.clone()
    };
    diesel::insert_into(subscription_packages::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

/// Every package the subscription ever had, ordered by purchase identifier.
pub fn packages(
    conn: &mut DbConn,
    subscription_number: i64,
) -> Result<Vec<SubscriptionPackageRow>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_packages::table
        .filter(sp::subscription_number.eq(subscription_number))
        .order(sp::purchase_identifier)
        .select(SubscriptionPackageRow::as_select())
        .load(conn)?)
    })
}

/// The packages in force on `on`: effective on or before it, and not expired (no expiry
/// date, or one after `on`). Ordered by purchase identifier.
pub fn active_packages(
    conn: &mut DbConn,
    subscription_number: i64,
    on: NaiveDate,
) -> Result<Vec<SubscriptionPackageRow>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_packages::table
        .filter(sp::subscription_number.eq(subscription_number))
        .filter(sp::effective_date.le(on))
        .filter(sp::expiry_date.is_null().or(sp::expiry_date.gt(on)))
        .order(sp::purchase_identifier)
        .select(SubscriptionPackageRow::as_select())
        .load(conn)?)
    })
}

pub fn get_package(
    conn: &mut DbConn,
    purchase_identifier: i64,
) -> Result<Option<SubscriptionPackageRow>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_packages::table
        .find(purchase_identifier)
        .select(SubscriptionPackageRow::as_select())
        .first_row(conn)
        .optional()?)
    })
}

/// Sets the package's expiry date (replacing any). False when there is no such package.
pub fn expire_package(
    conn: &mut DbConn,
    purchase_identifier: i64,
    expiry: NaiveDate,
) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    let changed = diesel::update(subscription_packages::table.find(purchase_identifier))
        .set(sp::expiry_date.eq(Some(expiry)))
        .execute(conn)?;
    Ok(changed > 0)
    })
}

// ---- serial numbers and identities ----

/// The same (subscription, kind, enumeration id) twice: `Conflict`.
pub fn insert_serial(conn: &mut DbConn, row: &SerialNumberRow) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    diesel::insert_into(subscription_serial_numbers::table)
        .values(row)
        .execute(conn)?;
    Ok(())
    })
}

/// The subscription's serial numbers, ordered by kind then enumeration id.
pub fn serials(
    conn: &mut DbConn,
    subscription_number: i64,
) -> Result<Vec<SerialNumberRow>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_serial_numbers::table
        .filter(ssn::subscription_number.eq(subscription_number))
        .order((ssn::kind, ssn::enumeration_id))
        .select(SerialNumberRow::as_select())
        .load(conn)?)
    })
}

/// A second value of the same type on one subscription: `Conflict`.
pub fn insert_identity(conn: &mut DbConn, row: &IdentityRow) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    diesel::insert_into(subscription_identities::table)
        .values(row)
        .execute(conn)?;
    Ok(())
    })
}

/// The subscription's identities, ordered by type.
pub fn identities(
    conn: &mut DbConn,
    subscription_number: i64,
) -> Result<Vec<IdentityRow>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_identities::table
        .filter(si::subscription_number.eq(subscription_number))
        .order(si::identity_type)
        .select(IdentityRow::as_select())
        .load(conn)?)
    })
}

/// True when a subscription that is not disconnected (other than `except_subscription`)
/// holds managed serial number `value`.
pub fn managed_serial_in_use(
    conn: &mut DbConn,
    value: &str,
    except_subscription: Option<i64>,
) -> Result<bool, StoreError> {
    let mut holders = subscription_serial_numbers::table
        .inner_join(subscriptions::table)
        .filter(ssn::kind.eq(SERIAL_MANAGED))
        .filter(ssn::value.eq(value))
        .filter(s::status.ne(STATUS_DISCONNECTED))
        .select(ssn::subscription_number)
        .into_boxed();
    if let Some(n) = except_subscription {
        holders = holders.filter(ssn::subscription_number.ne(n));
    }
    Ok(holders.first::<i64>(conn).optional()?.is_some())
}

/// Stamps `last_amended_at` (a write to the subscription's row: on PostgreSQL it holds the
/// row lock until the transaction ends, so changes to one subscription take turns).
/// False when there is no such subscription.
pub fn touch(
    conn: &mut DbConn,
    subscription_number: i64,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    let n = diesel::update(subscriptions::table.find(subscription_number))
        .set(s::last_amended_at.eq(db_time(now)))
        .execute(conn)?;
    Ok(n > 0)
    })
}
