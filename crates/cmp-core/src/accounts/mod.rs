//! Accounts and payments (SERVICES.md §5, DOMAIN.md "Accounts and payments"): what
//! GetAccount adds to an account, and the three aggregates an account holds: e-mail
//! addresses ([`emails`]), direct debits ([`direct_debits`]) and registered cards
//! ([`cards`]).
//!
//! Never kept nor answered nor logged: a full bank account number (only `****5678` is
//! stored) and a card number (only the provider's token and the last four digits; the
//! gateway refuses a 13–19 digit number anywhere in these operations' requests).

pub mod cards;
pub mod direct_debits;
pub mod emails;

use cmp_model::messages::{AccountEmailAddresses, BankPayment};
use cmp_model::FieldPath;
use cmp_store::repo::payments as repo;
use cmp_store::repo::{accounts, Account};
use cmp_store::DbConn;

use crate::error::OpError;
use crate::faults::not_found;

/// The account a request names at `path`, or `NOT_FOUND` there.
fn account(c: &mut DbConn, n: i64, path: impl Into<FieldPath>) -> Result<Account, OpError> {
    accounts::get(c, n)?.ok_or_else(|| not_found(path).into())
}

/// `****5678`: what is kept of a bank account number.
pub fn mask(number: &str) -> String {
    let last4: String = number
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****{last4}")
}

/// What GetAccount adds to an account: its direct debit (DirectDebit accounts) and its
/// e-mail addresses.
pub fn account_extras(
    c: &mut DbConn,
    a: &Account,
) -> Result<(Option<BankPayment>, Option<AccountEmailAddresses>), OpError> {
    let bank = if a.payment_method == accounts::PAYMENT_DIRECT_DEBIT {
        repo::active_direct_debit(c, a.account_number)?.map(|d| direct_debits::bank_payment(&d))
    } else {
        None
    };
    let emails = emails::email_addresses(c, a)?;
    let emails = (!emails.is_empty()).then_some(AccountEmailAddresses {
        email_address: emails,
    });
    Ok((bank, emails))
}
