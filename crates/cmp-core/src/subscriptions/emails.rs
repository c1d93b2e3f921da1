//! Subscription e-mail addresses (SERVICES.md §4, release notes 3.7.1.2.3): three slots
//! per subscription, as for an account (`crate::email_slots`); a subscription has no
//! address until a slot is written.

use cmp_model::messages::{
    AccountEmailAddress, GetSubscriptionEmailAddressesRequest,
    GetSubscriptionEmailAddressesResponse, UpdateSubscriptionEmailAddressRequest,
    UpdateSubscriptionEmailAddressResponse,
};
use cmp_store::repo::subscription_details::{self as repo, SubscriptionEmail};
use cmp_store::repo::subscriptions as subs;

use super::details::lock;
use crate::email_slots::{stored_type, written_type};
use crate::faults::not_found;
use crate::{Context, OpResult};

pub fn get_subscription_email_addresses(
    ctx: &Context,
    req: GetSubscriptionEmailAddressesRequest,
) -> OpResult<GetSubscriptionEmailAddressesResponse> {
    let path = GetSubscriptionEmailAddressesRequest::path;
    let rows = ctx.read(|c| {
        if !subs::exists(c, req.subscription_number)? {
            return Err(not_found(path().subscription_number()).into());
        }
        Ok(repo::emails(c, req.subscription_number)?)
    })?;
    Ok(GetSubscriptionEmailAddressesResponse {
        external_reference: req.external_reference,
        email_address: rows
            .into_iter()
            .map(|r| AccountEmailAddress {
                email_id: r.email_id as i64,
                r#type: stored_type(&r.email_type, r.email_id as i64),
                address: r.address,
            })
            .collect(),
    })
}

/// Writes (or first creates) slot `emailId`; its type is the one asked for, else the one
/// it has, else the slot's default.
pub fn update_subscription_email_address(
    ctx: &Context,
    req: UpdateSubscriptionEmailAddressRequest,
) -> OpResult<UpdateSubscriptionEmailAddressResponse> {
    let path = UpdateSubscriptionEmailAddressRequest::path;
    let now = ctx.now();
    let answer = ctx.write(|c| {
        let sub = lock(
            ctx,
            c,
            req.subscription_number,
            path().subscription_number(),
        )?;
        let n = sub.subscription_number;
        let stored = repo::emails(c, n)?;
        let ty = written_type(
            req.r#type,
            stored
                .iter()
                .map(|r| (r.email_id as i64, r.email_type.as_str())),
            req.email_id,
        );
        repo::put_email(
            c,
            &SubscriptionEmail {
                subscription_number: n,
                email_id: req.email_id as i32,
                email_type: ty.as_str().to_string(),
                address: req.address.clone(),
                last_amended_at: now,
            },
        )?;
        ctx.audit(c, "subscription", n)?;
        Ok(AccountEmailAddress {
            email_id: req.email_id,
            r#type: ty,
            address: req.address.clone(),
        })
    })?;
    Ok(UpdateSubscriptionEmailAddressResponse {
        external_reference: req.external_reference,
        email_address: answer,
    })
}
