//! Accounts (owned by a customer, optionally under a corporate or a group).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::accounts;
use crate::FirstRow;
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
    crate::on_backend!(conn => {
    let row = Account {
        created_at: db_time(row.created_at),
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    diesel::insert_into(accounts::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

pub fn get(conn: &mut DbConn, account_number: i64) -> Result<Option<Account>, StoreError> {
    crate::on_backend!(conn => {
    Ok(accounts::table
        .find(account_number)
        .select(Account::as_select())
        .first_row(conn)
        .optional()?)
    })
}

pub fn exists(conn: &mut DbConn, account_number: i64) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    Ok(
        diesel::select(diesel::dsl::exists(accounts::table.find(account_number)))
            .get_result(conn)?,
    )
    })
}

/// The customer's accounts, ordered by number.
pub fn list_for_customer(
    conn: &mut DbConn,
    customer_number: i64,
) -> Result<Vec<Account>, StoreError> {
    crate::on_backend!(conn => {
    Ok(accounts::table
        .filter(accounts::customer_number.eq(customer_number))
        .order(accounts::account_number)
        .select(Account::as_select())
        .load(conn)?)
    })
}

/// The 7.3.8 account fields (account.xsd AccountType, UpdateAccountDetails).
#[derive(Clone, Debug, Default, PartialEq, Eq, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = accounts)]
pub struct AccountDetails {
    pub company_number: Option<String>,
    pub payment_type: Option<String>,
    pub payment_term: Option<String>,
    pub credit_limit: Option<i64>,
    pub account_usage: Option<String>,
    pub email_address: Option<String>,
    pub for_attn_of_name: Option<String>,
    pub account_contact_name: Option<String>,
}

pub fn details(
    conn: &mut DbConn,
    account_number: i64,
) -> Result<Option<AccountDetails>, StoreError> {
    crate::on_backend!(conn => {
    Ok(accounts::table
        .find(account_number)
        .select(AccountDetails::as_select())
        .first_row(conn)
        .optional()?)
    })
}

/// The fields an update may change; `None` keeps the stored value. The parents are
/// replaced together (an account hangs under a corporate or a group).
#[derive(Clone, Debug, Default)]
pub struct AccountChanges {
    pub account_name: Option<String>,
    pub currency: Option<String>,
    /// `Some((corporate, group))`: the new parents.
    pub parents: Option<(Option<String>, Option<String>)>,
    pub details: AccountDetails,
}

impl AccountChanges {
    /// Whether applying these changes would change a field.
    pub fn changes_something(&self) -> bool {
        self.account_name.is_some()
            || self.currency.is_some()
            || self.parents.is_some()
            || self.details != AccountDetails::default()
    }
}

/// Applies `changes` and stamps `last_amended_at = stamp`, only while the row still
/// carries `expected` (when given).
pub fn update(
    conn: &mut DbConn,
    account_number: i64,
    ch: &AccountChanges,
    expected: Option<NaiveDateTime>,
    stamp: NaiveDateTime,
) -> Result<crate::repo::UpdateOutcome, StoreError> {
    use accounts::dsl as a;
    #[derive(AsChangeset)]
    #[diesel(table_name = accounts)]
    struct Basic<'a> {
        account_name: Option<&'a str>,
        currency: Option<&'a str>,
        last_amended_at: NaiveDateTime,
    }
    let basic = Basic {
        account_name: ch.account_name.as_deref(),
        currency: ch.currency.as_deref(),
        last_amended_at: db_time(stamp),
    };
    let target = || {
        let mut q = diesel::update(accounts::table)
            .filter(a::account_number.eq(account_number))
            .into_boxed();
        if let Some(e) = expected {
            q = q.filter(a::last_amended_at.eq(db_time(e)));
        }
        q
    };
    let n = match &ch.parents {
        Some((corporate, group)) => target()
            .set((
                basic,
                &ch.details,
                a::corporate_code.eq(corporate),
                a::group_code.eq(group),
            ))
            .execute(conn)?,
        None => target().set((basic, &ch.details)).execute(conn)?,
    };
    crate::repo::agreements::outcome(n, || exists(conn, account_number))
}
