//! Direct debits: at most one active per account; adding one makes the account pay by
//! direct debit, cancelling it sends the account back to Manual.

use cmp_model::messages::{
    AddDirectDebitDetailsRequest, AddDirectDebitDetailsResponse, BankPayment,
    CancelDirectDebitRequest, CancelDirectDebitResponse, DirectDebitAccount,
    DirectDebitSetupMethod, PaymentMethod,
};
use cmp_model::Code;
use cmp_store::repo::payments::{self as repo, DirectDebit};
use cmp_store::repo::{accounts, counters};

use super::{account, mask};
use crate::faults::rule;
use crate::{Context, OpResult};

/// Adds a direct debit to a Manual account, or replaces the existing one when the request
/// carries `cancellationDetails` for it (one transaction); a Card account is refused.
pub fn add_direct_debit_details(
    ctx: &Context,
    req: AddDirectDebitDetailsRequest,
) -> OpResult<AddDirectDebitDetailsResponse> {
    // The sort code and account number are digits by their schema types' patterns.
    let path = AddDirectDebitDetailsRequest::path;
    let now = ctx.now();
    let today = now.date();
    let row = ctx.write(|c| {
        let a = account(c, req.account_number, path().account_number())?;
        match a.payment_method.as_str() {
            accounts::PAYMENT_CARD => {
                return Err(rule(
                    Code::PaymentMethodCard,
                    path().account_number(),
                    "pays by card: cancel the card payment method first",
                )
                .into())
            }
            accounts::PAYMENT_DIRECT_DEBIT => {
                let Some(cancel) = &req.cancellation_details else {
                    return Err(rule(
                        Code::CancellationDetailsRequired,
                        path().cancellation_details(),
                        "are required: the account already has a direct debit",
                    )
                    .into());
                };
                repo::cancel_direct_debit(
                    c,
                    a.account_number,
                    cancel.cancellation_date.unwrap_or(today),
                    &cancel.reason_code,
                )?;
            }
            _ => {}
        }
        let row = DirectDebit {
            direct_debit_id: counters::next(c, repo::DIRECT_DEBIT_COUNTER)?,
            account_number: a.account_number,
            status: repo::STATUS_ACTIVE.to_string(),
            name_of_payer: req.name_of_payer.clone(),
            bank_sort_code: req.bank_sort_code.clone(),
            masked_account_number: mask(&req.bank_account_number),
            mandate_reference: req.mandate_reference.clone(),
            mandate_received_date: req.mandate_received_date,
            setup_method: req.direct_debit_setup_method_code.as_str().to_string(),
            created_at: now,
            cancelled_date: None,
            cancellation_reason: None,
        };
        repo::insert_direct_debit(c, &row)?;
        repo::set_payment_method(c, a.account_number, accounts::PAYMENT_DIRECT_DEBIT, now)?;
        ctx.audit(c, "account", a.account_number)?;
        Ok(row)
    })?;
    Ok(AddDirectDebitDetailsResponse {
        external_reference: req.external_reference,
        account: DirectDebitAccount {
            account_number: row.account_number,
            payment_method: PaymentMethod::DirectDebit,
            bank_payment: bank_payment(&row),
        },
    })
}

/// Cancels the account's direct debit: the account goes back to Manual.
pub fn cancel_direct_debit(
    ctx: &Context,
    req: CancelDirectDebitRequest,
) -> OpResult<CancelDirectDebitResponse> {
    let path = CancelDirectDebitRequest::path;
    let now = ctx.now();
    ctx.write(|c| {
        let a = account(c, req.account_number, path().account_number())?;
        if a.payment_method != accounts::PAYMENT_DIRECT_DEBIT
            || !repo::cancel_direct_debit(c, a.account_number, now.date(), &req.reason_code)?
        {
            return Err(rule(
                Code::NoDirectDebit,
                path().account_number(),
                "has no direct debit",
            )
            .into());
        }
        repo::set_payment_method(c, a.account_number, accounts::PAYMENT_MANUAL, now)?;
        ctx.audit(c, "account", a.account_number)?;
        Ok(())
    })?;
    Ok(CancelDirectDebitResponse {
        external_reference: req.external_reference,
        account_number: req.account_number,
        payment_method: PaymentMethod::Manual,
    })
}

/// A direct debit as answered: only the masked account number exists.
pub(crate) fn bank_payment(d: &DirectDebit) -> BankPayment {
    BankPayment {
        name_of_payer: d.name_of_payer.clone(),
        bank_sort_code: d.bank_sort_code.clone(),
        bank_account_number: d.masked_account_number.clone(),
        mandate_reference: d.mandate_reference.clone(),
        mandate_received_date: d.mandate_received_date,
        direct_debit_setup_method_code: DirectDebitSetupMethod::parse(&d.setup_method)
            .unwrap_or(DirectDebitSetupMethod::Paper),
    }
}
