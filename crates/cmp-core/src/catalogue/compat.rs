//! QueryCompatiblePlans and QueryCompatiblePackages (SERVICES.md §3,
//! source/query-compatible-packages.txt), read from the catalogue snapshot.

use std::collections::HashSet;

use chrono::NaiveDate;
use cmp_model::messages::{
    Allowance, AllowanceAnswer, Cardinality, CataloguePackage, CataloguePricePlan,
    CompatiblePackageGroup, CompatiblePricePlan, DiscountType, EligibilityRules, Package,
    PackageClassification, PackageCodes, PackageDiscountScheme, PackageDiscountSchemes,
    PackageList, PackageService, PackageServices, PackageStatus, QueryCompatiblePackagesRequest,
    QueryCompatiblePackagesResponse, QueryCompatiblePlansRequest, QueryCompatiblePlansResponse,
    StatusContainer,
};
use cmp_model::{Code, Decimal, FieldPath};
use cmp_store::repo::{agreements, subscriptions};

use super::eligibility::Asking;
use super::Snapshot;
use crate::faults::{invalid, not_found};
use crate::{Context, OpResult};

/// A subscription as the compatibility rules see it, on the request's as-of date.
pub(crate) struct Held {
    pub plan: String,
    /// Package codes of the bolt-ons live on the as-of date.
    pub bolt_ons: HashSet<String>,
    /// The date the answer is for (see [`as_of`]).
    pub as_of: NaiveDate,
}

/// Loads a subscription's plan and its bolt-ons live on the as-of date (`NOT_FOUND` when
/// unknown).
pub(crate) fn held(
    ctx: &Context,
    path: FieldPath,
    number: i64,
    rules: Option<&EligibilityRules>,
) -> OpResult<Held> {
    let today = ctx.clock.today();
    ctx.read(|c| {
        let Some(sub) = subscriptions::get(c, number)? else {
            return Err(not_found(path).into());
        };
        let next_bill_date = agreements::get(c, sub.agreement_number)?
            .map_or(today, |a| crate::agreements::next_invoice(&a, today));
        let on = as_of(ctx, rules, Some(next_bill_date));
        let bolt_ons = subscriptions::active_packages(c, number, on)?
            .into_iter()
            .filter(|p| !p.is_base)
            .map(|p| p.package_code)
            .collect();
        Ok(Held {
            plan: sub.price_plan_code,
            bolt_ons,
            as_of: on,
        })
    })
}

/// The as-of date: the request's date, the next bill date (onBillCycle, in a subscription
/// context), else today.
fn as_of(
    ctx: &Context,
    rules: Option<&EligibilityRules>,
    next_bill: Option<NaiveDate>,
) -> NaiveDate {
    use cmp_model::messages::AsOfDate;
    match rules.and_then(|r| r.as_of_date.as_ref()) {
        Some(AsOfDate::Date(d)) => *d,
        Some(AsOfDate::OnBillCycle(true)) => next_bill.unwrap_or_else(|| ctx.clock.today()),
        _ => ctx.clock.today(),
    }
}

/// The as-of date of a query: the subscription's, or the request's alone.
fn date_of(ctx: &Context, rules: Option<&EligibilityRules>, held: Option<&Held>) -> NaiveDate {
    held.map_or_else(|| as_of(ctx, rules, None), |h| h.as_of)
}

/// A catalogue package as the answers show it: price = the sum of its services' prices;
/// discountedPriceAtStart only when a discount starting at once applies to a service of
/// the same package.
pub(crate) fn package_answer(
    s: &Snapshot,
    p: &CataloguePackage,
    status: Option<PackageStatus>,
) -> Package {
    let services: Vec<_> = p
        .service_codes
        .iter()
        .flat_map(|c| &c.service_code)
        .filter_map(|c| s.service(c))
        .collect();
    let discounts: Vec<_> = p
        .discount_scheme_codes
        .iter()
        .flat_map(|c| &c.discount_scheme_code)
        .filter_map(|c| s.discount(c))
        .collect();
    let price: Decimal = services.iter().map(|x| x.price).sum();
    let mut discounted = price;
    let mut any = false;
    for d in discounts.iter().filter(|d| d.months_to_start == 0) {
        let Some(target) = d
            .applies_to_service_code
            .as_ref()
            .and_then(|c| services.iter().find(|x| &x.code == c))
        else {
            continue;
        };
        let off = match d.discount_type {
            DiscountType::Percentage => target.price * d.value / Decimal::from(100),
            DiscountType::Amount => d.value.min(target.price),
        };
        discounted -= off;
        any = true;
    }
    let money = |d: Decimal| d.round_dp(2).max(Decimal::ZERO);
    let with_scale = |d: Decimal| {
        let mut d = money(d);
        d.rescale(2);
        d
    };
    Package {
        code: p.code.clone(),
        package_classification: p.package_classification,
        description: p.description.clone(),
        long_description: p.long_description.clone(),
        tool_tip_text: p.tool_tip_text.clone(),
        duration_in_months: p.duration_in_months,
        effective_date: p.effective_date,
        expiry_date: p.expiry_date,
        price: (!services.is_empty()).then(|| with_scale(price)),
        discounted_price_at_start: any.then(|| with_scale(discounted)),
        primary_package_group_code: p.primary_package_group_code.clone(),
        attributes: p.attributes.clone(),
        subscription_package_status: status.map(|status| StatusContainer { status }),
        services: (!services.is_empty()).then(|| PackageServices {
            service: services
                .iter()
                .map(|x| PackageService {
                    code: x.code.clone(),
                    description: x.description.clone(),
                    charge_type: x.charge_type,
                    price: with_scale(x.price),
                    allowance: x.allowance.as_ref().map(|a| AllowanceAnswer {
                        unit: a.unit,
                        amount: match a.quantity {
                            Allowance::Amount(n) => Some(n),
                            Allowance::Unlimited(_) => None,
                        },
                        unlimited: matches!(a.quantity, Allowance::Unlimited(true)).then_some(true),
                    }),
                })
                .collect(),
        }),
        discount_schemes: (!discounts.is_empty()).then(|| PackageDiscountSchemes {
            discount_scheme: discounts
                .iter()
                .map(|d| PackageDiscountScheme {
                    code: d.code.clone(),
                    description: d.description.clone(),
                    discount_type: d.discount_type,
                    value: d.value,
                    applies_to_service_code: d.applies_to_service_code.clone(),
                    months_to_start: d.months_to_start,
                    duration_in_months: d.duration_in_months,
                })
                .collect(),
        }),
    }
}

fn codes(list: Vec<String>) -> Option<PackageCodes> {
    (!list.is_empty()).then_some(PackageCodes { package_code: list })
}

fn plan_answer(
    s: &Snapshot,
    p: &CataloguePricePlan,
    status: Option<PackageStatus>,
    held: Option<&Held>,
) -> CompatiblePricePlan {
    let base = s
        .package(&p.base_package_code)
        .map(|b| package_answer(s, b, None))
        .unwrap_or_else(|| Package {
            code: p.base_package_code.clone(),
            package_classification: cmp_model::messages::PackageClassification::BasePackage,
            description: p.description.clone(),
            long_description: None,
            tool_tip_text: None,
            duration_in_months: None,
            effective_date: p.effective_date,
            expiry_date: None,
            price: None,
            discounted_price_at_start: None,
            primary_package_group_code: None,
            attributes: None,
            subscription_package_status: None,
            services: None,
            discount_schemes: None,
        });
    // Moving to another plan: its default bolt-ons, and the current bolt-ons it keeps.
    let (defaults, retained) = match (status, held) {
        (Some(PackageStatus::Available), Some(h)) => {
            let defaults = p
                .default_packages
                .iter()
                .flat_map(|d| &d.package_code)
                .cloned()
                .collect();
            let keeps: Vec<&String> = p
                .retained_packages
                .iter()
                .flat_map(|r| &r.package_code)
                .collect();
            let mut retained: Vec<String> = h
                .bolt_ons
                .iter()
                .filter(|b| keeps.contains(b))
                .cloned()
                .collect();
            retained.sort();
            (codes(defaults), codes(retained))
        }
        _ => (None, None),
    };
    CompatiblePricePlan {
        code: p.code.clone(),
        description: p.description.clone(),
        long_description: p.long_description.clone(),
        tool_tip_text: p.tool_tip_text.clone(),
        effective_date: p.effective_date,
        expiry_date: p.expiry_date,
        price: {
            let mut d = p.price;
            d.rescale(2);
            d
        },
        contract_term_months: p.contract.as_ref().map(|c| c.term_months),
        attributes: p.attributes.clone(),
        subscription_plan_status: status.map(|status| StatusContainer { status }),
        base_package: base,
        default_packages: defaults,
        retained_packages: retained,
    }
}

/// For a subscription: its current plan (Active) and the compatible plans eligible on the
/// as-of date (Available). Without one: every eligible plan.
pub fn query_compatible_plans(
    ctx: &Context,
    req: QueryCompatiblePlansRequest,
) -> OpResult<QueryCompatiblePlansResponse> {
    let s = ctx.catalogue.current(ctx)?;
    let held = req
        .subscription_number
        .map(|n| {
            let at = QueryCompatiblePlansRequest::path().subscription_number();
            held(ctx, at, n, req.eligibility_rules.as_ref())
        })
        .transpose()?;
    let rules = req.eligibility_rules.as_ref();
    let asking = Asking::new(rules, date_of(ctx, rules, held.as_ref()));
    let eligible = |p: &&CataloguePricePlan| {
        asking.allows(p.effective_date, p.expiry_date, p.eligibility.as_ref())
    };
    let mut plans = Vec::new();
    match &held {
        Some(h) => {
            if let Some(current) = s.plan(&h.plan) {
                plans.push(plan_answer(
                    &s,
                    current,
                    Some(PackageStatus::Active),
                    Some(h),
                ));
                for code in current.compatible_plans.iter().flat_map(|c| &c.plan_code) {
                    if let Some(target) = s.plan(code).filter(eligible) {
                        plans.push(plan_answer(
                            &s,
                            target,
                            Some(PackageStatus::Available),
                            Some(h),
                        ));
                    }
                }
            }
        }
        None => plans.extend(
            s.plans()
                .iter()
                .filter(eligible)
                .map(|p| plan_answer(&s, p, None, None)),
        ),
    }
    Ok(QueryCompatiblePlansResponse {
        external_reference: req.external_reference,
        price_plan: plans,
    })
}

/// The package groups allowed on the plan (`planCode`, else the subscription's), each
/// with its bolt-ons eligible on the as-of date; in a subscription context each says
/// whether it is held (Active, listed even when no longer offered) or Available.
pub fn query_compatible_packages(
    ctx: &Context,
    req: QueryCompatiblePackagesRequest,
) -> OpResult<QueryCompatiblePackagesResponse> {
    let path = QueryCompatiblePackagesRequest::path;
    // planCode or subscriptionNumber: the <atLeastOne> on the request, which the decoder
    // checks (without either, the plan code below is empty and names no plan).
    let s = ctx.catalogue.current(ctx)?;
    let held = req
        .subscription_number
        .map(|n| {
            held(
                ctx,
                path().subscription_number(),
                n,
                req.eligibility_rules.as_ref(),
            )
        })
        .transpose()?;
    let plan_code = req
        .plan_code
        .clone()
        .or_else(|| held.as_ref().map(|h| h.plan.clone()))
        .unwrap_or_default();
    let Some(plan) = s.plan(&plan_code) else {
        let at = if req.plan_code.is_some() {
            path().plan_code()
        } else {
            path().subscription_number()
        };
        return Err(invalid(
            Code::UnknownReference,
            at,
            "names no price plan in the catalogue",
        ));
    };
    let rules = req.eligibility_rules.as_ref();
    let asking = Asking::new(rules, date_of(ctx, rules, held.as_ref()));
    let groups = plan
        .package_groups
        .iter()
        .flat_map(|g| &g.package_group_code)
        .filter_map(|code| s.group(code))
        .map(|g| {
            let packages: Vec<Package> = s
                .packages()
                .iter()
                // Only bolt-ons are offered through a group, whichever groups list them.
                .filter(|p| p.package_classification == PackageClassification::BoltonPackage)
                .filter(|p| super::package_groups_of(p).any(|c| c == g.code))
                .filter_map(|p| {
                    let is_held = held.as_ref().is_some_and(|h| h.bolt_ons.contains(&p.code));
                    let offered =
                        asking.allows(p.effective_date, p.expiry_date, p.eligibility.as_ref());
                    let status = held.as_ref().map(|_| {
                        if is_held {
                            PackageStatus::Active
                        } else {
                            PackageStatus::Available
                        }
                    });
                    (is_held || offered).then(|| package_answer(&s, p, status))
                })
                .collect();
            CompatiblePackageGroup {
                code: g.code.clone(),
                description: g.description.clone(),
                cardinality: Cardinality {
                    min: g.min,
                    max: g.max,
                    no_max: g.max.is_none().then_some(true),
                },
                packages: (!packages.is_empty()).then_some(PackageList { package: packages }),
            }
        })
        .collect();
    Ok(QueryCompatiblePackagesResponse {
        external_reference: req.external_reference,
        package_group: groups,
    })
}
