//! Accounts and payments: direct debit mandates, registered cards, account e-mail
//! addresses, and the account's payment method.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{
    account_email_addresses, accounts, direct_debits, registered_cards, subscription_serial_numbers,
};
use crate::FirstRow;
use crate::{db_time, DbConn, StoreError};

/// Counters seeded by the payments migration.
pub const CARD_COUNTER: &str = "registered_card"; // 70000001
pub const DIRECT_DEBIT_COUNTER: &str = "direct_debit"; // 80000001

/// `status` of a direct debit or a registered card.
pub const STATUS_ACTIVE: &str = "Active";
pub const STATUS_CANCELLED: &str = "Cancelled";

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = direct_debits)]
pub struct DirectDebit {
    pub direct_debit_id: i64,
    pub account_number: i64,
    pub status: String,
    pub name_of_payer: String,
    pub bank_sort_code: String,
    /// `****5678`: the full number is never stored.
    pub masked_account_number: String,
    pub mandate_reference: Option<String>,
    pub mandate_received_date: Option<NaiveDate>,
    pub setup_method: String,
    pub created_at: NaiveDateTime,
    pub cancelled_date: Option<NaiveDate>,
    pub cancellation_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = registered_cards)]
pub struct RegisteredCard {
    pub card_id: i64,
    pub account_number: i64,
    pub card_token: String,
    pub card_type: String,
    pub last_four_digits: String,
    pub expiry_month: i32,
    pub expiry_year: i32,
    pub cardholder_name: String,
    pub status: String,
    pub subscription_number: Option<i64>,
    pub is_payment_method: bool,
    pub registered_date: NaiveDate,
    pub cancelled_date: Option<NaiveDate>,
    pub cancellation_reason: Option<String>,
    pub last_amended_at: NaiveDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = account_email_addresses)]
pub struct AccountEmail {
    pub account_number: i64,
    pub email_id: i32,
    pub email_type: String,
    pub address: String,
    pub last_amended_at: NaiveDateTime,
}

/// Sets the account's payment method (`accounts::PAYMENT_*`) and stamps it amended.
pub fn set_payment_method(
    conn: &mut DbConn,
    account_number: i64,
    method: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let n = diesel::update(accounts::table.find(account_number))
        .set((
            accounts::payment_method.eq(method),
            accounts::last_amended_at.eq(db_time(now)),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

// ---- direct debits

pub fn active_direct_debit(
    conn: &mut DbConn,
    account_number: i64,
) -> Result<Option<DirectDebit>, StoreError> {
    Ok(direct_debits::table
        .filter(direct_debits::account_number.eq(account_number))
        .filter(direct_debits::status.eq(STATUS_ACTIVE))
        .select(DirectDebit::as_select())
        .first_row(conn)
        .optional()?)
}

pub fn insert_direct_debit(conn: &mut DbConn, row: &DirectDebit) -> Result<(), StoreError> {
    let row = DirectDebit {
        created_at: db_time(row.created_at),
        ..row.clone()
    };
    diesel::insert_into(direct_debits::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

/// Cancels the account's active direct debit; false when it has none.
pub fn cancel_direct_debit(
    conn: &mut DbConn,
    account_number: i64,
    date: NaiveDate,
    reason: &str,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        direct_debits::table
            .filter(direct_debits::account_number.eq(account_number))
            .filter(direct_debits::status.eq(STATUS_ACTIVE)),
    )
    .set((
        direct_debits::status.eq(STATUS_CANCELLED),
        direct_debits::cancelled_date.eq(Some(date)),
        direct_debits::cancellation_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

// ---- registered cards

pub fn insert_card(conn: &mut DbConn, row: &RegisteredCard) -> Result<(), StoreError> {
    let row = RegisteredCard {
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    diesel::insert_into(registered_cards::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

/// The account's cards, oldest first.
pub fn cards_of(conn: &mut DbConn, account_number: i64) -> Result<Vec<RegisteredCard>, StoreError> {
    Ok(registered_cards::table
        .filter(registered_cards::account_number.eq(account_number))
        .order(registered_cards::card_id)
        .select(RegisteredCard::as_select())
        .load(conn)?)
}

pub fn get_card(conn: &mut DbConn, card_id: i64) -> Result<Option<RegisteredCard>, StoreError> {
    Ok(registered_cards::table
        .find(card_id)
        .select(RegisteredCard::as_select())
        .first_row(conn)
        .optional()?)
}

/// The account's active card with this provider token.
pub fn active_card_by_token(
    conn: &mut DbConn,
    account_number: i64,
    token: &str,
) -> Result<Option<RegisteredCard>, StoreError> {
    Ok(registered_cards::table
        .filter(registered_cards::account_number.eq(account_number))
        .filter(registered_cards::card_token.eq(token))
        .filter(registered_cards::status.eq(STATUS_ACTIVE))
        .select(RegisteredCard::as_select())
        .first_row(conn)
        .optional()?)
}

pub fn link_card(
    conn: &mut DbConn,
    card_id: i64,
    subscription_number: i64,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(registered_cards::table.find(card_id))
        .set((
            registered_cards::subscription_number.eq(Some(subscription_number)),
            registered_cards::last_amended_at.eq(db_time(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Cancels an active card (it stops being a payment method); false when it was not active.
pub fn cancel_card(
    conn: &mut DbConn,
    card_id: i64,
    date: NaiveDate,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        registered_cards::table
            .find(card_id)
            .filter(registered_cards::status.eq(STATUS_ACTIVE)),
    )
    .set((
        registered_cards::status.eq(STATUS_CANCELLED),
        registered_cards::is_payment_method.eq(false),
        registered_cards::cancelled_date.eq(Some(date)),
        registered_cards::cancellation_reason.eq(reason),
        registered_cards::last_amended_at.eq(db_time(now)),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// No card of the account is its payment method any more.
pub fn clear_payment_card(conn: &mut DbConn, account_number: i64) -> Result<(), StoreError> {
    diesel::update(
        registered_cards::table
            .filter(registered_cards::account_number.eq(account_number))
            .filter(registered_cards::is_payment_method.eq(true)),
    )
    .set(registered_cards::is_payment_method.eq(false))
    .execute(conn)?;
    Ok(())
}

/// The subscription holding this network serial number (of any kind), if one does.
pub fn subscription_by_serial(conn: &mut DbConn, value: &str) -> Result<Option<i64>, StoreError> {
    Ok(subscription_serial_numbers::table
        .filter(subscription_serial_numbers::value.eq(value))
        .order(subscription_serial_numbers::subscription_number)
        .select(subscription_serial_numbers::subscription_number)
        .first_row(conn)
        .optional()?)
}

// ---- e-mail addresses

pub fn emails_of(conn: &mut DbConn, account_number: i64) -> Result<Vec<AccountEmail>, StoreError> {
    Ok(account_email_addresses::table
        .filter(account_email_addresses::account_number.eq(account_number))
        .order(account_email_addresses::email_id)
        .select(AccountEmail::as_select())
        .load(conn)?)
}

/// Writes one address slot (insert or replace).
pub fn put_email(conn: &mut DbConn, row: &AccountEmail) -> Result<(), StoreError> {
    let row = AccountEmail {
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    let n = diesel::update(account_email_addresses::table.find((row.account_number, row.email_id)))
        .set((
            account_email_addresses::email_type.eq(&row.email_type),
            account_email_addresses::address.eq(&row.address),
            account_email_addresses::last_amended_at.eq(row.last_amended_at),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(account_email_addresses::table)
            .values(&row)
            .execute(conn)?;
    }
    Ok(())
}
