//! The subscription's own data (migration 2026-12-01-000011_subscription_details): the
//! personal fields and password hash on the subscription row, services added one by one,
//! attributes, e-mail address slots, and serial numbers with their history.
//!
//! Every lookup goes by the subscription (each child table's key or index starts with
//! `subscription_number`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::repo::UpdateOutcome;
use crate::schema::subscription_attributes::{self, dsl as sa};
use crate::schema::subscription_email_addresses::{self, dsl as se};
use crate::schema::subscription_serial_number_history::{self, dsl as sh};
use crate::schema::subscription_serial_numbers::{self, dsl as ssn};
use crate::schema::subscription_services::{self, dsl as sv};
use crate::schema::subscriptions::{self, dsl as s};
use crate::FirstRow;
use crate::{db_time, DbConn, StoreError};

/// Service instance identifiers (AddSubscriptionService), seeded by the migration.
pub const SERVICE_INSTANCE_COUNTER: &str = "service_instance"; // 60000001

/// `subscription_services.charge_type` values (a CHECK constraint allows only these).
pub const CHARGE_ONE_OFF: &str = "OneOff";
pub const CHARGE_RECURRING: &str = "Recurring";

// ---- the subscription row: personal fields, password ----

/// What UpdateSubscription shows back of the subscription row (the password hash is never
/// read here).
#[derive(Clone, Debug, Default, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = subscriptions)]
pub struct PersonalDetails {
    pub date_of_birth: Option<NaiveDate>,
    /// `Male`, `Female`, `Other`, `NotStated` (a CHECK constraint).
    pub gender: Option<String>,
    /// `Single`, `Married`, `CivilPartnership`, `Divorced`, `Widowed`, `NotStated`.
    pub marital_status: Option<String>,
}

/// What UpdateSubscription changes: `None` leaves a column as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = subscriptions)]
pub struct PersonalChanges {
    pub user_name: Option<String>,
    pub cost_centre: Option<String>,
    /// An Argon2id PHC string, never a password.
    pub password_hash: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<String>,
    pub marital_status: Option<String>,
}

pub fn personal_details(
    conn: &mut DbConn,
    subscription_number: i64,
) -> Result<Option<PersonalDetails>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscriptions::table
        .find(subscription_number)
        .select(PersonalDetails::as_select())
        .first_row(conn)
        .optional()?)
    })
}

/// The stored password hash (to verify a password against; nothing answers it).
pub fn password_hash(
    conn: &mut DbConn,
    subscription_number: i64,
) -> Result<Option<String>, StoreError> {
    Ok(subscriptions::table
        .find(subscription_number)
        .select(s::password_hash)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// Applies `changes` and stamps `last_amended_at = now` in one conditional UPDATE; with
/// `expected_last_amended`, only if the row still has it (else `Stale`).
pub fn update_personal(
    conn: &mut DbConn,
    subscription_number: i64,
    changes: &PersonalChanges,
    expected_last_amended: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<UpdateOutcome, StoreError> {
    let set = (changes, s::last_amended_at.eq(db_time(now)));
    let target = subscriptions::table.filter(s::subscription_number.eq(subscription_number));
    let updated = match expected_last_amended {
        Some(expected) => diesel::update(target.filter(s::last_amended_at.eq(db_time(expected))))
            .set(set)
            .execute(conn)?,
        None => diesel::update(target).set(set).execute(conn)?,
    };
    Ok(if updated > 0 {
        UpdateOutcome::Updated
    } else if super::subscriptions::exists(conn, subscription_number)? {
        UpdateOutcome::Stale
    } else {
        UpdateOutcome::NotFound
    })
}

// ---- services ----

/// A service added on its own; `service_instance_id` comes from
/// [`SERVICE_INSTANCE_COUNTER`].
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = subscription_services)]
pub struct ServiceRow {
    pub service_instance_id: i64,
    pub subscription_number: i64,
    pub service_code: String,
    /// [`CHARGE_ONE_OFF`] or [`CHARGE_RECURRING`].
    pub charge_type: String,
    /// The decimal as written on the wire (`"1.50"`).
    pub price: String,
    pub effective_date: NaiveDate,
    /// First day the service no longer applies; `None` while open-ended.
    pub expiry_date: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

pub fn insert_service(conn: &mut DbConn, row: &ServiceRow) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let row = ServiceRow {
        created_at: db_time(row.created_at),
        ..row.clone()
    };
    diesel::insert_into(subscription_services::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

/// Every service added to the subscription, ordered by instance id.
pub fn services(
    conn: &mut DbConn,
    subscription_number: i64,
) -> Result<Vec<ServiceRow>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_services::table
        .filter(sv::subscription_number.eq(subscription_number))
        .order(sv::service_instance_id)
        .select(ServiceRow::as_select())
        .load(conn)?)
    })
}

pub fn get_service(
    conn: &mut DbConn,
    service_instance_id: i64,
) -> Result<Option<ServiceRow>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_services::table
        .find(service_instance_id)
        .select(ServiceRow::as_select())
        .first_row(conn)
        .optional()?)
    })
}

/// Sets the service's expiry date (replacing any). False when there is no such service.
pub fn expire_service(
    conn: &mut DbConn,
    service_instance_id: i64,
    expiry: NaiveDate,
) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    let n = diesel::update(subscription_services::table.find(service_instance_id))
        .set(sv::expiry_date.eq(Some(expiry)))
        .execute(conn)?;
    Ok(n > 0)
    })
}

/// Sets the price of an added service (`price` as written on the wire, `"1.00"`).
pub fn set_service_price(
    conn: &mut DbConn,
    service_instance_id: i64,
    price: &str,
) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    let n = diesel::update(subscription_services::table.find(service_instance_id))
        .set(sv::price.eq(price))
        .execute(conn)?;
    Ok(n > 0)
    })
}

/// The service codes of added services not ended by `today`, each once (the catalogue
/// import keeps them).
pub fn service_codes_in_use(
    conn: &mut DbConn,
    today: NaiveDate,
) -> Result<Vec<String>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_services::table
        .filter(sv::expiry_date.is_null().or(sv::expiry_date.gt(today)))
        .select(sv::service_code)
        .distinct()
        .order(sv::service_code)
        .load(conn)?)
    })
}

// ---- attributes ----

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = subscription_attributes)]
pub struct AttributeRow {
    pub subscription_number: i64,
    pub name: String,
    pub attribute_group: Option<String>,
    pub value: String,
    pub created_at: NaiveDateTime,
    pub last_amended_at: NaiveDateTime,
}

/// The same name twice on one subscription: `Conflict`.
pub fn insert_attribute(conn: &mut DbConn, row: &AttributeRow) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let row = AttributeRow {
        created_at: db_time(row.created_at),
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    diesel::insert_into(subscription_attributes::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

pub fn get_attribute(
    conn: &mut DbConn,
    subscription_number: i64,
    name: &str,
) -> Result<Option<AttributeRow>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_attributes::table
        .find((subscription_number, name))
        .select(AttributeRow::as_select())
        .first_row(conn)
        .optional()?)
    })
}

/// Sets the value of an existing attribute. False when the subscription has none of that
/// name.
pub fn update_attribute(
    conn: &mut DbConn,
    subscription_number: i64,
    name: &str,
    value: &str,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    let n = diesel::update(subscription_attributes::table.find((subscription_number, name)))
        .set((sa::value.eq(value), sa::last_amended_at.eq(db_time(now))))
        .execute(conn)?;
    Ok(n > 0)
    })
}

/// The subscription's attributes, ordered by name.
pub fn attributes(
    conn: &mut DbConn,
    subscription_number: i64,
) -> Result<Vec<AttributeRow>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_attributes::table
        .filter(sa::subscription_number.eq(subscription_number))
        .order(sa::name)
        .select(AttributeRow::as_select())
        .load(conn)?)
    })
}

/// The attribute names some subscription has set, each once (the catalogue import keeps
/// their definitions).
pub fn attribute_names_in_use(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_attributes::table
        .select(sa::name)
        .distinct()
        .order(sa::name)
        .load(conn)?)
    })
}

// ---- e-mail addresses ----

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = subscription_email_addresses)]
pub struct SubscriptionEmail {
    pub subscription_number: i64,
    pub email_id: i32,
    /// `Primary`, `Billing` or `Notification` (a CHECK constraint).
    pub email_type: String,
    pub address: String,
    pub last_amended_at: NaiveDateTime,
}

/// The subscription's written slots, ordered by id.
pub fn emails(
    conn: &mut DbConn,
    subscription_number: i64,
) -> Result<Vec<SubscriptionEmail>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_email_addresses::table
        .filter(se::subscription_number.eq(subscription_number))
        .order(se::email_id)
        .select(SubscriptionEmail::as_select())
        .load(conn)?)
    })
}

/// Writes one address slot (insert or replace).
pub fn put_email(conn: &mut DbConn, row: &SubscriptionEmail) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let row = SubscriptionEmail {
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    let n = diesel::update(
        subscription_email_addresses::table.find((row.subscription_number, row.email_id)),
    )
    .set((
        se::email_type.eq(&row.email_type),
        se::address.eq(&row.address),
        se::last_amended_at.eq(row.last_amended_at),
    ))
    .execute(conn)?;
    if n == 0 {
        diesel::insert_into(subscription_email_addresses::table)
            .values(&row)
            .execute(conn)?;
    }
    Ok(())
    })
}

// ---- serial numbers and their history ----

/// A current serial number with the day it took effect (`None`: since the subscription
/// was created).
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = subscription_serial_numbers)]
pub struct DatedSerial {
    pub kind: String,
    pub enumeration_id: i32,
    pub value: String,
    pub effective_date: Option<NaiveDate>,
}

/// A value a slot held before it was replaced.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = subscription_serial_number_history)]
pub struct SerialHistoryRow {
    pub subscription_number: i64,
    /// `subscriptions::SERIAL_MANAGED` or `SERIAL_NON_MANAGED`.
    pub kind: String,
    pub enumeration_id: i32,
    /// 1, 2, … per slot, in the order the values were replaced.
    pub sequence: i32,
    pub value: String,
    pub effective_date: NaiveDate,
    /// The first day the value no longer applied.
    pub end_date: NaiveDate,
    pub replaced_at: NaiveDateTime,
}

/// The subscription's current serial numbers with their dates, by kind then id.
pub fn dated_serials(
    conn: &mut DbConn,
    subscription_number: i64,
) -> Result<Vec<DatedSerial>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_serial_numbers::table
        .filter(ssn::subscription_number.eq(subscription_number))
        .order((ssn::kind, ssn::enumeration_id))
        .select(DatedSerial::as_select())
        .load(conn)?)
    })
}

/// Writes the value of one slot, in force from `effective_date` (insert or replace).
pub fn put_serial(
    conn: &mut DbConn,
    subscription_number: i64,
    kind: &str,
    enumeration_id: i32,
    value: &str,
    effective_date: NaiveDate,
) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let n = diesel::update(subscription_serial_numbers::table.find((
        subscription_number,
        kind,
        enumeration_id,
    )))
    .set((
        ssn::value.eq(value),
        ssn::effective_date.eq(Some(effective_date)),
    ))
    .execute(conn)?;
    if n == 0 {
        diesel::insert_into(subscription_serial_numbers::table)
            .values((
                ssn::subscription_number.eq(subscription_number),
                ssn::kind.eq(kind),
                ssn::enumeration_id.eq(enumeration_id),
                ssn::value.eq(value),
                ssn::effective_date.eq(Some(effective_date)),
            ))
            .execute(conn)?;
    }
    Ok(())
    })
}

/// Key of the PostgreSQL advisory lock that serialises changes of managed serial numbers.
const MANAGED_SERIALS_LOCK: i64 = 0x0043_4d50_5f6d_736e; // "CMP_msn"

/// Serialises ChangeSerialNumbers until the transaction ends, so two subscriptions
/// cannot both take one managed serial number: a PostgreSQL transaction-level advisory
/// lock (SQLite's write transaction is already exclusive).
pub fn lock_managed_serials(conn: &mut DbConn) -> Result<(), StoreError> {
    if let DbConn::Pg(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(MANAGED_SERIALS_LOCK)
            .execute(pg)?;
    }
    Ok(())
}

/// Keeps a replaced value; its `sequence` is the slot's next one.
pub fn insert_history(conn: &mut DbConn, row: &SerialHistoryRow) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let last: Option<i32> = subscription_serial_number_history::table
        .filter(sh::subscription_number.eq(row.subscription_number))
        .filter(sh::kind.eq(&row.kind))
        .filter(sh::enumeration_id.eq(row.enumeration_id))
        .select(diesel::dsl::max(sh::sequence))
        .first_row(conn)?;
    let row = SerialHistoryRow {
        sequence: last.unwrap_or(0) + 1,
        replaced_at: db_time(row.replaced_at),
        ..row.clone()
    };
    diesel::insert_into(subscription_serial_number_history::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

/// The values the subscription's slots held before, by kind, id and sequence.
pub fn serial_history(
    conn: &mut DbConn,
    subscription_number: i64,
) -> Result<Vec<SerialHistoryRow>, StoreError> {
    crate::on_backend!(conn => {
    Ok(subscription_serial_number_history::table
        .filter(sh::subscription_number.eq(subscription_number))
        .order((sh::kind, sh::enumeration_id, sh::sequence))
        .select(SerialHistoryRow::as_select())
        .load(conn)?)
    })
}

/// Deletes every row of this module's tables (the sandbox's reset, before the
/// subscriptions go).
pub fn wipe(conn: &mut DbConn) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    diesel::delete(subscription_serial_number_history::table).execute(conn)?;
    diesel::delete(subscription_email_addresses::table).execute(conn)?;
    diesel::delete(subscription_attributes::table).execute(conn)?;
    diesel::delete(subscription_services::table).execute(conn)?;
    Ok(())
    })
}
