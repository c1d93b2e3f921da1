//! ServicesPort (CMP 7.3.8): CreateService, UpdateService and QuerySubscriptionServices
//! (schemas/services738.xsd), on the services of a subscription (AddSubscriptionService,
//! UpdateSubscriptionService). Only the SUBSCRIPTION customer level holds services.

use cmp_model::messages::{
    AddSubscriptionServiceRequest, ChargeType, CreateServiceRequest,
    QuerySubscriptionServicesRequest, QuerySubscriptionServicesResponse, ServiceCustomerLevel,
    StatusFilter, SubscriptionServiceBasic, SubscriptionServicesBasic, UpdateResponse,
    UpdateServiceRequest, UpdateSubscriptionServiceRequest,
};
use cmp_model::{Code, FieldPath};
use cmp_store::repo::subscription_details as repo;
use cmp_store::repo::subscriptions as subs;

use super::legacy::relabel;
use crate::faults::{invalid, not_found, rule, stale};
use crate::{Context, OpResult};

/// The subscription a service's customer level and reference name.
fn subscription_of(
    level: ServiceCustomerLevel,
    reference: &str,
    level_path: FieldPath,
    reference_path: FieldPath,
) -> OpResult<i64> {
    if level != ServiceCustomerLevel::Subscription {
        return Err(invalid(
            Code::NotSupported,
            level_path,
            format!(
                "{} is not served: only subscriptions hold services",
                level.as_str()
            ),
        ));
    }
    reference.parse::<i64>().map_err(|_| {
        invalid(
            Code::InvalidFormat,
            reference_path,
            "is not a subscription number",
        )
    })
}

/// CreateService: AddSubscriptionService from `effectiveDate` at `ServicePrice` (default
/// the catalogue's); with `expiryDate`, the service also ends that day, in the same
/// transaction.
pub fn create_service(ctx: &Context, req: CreateServiceRequest) -> OpResult<UpdateResponse> {
    let d = &req.service_data;
    let at = || CreateServiceRequest::path().service_data();
    let number = subscription_of(
        d.customer_level,
        &d.customer_level_reference,
        at().customer_level(),
        at().customer_level_reference(),
    )?;
    let add = AddSubscriptionServiceRequest {
        external_reference: None,
        subscription_number: number,
        service_code: d.service_code.clone(),
        charge_type: None,
        effective_date: Some(d.effective_date),
        price: d.service_price,
    };
    let from = AddSubscriptionServiceRequest::path;
    let map = [
        (
            from().subscription_number(),
            at().customer_level_reference(),
        ),
        (from().price(), at().service_price()),
        (FieldPath::root("addSubscriptionService"), at().into()),
    ];
    ctx.atomically(|ctx| {
        let id = super::add_subscription_service(ctx, add)
            .map_err(|f| relabel(f, &map))?
            .service_instance_id;
        if let Some(expiry) = d.expiry_date {
            let end = UpdateSubscriptionServiceRequest {
                external_reference: None,
                subscription_number: number,
                service_instance_id: id,
                expiry_date: expiry,
            };
            let map = [(
                FieldPath::root("updateSubscriptionService"),
                at().expiry_date(),
            )];
            super::update_subscription_service(ctx, end).map_err(|f| relabel(f, &map))?;
        }
        Ok(())
    })?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}

/// UpdateService: the service added with `ServiceCode` from `EffectiveDate` gets the new
/// `ServicePrice` and ends on `ExpiryDate` (UpdateSubscriptionService), in one transaction;
/// `LastAmendedDate` must be the subscription's (`STALE_DATA`).
pub fn update_service(ctx: &Context, req: UpdateServiceRequest) -> OpResult<UpdateResponse> {
    let path = UpdateServiceRequest::path;
    let number = subscription_of(
        req.customer_level,
        &req.customer_level_reference,
        path().customer_level(),
        path().customer_level_reference(),
    )?;
    let catalogue = ctx.catalogue.current(ctx)?;
    let in_package = |code: &str| {
        catalogue.package(code).is_some_and(|p| {
            p.service_codes
                .iter()
                .flat_map(|c| &c.service_code)
                .any(|c| *c == req.service_code)
        })
    };
    // The service added with that code on that day; a package's is SERVICE_IN_PACKAGE.
    let find = |c: &mut cmp_store::DbConn| -> Result<_, crate::OpError> {
        let sub =
            subs::get(c, number)?.ok_or_else(|| not_found(path().customer_level_reference()))?;
        let row = repo::services(c, number)?
            .into_iter()
            .filter(|r| r.service_code == req.service_code)
            .find(|r| r.effective_date == req.effective_date);
        if let Some(row) = row {
            return Ok((sub, row));
        }
        let packaged = subs::packages(c, number)?
            .iter()
            .any(|p| p.effective_date == req.effective_date && in_package(&p.package_code));
        Err(if packaged {
            rule(
                Code::ServiceInPackage,
                path().service_code(),
                "belongs to a package from that date: its services end with it, expire the package instead",
            )
        } else {
            not_found(path().service_code())
        }
        .into())
    };
    let Some(basic) = &req.update_service_basic else {
        ctx.read(|c| find(c).map(|_| ()))?;
        return Ok(UpdateResponse {
            external_reference: req.external_reference,
        });
    };
    let expected = cmp_store::db_time(basic.last_amended_date.naive_utc());
    ctx.atomically(|ctx| {
        let id = ctx.write(|c| {
            let (sub, row) = find(c)?;
            if sub.last_amended_at != expected {
                return Err(stale("subscription").into());
            }
            if let Some(mut price) = basic.service_price {
                price.rescale(2);
                let price = price.to_string();
                if price != row.price {
                    subs::touch(c, number, ctx.now())?;
                    repo::set_service_price(c, row.service_instance_id, &price)?;
                    ctx.audit(c, "subscriptionService", row.service_instance_id)?;
                }
            }
            Ok(row.service_instance_id)
        })?;
        if let Some(expiry) = basic.expiry_date {
            let end = UpdateSubscriptionServiceRequest {
                external_reference: None,
                subscription_number: number,
                service_instance_id: id,
                expiry_date: expiry,
            };
            let from = UpdateSubscriptionServiceRequest::path;
            let map = [
                (
                    from().expiry_date(),
                    path().update_service_basic().expiry_date(),
                ),
                (from().service_instance_id(), path().service_code()),
                (
                    FieldPath::root("updateSubscriptionService"),
                    FieldPath::root("updateService"),
                ),
            ];
            super::update_subscription_service(ctx, end).map_err(|f| relabel(f, &map))?;
        }
        Ok(())
    })?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}

/// QuerySubscriptionServices: the services GetSubscription lists (added ones, then those
/// of the packages held); `ACTIVE` keeps those in force today.
pub fn query_subscription_services(
    ctx: &Context,
    req: QuerySubscriptionServicesRequest,
) -> OpResult<QuerySubscriptionServicesResponse> {
    let today = ctx.clock.today();
    let got = super::get_subscription(
        ctx,
        cmp_model::messages::GetSubscriptionRequest {
            external_reference: None,
            subscription_number: req.subscription_number,
        },
    )
    .map_err(|f| {
        relabel(
            f,
            &[(
                FieldPath::root("getSubscription"),
                FieldPath::root("querySubscriptionServices"),
            )],
        )
    })?;
    let subscription_service = got
        .subscription
        .services
        .into_iter()
        .flat_map(|s| s.service)
        .filter(|s| {
            req.status_filter == StatusFilter::All
                || (s.effective_date <= today && s.expiry_date.is_none_or(|e| e > today))
        })
        .map(|s| SubscriptionServiceBasic {
            service_code: s.service_code,
            effective_date: s.effective_date,
            expiry_date: s.expiry_date,
            service_description: s.description,
            price: Some(s.price),
            package_code: s.package_code,
            recurring_charge: Some(s.charge_type == ChargeType::Recurring),
        })
        .collect();
    Ok(QuerySubscriptionServicesResponse {
        external_reference: req.external_reference,
        subscription_services: SubscriptionServicesBasic {
            subscription_service,
        },
        query_limit_exceeded: false,
    })
}
