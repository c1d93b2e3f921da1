//! Accounts (owned by a customer, optionally under a corporate or a group).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::accounts;
use crate::{db_time, DbConn, StoreError};

/// `accounts.payment_method` values (a CHECK constraint allows only these).
pub const PAYMENT_MANUAL: &str = "Manual";
pub const PAYMENT_DIRECT_DEBIT: &str = "DirectDebit";
pub const PAYMENT_CARD: &str = "Card";

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub account_number: i64,
    pub customer_number: i64,
    pub account_name: Option<String>,
    /// `Active` unless set otherwise.
    pub status: String,
    pub corporate_code: Option<String>,
    pub group_code: Option<String>,
    pub currency: String,
    /// One of `PAYMENT_MANUAL`, `PAYMENT_DIRECT_DEBIT`, `PAYMENT_CARD`.
    pub payment_method: String,
    pub created_at: NaiveDateTime,
    pub last_amended_at: NaiveDateTime,
}

pub type NewAccount = Account;

pub fn insert(conn: &mut DbConn, row: &Account) -> Result<(), StoreError> {
    let row = Account {
        created_at: db_time(row.created_at),
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    diesel::insert_into(accounts::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, account_number: i64) -> Result<Option<Account>, StoreError> {
    Ok(accounts::table
        .find(account_number)
        .select(Account::as_select())
        .first(conn)
        .optional()?)
}

pub fn exists(conn: &mut DbConn, account_number: i64) -> Result<bool, StoreError> {
    Ok(
        diesel::select(diesel::dsl::exists(accounts::table.find(account_number)))
            .get_result(conn)?,
    )
}

/// The customer's accounts, ordered by number.
pub fn list_for_customer(
    conn: &mut DbConn,
    customer_number: i64,
) -> Result<Vec<Account>, StoreError> {
    Ok(accounts::table
        .filter(accounts::customer_number.eq(customer_number))
        .order(accounts::account_number)
        .select(Account::as_select())
        .load(conn)?)
}
