//! Subscription services (SERVICES.md §4, release notes 3.7.1.2.1): a one-off or
//! recurring catalogue service added to a subscription on its own (AddSubscriptionService),
//! and the expiry of a recurring one (UpdateSubscriptionService). The services that come
//! with the subscription's packages are listed too, with their package's code and
//! purchase identifier; they end with the package and cannot be expired one by one.

use std::str::FromStr;

use chrono::NaiveDate;
use cmp_model::messages::{
    AddSubscriptionServiceRequest, AddSubscriptionServiceResponse, ChargeType, SubscriptionService,
    UpdateSubscriptionServiceRequest, UpdateSubscriptionServiceResponse,
};
use cmp_model::{Code, Decimal};
use cmp_store::repo::counters;
use cmp_store::repo::subscription_details::{self as repo, ServiceRow, SERVICE_INSTANCE_COUNTER};
use cmp_store::repo::subscriptions::{self as subs, SubscriptionPackageRow};
use cmp_store::DbConn;

use super::details::{lock, not_in_the_past, refuse_disconnected};
use crate::catalogue::Snapshot;
use crate::error::OpError;
use crate::faults::{invalid, not_found, rule, unknown};
use crate::{Context, OpResult};

/// Adds a catalogue service from `effectiveDate` (default today, not in the past) at the
/// catalogue price or the request's. `chargeType`, when given, must be the catalogue's;
/// a recurring service the subscription already has on that date (added, or in one of
/// its packages) is refused (`SERVICE_HELD`); one-off services may be added again.
pub fn add_subscription_service(
    ctx: &Context,
    req: AddSubscriptionServiceRequest,
) -> OpResult<AddSubscriptionServiceResponse> {
    let path = AddSubscriptionServiceRequest::path;
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let on = req.effective_date.unwrap_or(today);
    not_in_the_past(on, today, path().effective_date())?;
    let service = s
        .service(&req.service_code)
        .ok_or_else(|| unknown(path().service_code()))?;
    if req.charge_type.is_some_and(|t| t != service.charge_type) {
        return Err(rule(
            Code::ChargeTypeMismatch,
            path().charge_type(),
            format!(
                "is not the charge type of service {} ({})",
                service.code,
                service.charge_type.as_str()
            ),
        ));
    }
    let price = money(req.price.unwrap_or(service.price));
    let now = ctx.now();
    let id = ctx.write(|c| {
        let sub = lock(
            ctx,
            c,
            req.subscription_number,
            path().subscription_number(),
        )?;
        refuse_disconnected(&sub, path().subscription_number())?;
        if service.charge_type == ChargeType::Recurring
            && holds_recurring(c, &s, sub.subscription_number, &service.code, on)?
        {
            return Err(rule(
                Code::ServiceHeld,
                path().service_code(),
                format!("is already a recurring service of the subscription on {on}"),
            )
            .into());
        }
        let id = counters::next(c, SERVICE_INSTANCE_COUNTER)?;
        repo::insert_service(
            c,
            &ServiceRow {
                service_instance_id: id,
                subscription_number: sub.subscription_number,
                service_code: service.code.clone(),
                charge_type: service.charge_type.as_str().to_string(),
                price: price.to_string(),
                effective_date: on,
                expiry_date: None,
                created_at: now,
            },
        )?;
        ctx.audit(c, "subscriptionService", id)?;
        Ok(id)
    })?;
    Ok(AddSubscriptionServiceResponse {
        external_reference: req.external_reference,
        service_instance_id: id,
    })
}

/// Expires a recurring service added on its own, from `expiryDate` (today or later, not
/// before the service starts). A package's purchase identifier is refused
/// (`SERVICE_IN_PACKAGE`: expire the package), a one-off service too (`NOT_RECURRING`).
pub fn update_subscription_service(
    ctx: &Context,
    req: UpdateSubscriptionServiceRequest,
) -> OpResult<UpdateSubscriptionServiceResponse> {
    let path = UpdateSubscriptionServiceRequest::path;
    let today = ctx.clock.today();
    not_in_the_past(req.expiry_date, today, path().expiry_date())?;
    ctx.write(|c| {
        let sub = lock(ctx, c, req.subscription_number, path().subscription_number())?;
        let Some(row) = repo::get_service(c, req.service_instance_id)?
            .filter(|r| r.subscription_number == sub.subscription_number)
        else {
            if let Some(p) = subs::get_package(c, req.service_instance_id)?
                .filter(|p| p.subscription_number == sub.subscription_number)
            {
                return Err(rule(
                    Code::ServiceInPackage,
                    path().service_instance_id(),
                    format!(
                        "is package {} (purchase {}): its services end with it, expire the package instead",
                        p.package_code, p.purchase_identifier
                    ),
                )
                .into());
            }
            return Err(not_found(path().service_instance_id()).into());
        };
        refuse_disconnected(&sub, path().subscription_number())?;
        if row.charge_type != repo::CHARGE_RECURRING {
            return Err(rule(
                Code::NotRecurring,
                path().service_instance_id(),
                "is a one-off service: only recurring services expire",
            )
            .into());
        }
        if row.expiry_date.is_some_and(|e| e <= today) {
            return Err(rule(
                Code::AlreadyExpired,
                path().service_instance_id(),
                "has already expired",
            )
            .into());
        }
        if req.expiry_date < row.effective_date {
            return Err(invalid(
                Code::DateNotAllowed,
                path().expiry_date(),
                format!("is before the service starts ({})", row.effective_date),
            )
            .into());
        }
        repo::expire_service(c, row.service_instance_id, req.expiry_date)?;
        ctx.audit(c, "subscriptionService", row.service_instance_id)?;
        Ok(())
    })?;
    Ok(UpdateSubscriptionServiceResponse {
        external_reference: req.external_reference,
        service_instance_id: req.service_instance_id,
        expiry_date: req.expiry_date,
    })
}

/// Ends every recurring service added to the subscription that is still running on
/// `date` (no expiry, or one after it) from `date`; one that has not started by then ends
/// on its first day. For an immediate disconnection: call it inside the disconnecting
/// transaction. Package services end with their packages, one-off services have nothing
/// to end. Returns the service instance ids it ended, in order.
pub fn end_recurring_services(
    c: &mut DbConn,
    subscription_number: i64,
    date: NaiveDate,
) -> Result<Vec<i64>, OpError> {
    let mut ended = Vec::new();
    for row in repo::services(c, subscription_number)? {
        let running = row.expiry_date.is_none_or(|e| e > date);
        if row.charge_type == repo::CHARGE_RECURRING && running {
            repo::expire_service(c, row.service_instance_id, date.max(row.effective_date))?;
            ended.push(row.service_instance_id);
        }
    }
    Ok(ended)
}

/// The services GetSubscription lists: those added on their own that have not ended by
/// `today` (one-off ones always), then those of the packages listed (`packages`: not
/// expired by `today`), in package order then the package's service order.
pub(super) fn listed(
    c: &mut DbConn,
    s: &Snapshot,
    subscription_number: i64,
    packages: &[SubscriptionPackageRow],
    today: NaiveDate,
) -> Result<Vec<SubscriptionService>, OpError> {
    let mut out: Vec<SubscriptionService> = repo::services(c, subscription_number)?
        .into_iter()
        .filter(|r| r.expiry_date.is_none_or(|e| e > today))
        .map(|r| SubscriptionService {
            description: s.service(&r.service_code).map(|x| x.description.clone()),
            charge_type: ChargeType::parse(&r.charge_type).unwrap_or(ChargeType::Recurring),
            price: Decimal::from_str(&r.price).unwrap_or_default(),
            service_instance_id: Some(r.service_instance_id),
            service_code: r.service_code,
            effective_date: r.effective_date,
            expiry_date: r.expiry_date,
            package_code: None,
            purchase_identifier: None,
        })
        .collect();
    for p in packages
        .iter()
        .filter(|p| p.expiry_date.is_none_or(|e| e > today))
    {
        let codes = s
            .package(&p.package_code)
            .and_then(|x| x.service_codes.as_ref())
            .map_or(&[][..], |x| &x.service_code[..]);
        for svc in codes.iter().filter_map(|code| s.service(code)) {
            out.push(SubscriptionService {
                service_instance_id: None,
                service_code: svc.code.clone(),
                description: Some(svc.description.clone()),
                charge_type: svc.charge_type,
                price: svc.price,
                effective_date: p.effective_date,
                expiry_date: p.expiry_date,
                package_code: Some(p.package_code.clone()),
                purchase_identifier: Some(p.purchase_identifier),
            });
        }
    }
    Ok(out)
}

/// Whether the subscription has recurring service `code` at some time from `on` on:
/// added on its own and not ended by then, or in a package it holds then or later.
fn holds_recurring(
    c: &mut DbConn,
    s: &Snapshot,
    subscription_number: i64,
    code: &str,
    on: NaiveDate,
) -> Result<bool, OpError> {
    let after = |expiry: Option<NaiveDate>| expiry.is_none_or(|e| e > on);
    let added = repo::services(c, subscription_number)?
        .into_iter()
        .any(|r| {
            r.service_code == code
                && r.charge_type == repo::CHARGE_RECURRING
                && after(r.expiry_date)
        });
    let in_package = subs::packages(c, subscription_number)?
        .iter()
        .filter(|p| after(p.expiry_date))
        .filter_map(|p| s.package(&p.package_code))
        .any(|p| {
            p.service_codes
                .as_ref()
                .is_some_and(|x| x.service_code.iter().any(|c| c == code))
        });
    Ok(added || in_package)
}

/// Money as stored and answered: two decimals.
fn money(d: Decimal) -> Decimal {
    let mut d = d.round_dp(2);
    d.rescale(2);
    d
}
