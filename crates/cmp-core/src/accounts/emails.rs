//! Account e-mail addresses: three slots (Primary, Billing, Notification); slot 1 shows
//! the customer's contact e-mail until it is written.

use cmp_model::messages::{
    AccountEmailAddress, AccountEmailType, GetAccountEmailAddressesRequest,
    GetAccountEmailAddressesResponse, UpdateAccountEmailAddressRequest,
    UpdateAccountEmailAddressResponse,
};
use cmp_store::repo::payments::{self as repo, AccountEmail};
use cmp_store::repo::{customers, Account};
use cmp_store::DbConn;

use super::account;
use crate::email_slots::{stored_type, written_type};
use crate::error::OpError;
use crate::{Context, OpResult};

/// The account's addresses: the slots written, and slot 1 (Primary) as the customer's
/// contact e-mail while it has not been written.
pub(crate) fn email_addresses(
    c: &mut DbConn,
    a: &Account,
) -> Result<Vec<AccountEmailAddress>, OpError> {
    let rows = repo::emails_of(c, a.account_number)?;
    let mut out: Vec<AccountEmailAddress> = rows
        .iter()
        .map(|r| AccountEmailAddress {
            email_id: r.email_id as i64,
            r#type: stored_type(&r.email_type, r.email_id as i64),
            address: r.address.clone(),
        })
        .collect();
    if !rows.iter().any(|r| r.email_id == 1) {
        if let Some(email) = customers::get(c, a.customer_number)?.and_then(|cu| cu.email) {
            out.insert(
                0,
                AccountEmailAddress {
                    email_id: 1,
                    r#type: AccountEmailType::Primary,
                    address: email,
                },
            );
        }
    }
    Ok(out)
}

pub fn get_account_email_addresses(
    ctx: &Context,
    req: GetAccountEmailAddressesRequest,
) -> OpResult<GetAccountEmailAddressesResponse> {
    let list = ctx.read(|c| {
        let a = account(
            c,
            req.account_number,
            GetAccountEmailAddressesRequest::path().account_number(),
        )?;
        email_addresses(c, &a)
    })?;
    Ok(GetAccountEmailAddressesResponse {
        external_reference: req.external_reference,
        email_address: list,
    })
}

pub fn update_account_email_address(
    ctx: &Context,
    req: UpdateAccountEmailAddressRequest,
) -> OpResult<UpdateAccountEmailAddressResponse> {
    let path = UpdateAccountEmailAddressRequest::path;
    let now = ctx.now();
    let answer = ctx.write(|c| {
        let a = account(c, req.account_number, path().account_number())?;
        let stored = repo::emails_of(c, a.account_number)?;
        let ty = written_type(
            req.r#type,
            stored
                .iter()
                .map(|r| (r.email_id as i64, r.email_type.as_str())),
            req.email_id,
        );
        repo::put_email(
            c,
            &AccountEmail {
                account_number: a.account_number,
                email_id: req.email_id as i32,
                email_type: ty.as_str().to_string(),
                address: req.address.clone(),
                last_amended_at: now,
            },
        )?;
        ctx.audit(c, "account", a.account_number)?;
        Ok(AccountEmailAddress {
            email_id: req.email_id,
            r#type: ty,
            address: req.address.clone(),
        })
    })?;
    Ok(UpdateAccountEmailAddressResponse {
        external_reference: req.external_reference,
        email_address: answer,
    })
}
