//! Subscriptions (SERVICES.md §1) and their bolt-on packages (§4 AddSubscriptionPackage,
//! ExpireSubscriptionPackage; DOMAIN.md, Eligibility and compatibility).
//! The subscription's own data (§4: UpdateSubscription, services, attributes, e-mail
//! addresses, serial numbers) is in the modules below.
//! Usage, allowances and spend caps per bill period: [`allowances`], [`usage`],
//! [`spend_caps`]. The life cycle (activation, disconnection, termination fees, price
//! plan changes): [`lifecycle`], [`termination_fees`], [`price_plan_change`].

mod attributes;
mod details;
mod emails;
pub mod legacy;
pub mod legacy_lifecycle;
pub mod legacy_services;
pub mod lifecycle;
pub mod price_plan_change;
mod serials;
mod services;
pub mod termination_fees;

pub use attributes::{
    create_subscription_attribute, definition as attribute_definition,
    update_subscription_attribute,
};
pub use details::{details_in_use, hash_password, update_subscription};
pub use emails::{get_subscription_email_addresses, update_subscription_email_address};
pub use lifecycle::{activate_subscription, cancel_disconnection, disconnect_subscription};
pub use price_plan_change::{cancel_price_plan_change, change_price_plan};
pub use serials::{change_serial_numbers, get_subscription_serial_numbers};
pub use services::{add_subscription_service, end_recurring_services, update_subscription_service};
pub use termination_fees::get_termination_fees;

pub mod allowances;
pub mod spend_caps;
pub mod usage;

use chrono::{Months, NaiveDate};
use cmp_model::messages::{
    AddSubscriptionPackageRequest, AddSubscriptionPackageResponse, BasePackage, Contract,
    CreateSubscriptionRequest, CreateSubscriptionResponse, ExpireSubscriptionPackageRequest,
    ExpireSubscriptionPackageResponse, GetSubscriptionRequest, GetSubscriptionResponse,
    GetSubscriptionsRequest, GetSubscriptionsResponse, Identities, Identity, PackageClassification,
    Subscription, SubscriptionPackage, SubscriptionPackages, SubscriptionStatus, SubscriptionsMeta,
};
use cmp_model::Code;
use cmp_store::repo::subscriptions::{
    self as subs, IdentityRow, SerialNumberRow, SubscriptionFilter, SubscriptionPackageRow,
};
use cmp_store::repo::{accounts, counters};
use cmp_store::DbConn;

use crate::agreements;
use crate::catalogue::eligibility::Asking;
use crate::catalogue::{package_groups_of, Snapshot};
use crate::error::OpError;
use crate::faults::{invalid, not_found, rule, unknown};
use crate::{Context, OpResult};

const MANAGED: &str = "managed";
const NON_MANAGED: &str = "nonManaged";
/// Page size of GetSubscriptions when the request names none.
pub const DEFAULT_PAGE: i64 = 100;

/// A subscription on an account: on its plan's base package, under the given agreement or
/// the account's own (one is created at the account when it has none). `activate: false`
/// pre-creates it (`PreActive`, two-phase sign-up).
pub fn create_subscription(
    ctx: &Context,
    req: CreateSubscriptionRequest,
) -> OpResult<CreateSubscriptionResponse> {
    let path = CreateSubscriptionRequest::path;
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let plan = s
        .plan(&req.price_plan_code)
        .ok_or_else(|| unknown(path().price_plan_code()))?;
    let on_sale = Asking {
        date: today,
        ..Default::default()
    };
    if !on_sale.allows(plan.effective_date, plan.expiry_date, None) {
        return Err(rule(
            Code::PlanNotAvailable,
            path().price_plan_code(),
            "is not on sale today",
        ));
    }
    let active = req.activate != Some(false);
    let term = req
        .contract
        .as_ref()
        .and_then(|c| c.term_months)
        .or(plan.contract.as_ref().map(|c| c.term_months));
    let contract_start = term.map(|_| {
        req.contract
            .as_ref()
            .and_then(|c| c.start_date)
            .unwrap_or(today)
    });
    let now = ctx.now();
    let number = ctx.write(|c| {
        let Some(account) = accounts::get(c, req.account_number)? else {
            return Err(not_found(path().account_number()).into());
        };
        let agreement_number = match req.agreement_number {
            Some(n) => {
                if !agreements::for_account(c, &account)?
                    .iter()
                    .any(|a| a.agreement_number == n)
                {
                    return Err(rule(
                        Code::AgreementNotForAccount,
                        path().agreement_number(),
                        "is not an agreement of the account, its corporate or group",
                    )
                    .into());
                }
                n
            }
            None => match agreements::for_account(c, &account)?.first() {
                Some(a) => a.agreement_number,
                None => agreements::insert_default(ctx, c, account.account_number)?,
            },
        };
        for m in req
            .managed_serial_numbers
            .iter()
            .flat_map(|m| &m.managed_serial_number)
        {
            if subs::managed_serial_in_use(c, &m.network_serial_number, None)? {
                return Err(rule(
                    Code::SerialInUse,
                    path().managed_serial_numbers(),
                    "holds a serial number another subscription uses",
                )
                .into());
            }
        }
        let number = counters::next(c, counters::SUBSCRIPTION)?;
        subs::insert(
            c,
            &subs::Subscription {
                subscription_number: number,
                account_number: account.account_number,
                agreement_number,
                status: if active {
                    SubscriptionStatus::Active
                } else {
                    SubscriptionStatus::PreActive
                }
                .as_str()
                .to_string(),
                price_plan_code: plan.code.clone(),
                connected_date: active.then_some(today),
                disconnected_date: None,
                user_name: req.user_name.clone(),
                cost_centre: req.cost_centre.clone(),
                contract_start,
                contract_term_months: term.map(|t| t as i32),
                created_at: now,
                last_amended_at: now,
            },
        )?;
        let base = SubscriptionPackageRow {
            purchase_identifier: counters::next(c, counters::PURCHASE)?,
            subscription_number: number,
            package_code: plan.base_package_code.clone(),
            is_base: true,
            effective_date: today,
            expiry_date: None,
            created_at: now,
        };
        subs::insert_package(c, &base)?;
        for m in req
            .managed_serial_numbers
            .iter()
            .flat_map(|m| &m.managed_serial_number)
        {
            let row = SerialNumberRow {
                subscription_number: number,
                kind: MANAGED.into(),
                enumeration_id: m.enumeration_id as i32,
                value: m.network_serial_number.clone(),
            };
            subs::insert_serial(c, &row)?;
        }
        for m in req
            .non_managed_serial_numbers
            .iter()
            .flat_map(|m| &m.non_managed_serial_number)
        {
            let row = SerialNumberRow {
                subscription_number: number,
                kind: NON_MANAGED.into(),
                enumeration_id: m.enumeration_id as i32,
                value: m.value.clone(),
            };
            subs::insert_serial(c, &row)?;
        }
        for i in req.identities.iter().flat_map(|i| &i.identity) {
            let row = IdentityRow {
                subscription_number: number,
                identity_type: i.identity_type.clone(),
                identity_value: i.identity_value.clone(),
            };
            subs::insert_identity(c, &row)?;
        }
        ctx.audit(c, "subscription", number)?;
        Ok(number)
    })?;
    Ok(CreateSubscriptionResponse {
        external_reference: req.external_reference,
        subscription_number: number,
    })
}

/// A stored subscription as the wire shows it, with its base package details and its
/// current and future bolt-ons.
fn answer(
    c: &mut DbConn,
    s: &Snapshot,
    row: subs::Subscription,
    today: NaiveDate,
) -> Result<Subscription, OpError> {
    let packages = subs::packages(c, row.subscription_number)?;
    let serials = subs::serials(c, row.subscription_number)?;
    let identities = subs::identities(c, row.subscription_number)?;
    let base = packages
        .iter()
        .rev()
        .find(|p| p.is_base && p.expiry_date.is_none_or(|e| e > today))
        .map(|p| {
            let cat = s.package(&p.package_code);
            BasePackage {
                code: p.package_code.clone(),
                description: cat.map_or_else(|| p.package_code.clone(), |c| c.description.clone()),
                effective_date: p.effective_date,
                price: cat
                    .map(|c| crate::catalogue::compat::package_answer(s, c, None))
                    .and_then(|a| a.price),
            }
        });
    let bolt_ons: Vec<SubscriptionPackage> = packages
        .iter()
        .filter(|p| !p.is_base && p.expiry_date.is_none_or(|e| e > today))
        .map(|p| SubscriptionPackage {
            purchase_identifier: p.purchase_identifier,
            package_code: p.package_code.clone(),
            description: s.package(&p.package_code).map(|c| c.description.clone()),
            effective_date: p.effective_date,
            expiry_date: p.expiry_date,
        })
        .collect();
    let (managed, non_managed) = serials::serial_lists(
        serials
            .iter()
            .map(|x| (x.kind.as_str(), x.enumeration_id, x.value.as_str())),
    );
    let identities: Vec<Identity> = identities
        .into_iter()
        .map(|i| Identity {
            identity_type: i.identity_type,
            identity_value: i.identity_value,
        })
        .collect();
    let life = cmp_store::repo::lifecycle::life(c, row.subscription_number)?;
    let contract = match (row.contract_start, row.contract_term_months) {
        (Some(start), Some(term)) => Some(Contract {
            start_date: start,
            term_months: term as i64,
            end_date: termination_fees::contract_end(start, term as u32),
            contract_number: life.contract_number,
        }),
        _ => None,
    };
    let (pending_disconnection_date, pending_price_plan_change) =
        lifecycle::pending(c, row.subscription_number)?;
    let mut sub = Subscription {
        subscription_number: row.subscription_number,
        account_number: row.account_number,
        agreement_number: row.agreement_number,
        status: SubscriptionStatus::parse(&row.status).unwrap_or(SubscriptionStatus::Active),
        price_plan_code: row.price_plan_code,
        base_package: base,
        connected_date: row.connected_date,
        disconnected_date: row.disconnected_date,
        pending_disconnection_date,
        pending_price_plan_change,
        user_name: row.user_name,
        date_of_birth: None,
        gender: None,
        marital_status: None,
        cost_centre: row.cost_centre,
        managed_serial_numbers: managed,
        non_managed_serial_numbers: non_managed,
        identities: (!identities.is_empty()).then_some(Identities {
            identity: identities,
        }),
        contract,
        packages: (!bolt_ons.is_empty()).then_some(SubscriptionPackages { package: bolt_ons }),
        services: None,
        attributes: None,
        last_amended_date: row.last_amended_at.and_utc(),
    };
    details::fill(c, s, &mut sub, &packages, today)?;
    Ok(sub)
}

pub fn get_subscription(
    ctx: &Context,
    req: GetSubscriptionRequest,
) -> OpResult<GetSubscriptionResponse> {
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let subscription = ctx.read(|c| {
        let row = subs::get(c, req.subscription_number)?
            .ok_or_else(|| not_found(GetSubscriptionRequest::path().subscription_number()))?;
        answer(c, &s, row, today)
    })?;
    Ok(GetSubscriptionResponse {
        external_reference: req.external_reference,
        subscription,
    })
}

/// Filters combine with AND; `meta` counts this page (`recordCount`), its Active ones
/// (`activeRecordCount`) and every match (`totalCount`).
pub fn get_subscriptions(
    ctx: &Context,
    req: GetSubscriptionsRequest,
) -> OpResult<GetSubscriptionsResponse> {
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let filter = SubscriptionFilter {
        account_number: req.account_id,
        non_managed_serial_number: req.non_managed_serial_number.clone(),
        serial_number: req.serial_number.clone(),
        identity_type: req.identity_type.clone(),
        identity_value: req.identity_value.clone(),
        status: req.status.map(|x| x.as_str().to_string()),
    };
    let (offset, limit) = (req.offset.unwrap_or(0), req.limit.unwrap_or(DEFAULT_PAGE));
    let (subscription, total) = ctx.read(|c| {
        let (rows, total) = subs::list(c, &filter, offset, limit)?;
        let page = rows
            .into_iter()
            .map(|r| answer(c, &s, r, today))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((page, total))
    })?;
    let active = subscription
        .iter()
        .filter(|x| x.status == SubscriptionStatus::Active)
        .count() as i64;
    Ok(GetSubscriptionsResponse {
        external_reference: req.external_reference,
        meta: SubscriptionsMeta {
            record_count: subscription.len() as i64,
            active_record_count: active,
            total_count: total,
            offset,
            limit,
        },
        subscription,
    })
}

/// Buys a bolt-on: it must be a bolt-on of a group the plan allows, eligible on the
/// effective date for the request's channel, and the group's max must not be passed
/// (`CARDINALITY_EXCEEDED`, naming the group). Each purchase gets its own identifier.
pub fn add_subscription_package(
    ctx: &Context,
    req: AddSubscriptionPackageRequest,
) -> OpResult<AddSubscriptionPackageResponse> {
    let path = AddSubscriptionPackageRequest::path;
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let on = req.effective_date.unwrap_or(today);
    if on < today {
        return Err(invalid(
            Code::DateNotAllowed,
            path().effective_date(),
            "is in the past",
        ));
    }
    let package = s
        .package(&req.package_code)
        .filter(|p| p.package_classification == PackageClassification::BoltonPackage)
        .ok_or_else(|| unknown(path().package_code()))?;
    let groups: Vec<&str> = package_groups_of(package).collect();
    let now = ctx.now();
    let purchase = ctx.write(|c| {
        // Locks the subscription row: two purchases on one subscription take turns, so
        // the cardinality check below cannot be raced.
        if !subs::touch(c, req.subscription_number, now)? {
            return Err(not_found(path().subscription_number()).into());
        }
        let sub = subs::get(c, req.subscription_number)?
            .ok_or_else(|| not_found(path().subscription_number()))?;
        if sub.status == SubscriptionStatus::Disconnected.as_str() {
            return Err(rule(
                Code::SubscriptionDisconnected,
                path().subscription_number(),
                "is disconnected",
            )
            .into());
        }
        let plan = s.plan(&sub.price_plan_code);
        let allowed = plan.is_some_and(|p| {
            p.package_groups
                .iter()
                .flat_map(|g| &g.package_group_code)
                .any(|g| groups.contains(&g.as_str()))
        });
        if !allowed {
            return Err(rule(
                Code::PackageNotCompatible,
                path().package_code(),
                format!("is not offered on price plan {}", sub.price_plan_code),
            )
            .into());
        }
        let asking = Asking::new(req.eligibility_rules.as_ref(), on);
        if !asking.allows(
            package.effective_date,
            package.expiry_date,
            package.eligibility.as_ref(),
        ) {
            return Err(rule(
                Code::NotEligible,
                path().package_code(),
                format!("is not eligible on {on} for this request"),
            )
            .into());
        }
        let expiry = package
            .duration_in_months
            .filter(|m| *m > 0)
            .map(|m| on + Months::new(m as u32));
        let bolt_ons: Vec<_> = subs::packages(c, sub.subscription_number)?
            .into_iter()
            .filter(|p| !p.is_base)
            .collect();
        // The maximum of every group the package is in.
        for group in groups.iter().filter_map(|g| s.group(g)) {
            let held: Vec<_> = bolt_ons
                .iter()
                .filter(|p| in_group(s.as_ref(), &p.package_code, &group.code))
                .map(|p| (p.effective_date, p.expiry_date))
                .collect();
            let most = most_held_during(&held, on, expiry) as i64;
            if group.max.is_some_and(|max| most + 1 > max) {
                let why = group
                    .violation_text
                    .clone()
                    .unwrap_or_else(|| format!("at most {} may be held", group.max.unwrap_or(0)));
                return Err(rule(
                    Code::CardinalityExceeded,
                    path().package_code(),
                    format!(
                        "would pass the limit of package group {}: {why}",
                        group.code
                    ),
                )
                .into());
            }
        }
        let purchase = counters::next(c, counters::PURCHASE)?;
        subs::insert_package(
            c,
            &SubscriptionPackageRow {
                purchase_identifier: purchase,
                subscription_number: sub.subscription_number,
                package_code: package.code.clone(),
                is_base: false,
                effective_date: on,
                expiry_date: expiry,
                created_at: now,
            },
        )?;
        ctx.audit(c, "subscriptionPackage", purchase)?;
        Ok(purchase)
    })?;
    Ok(AddSubscriptionPackageResponse {
        external_reference: req.external_reference,
        purchase_identifier: purchase,
    })
}

/// Whether the catalogue's package `code` is in package group `group`.
fn in_group(s: &Snapshot, code: &str, group: &str) -> bool {
    s.package(code)
        .is_some_and(|p| package_groups_of(p).any(|g| g == group))
}

/// The most purchases of `held` (effective, expiry: valid from the first day up to, not
/// including, the second) live on any one day of `[from, until)`. A count only rises on a
/// purchase's first day, so the days to look at are `from` and those first days.
fn most_held_during(
    held: &[(NaiveDate, Option<NaiveDate>)],
    from: NaiveDate,
    until: Option<NaiveDate>,
) -> usize {
    let live_on = |day: NaiveDate| {
        held.iter()
            .filter(|(eff, exp)| *eff <= day && exp.is_none_or(|e| e > day))
            .count()
    };
    std::iter::once(from)
        .chain(
            held.iter()
                .map(|(eff, _)| *eff)
                .filter(|d| *d > from && until.is_none_or(|u| *d < u)),
        )
        .map(live_on)
        .max()
        .unwrap_or(0)
}

/// Ends a bolt-on (today, or on `expiryDate`); never the base package, and not below the
/// group's minimum.
pub fn expire_subscription_package(
    ctx: &Context,
    req: ExpireSubscriptionPackageRequest,
) -> OpResult<ExpireSubscriptionPackageResponse> {
    let path = ExpireSubscriptionPackageRequest::path;
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let expiry = req.expiry_date.unwrap_or(today);
    if expiry < today {
        return Err(invalid(
            Code::DateNotAllowed,
            path().expiry_date(),
            "is in the past",
        ));
    }
    let now = ctx.now();
    ctx.write(|c| {
        if !subs::touch(c, req.subscription_number, now)? {
            return Err(not_found(path().subscription_number()).into());
        }
        let p = subs::get_package(c, req.purchase_identifier)?
            .filter(|p| p.subscription_number == req.subscription_number)
            .ok_or_else(|| not_found(path().purchase_identifier()))?;
        if p.is_base {
            return Err(rule(
                Code::BasePackage,
                path().purchase_identifier(),
                "is the base package: change the price plan instead",
            )
            .into());
        }
        if p.expiry_date.is_some_and(|e| e <= today) {
            return Err(rule(
                Code::AlreadyExpired,
                path().purchase_identifier(),
                "has already expired",
            )
            .into());
        }
        let groups: Vec<&str> = s
            .package(&p.package_code)
            .map(|x| package_groups_of(x).collect())
            .unwrap_or_default();
        let live = subs::active_packages(c, p.subscription_number, today)?;
        // The minimum of every group the package is in.
        for group in groups
            .iter()
            .filter_map(|g| s.group(g))
            .filter(|g| g.min > 0)
        {
            let held = live
                .iter()
                .filter(|x| !x.is_base && in_group(s.as_ref(), &x.package_code, &group.code))
                .count() as i64;
            if held - 1 < group.min {
                return Err(rule(
                    Code::CardinalityMinimum,
                    path().purchase_identifier(),
                    format!(
                        "would leave package group {} below its minimum of {}",
                        group.code, group.min
                    ),
                )
                .into());
            }
        }
        subs::expire_package(c, p.purchase_identifier, expiry.max(p.effective_date))?;
        ctx.audit(c, "subscriptionPackage", p.purchase_identifier)?;
        Ok(())
    })?;
    Ok(ExpireSubscriptionPackageResponse {
        external_reference: req.external_reference,
        purchase_identifier: req.purchase_identifier,
        expiry_date: expiry,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).unwrap()
    }

    #[test]
    fn cardinality_counts_every_day_of_the_new_purchase() {
        // One bought today for a month; one dated next month, open-ended.
        let held = [(d(1, 1), Some(d(2, 1))), (d(3, 1), None)];
        // A purchase from today, open-ended, meets each on its own day: at most 1 at once.
        assert_eq!(most_held_during(&held, d(1, 1), None), 1);
        // Two overlapping from March on.
        let held = [(d(1, 1), None), (d(3, 1), None)];
        assert_eq!(most_held_during(&held, d(1, 1), None), 2);
        // ... but not for a purchase that ends before March.
        assert_eq!(most_held_during(&held, d(1, 1), Some(d(3, 1))), 1);
        // Nothing held.
        assert_eq!(most_held_during(&[], d(1, 1), None), 0);
        // A purchase starting after one has ended does not count it.
        assert_eq!(
            most_held_during(&[(d(1, 1), Some(d(1, 5)))], d(1, 5), None),
            0
        );
    }
}
