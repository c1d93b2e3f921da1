//! ChangePricePlan and CancelPricePlanChange (SERVICES.md §4, release notes 3.7.1.3,
//! DOMAIN.md "Change price plan"). Each refusal is `PLAN_CHANGE_NOT_ALLOWED` with its
//! reason in the fault ([`refusal`]). Immediate: the plan and base package are swapped, the
//! target's retained bolt-ons kept, the other bolt-ons ended, its default bolt-ons (and
//! those asked for) bought; a plan with contract terms starts a new contract. A future
//! date: a pending scheduled action, applied by the scheduler ([`apply_scheduled`]) and
//! cancellable until then.

use chrono::{Months, NaiveDate, TimeDelta};
use cmp_model::messages::{
    CancelLifeCycleActionResponse, CancelPricePlanChangeRequest, CataloguePricePlan,
    ChangePricePlanRequest, ChangePricePlanResponse, LifeCycleStatus, PackageClassification,
    PackageCodes, PendingPricePlanChange, SubscriptionStatus, WorkflowLevel,
};
use cmp_model::{Code, Fault, FieldPath};
use cmp_store::repo::lifecycle::{self as life, NewContract};
use cmp_store::repo::scheduled_actions::{self as actions, ScheduledAction};
use cmp_store::repo::subscriptions::{self as subs, SubscriptionPackageRow};
use cmp_store::repo::{agreements as agreement_rows, counters};
use cmp_store::DbConn;

use super::details::{lock, not_in_the_past, refuse_disconnected};
use super::termination_fees::{contract_end, contract_of};
use crate::catalogue::eligibility::Asking;
use crate::catalogue::{package_groups_of, Snapshot};
use crate::error::OpError;
use crate::faults::{not_found, rule, stale, unknown};
use crate::scheduled::{self, Payload};
use crate::selfcare::workflow;
use crate::{agreements, Context, OpResult};

/// The workflow event of a plan change (reference data: Billing / Price plan change).
pub const PLAN_CHANGE_EVENT: (&str, &str) = ("BILL", "PPCH");

/// Payload keys of a scheduled plan change.
const PLAN: &str = "pricePlanCode";
const BOLT_ONS: &str = "boltOnPackages";

/// `PLAN_CHANGE_NOT_ALLOWED` on `at`, with the reason.
fn refusal(at: impl Into<FieldPath>, reason: impl Into<String>) -> Fault {
    rule(Code::PlanChangeNotAllowed, at, reason)
}

/// Every rule of release notes 3.7.1.3 and DOMAIN.md, in that order; the first that
/// refuses names its reason. `today` is the request's day, `on` the effective date.
/// Without a `target` (IsEligibleForUpgrade, a query that writes nothing) the rules on the
/// target plan (compatible, eligible) are skipped.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_rules(
    c: &mut DbConn,
    s: &Snapshot,
    sub: &subs::Subscription,
    target: Option<&CataloguePricePlan>,
    asking: &Asking,
    today: NaiveDate,
    on: NaiveDate,
) -> Result<(), OpError> {
    let path = ChangePricePlanRequest::path;
    if sub.status == SubscriptionStatus::Disconnected.as_str() {
        return Err(refusal(path().subscription_number(), "is disconnected").into());
    }
    let current = s.plan(&sub.price_plan_code);
    let agreement = agreement_rows::get(c, sub.agreement_number)?;
    let agreement_plan = current
        .filter(|p| p.agreement_plan == Some(true))
        .map(|p| p.code.clone())
        .or_else(|| agreement.as_ref().and_then(|a| a.price_plan_code.clone()));
    if let Some(plan) = agreement_plan {
        return Err(refusal(
            path().subscription_number(),
            format!("is part of agreement price plan {plan}"),
        )
        .into());
    }
    if let Some((day, due)) = agreements::pending_billing_cycle(c, sub.agreement_number)? {
        return Err(refusal(
            path().subscription_number(),
            format!(
                "is billed under agreement {}, which has a bill cycle change pending (to day {day} on {due}) and is not yet on its new bill cycle",
                sub.agreement_number
            ),
        )
        .into());
    }
    if let Some(target) = target {
        let compatible = current.is_some_and(|p| {
            p.compatible_plans
                .iter()
                .flat_map(|x| &x.plan_code)
                .any(|x| *x == target.code)
        });
        if !compatible {
            return Err(refusal(
                path().price_plan_code(),
                format!(
                    "is not compatible with the subscription's price plan {}",
                    sub.price_plan_code
                ),
            )
            .into());
        }
        if !asking.allows(
            target.effective_date,
            target.expiry_date,
            target.eligibility.as_ref(),
        ) {
            return Err(refusal(
                path().price_plan_code(),
                format!("is not eligible on {on} for this request"),
            )
            .into());
        }
    }
    let terms = current.and_then(|p| p.contract.as_ref());
    if let (Some((start, term)), Some(terms)) = (contract_of(sub), terms) {
        let end = contract_end(start, term);
        if start <= today && today < end {
            let early = terms.early_upgrade_months.unwrap_or(0).max(0) as u32;
            let early_end = end - Months::new(early);
            if on <= early_end {
                return Err(refusal(
                    path().effective_date(),
                    format!(
                        "is on or before the end of the early-upgrade period ({early_end}): the subscription is in contract until {end}"
                    ),
                )
                .into());
            }
            let notice = terms.notice_period_days.unwrap_or(0).max(0);
            let notice_end = today + TimeDelta::days(notice);
            if on < notice_end {
                return Err(refusal(
                    path().effective_date(),
                    format!(
                        "is before the notice period of {notice} days ends ({notice_end}): the subscription is in contract until {end}"
                    ),
                )
                .into());
            }
        }
    }
    if let Some((p, payload)) =
        scheduled::pending(c, actions::KIND_PRICE_PLAN_CHANGE, sub.subscription_number)?
    {
        return Err(refusal(
            path().subscription_number(),
            format!(
                "has a change to price plan {} pending on {}: cancel it first",
                payload.get(PLAN).unwrap_or("?"),
                p.due_date
            ),
        )
        .into());
    }
    Ok(())
}

pub fn change_price_plan(
    ctx: &Context,
    req: ChangePricePlanRequest,
) -> OpResult<ChangePricePlanResponse> {
    let path = ChangePricePlanRequest::path;
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let on = req.effective_date.unwrap_or(today);
    not_in_the_past(on, today, path().effective_date())?;
    let target = s
        .plan(&req.price_plan_code)
        .ok_or_else(|| unknown(path().price_plan_code()))?;
    let asked: Vec<String> = req
        .bolt_on_packages
        .iter()
        .flat_map(|b| &b.package_code)
        .cloned()
        .collect();
    for (i, code) in asked.iter().enumerate() {
        let offered = s
            .package(code)
            .filter(|p| p.package_classification == PackageClassification::BoltonPackage)
            .is_some_and(|p| offered_on(target, p));
        if s.package(code).is_none() {
            return Err(unknown(path().bolt_on_packages().package_code().nth(i)));
        }
        if !offered {
            return Err(rule(
                Code::PackageNotCompatible,
                path().bolt_on_packages().package_code().nth(i),
                format!("is not a bolt-on offered on price plan {}", target.code),
            ));
        }
    }
    let asking = Asking::new(req.eligibility_rules.as_ref(), on);
    let n = req.subscription_number;
    let status = ctx.write(|c| {
        let stored = subs::get(c, n)?.ok_or_else(|| not_found(path().subscription_number()))?;
        if let Some(expected) = req.last_amended_date {
            if cmp_store::db_time(expected.naive_utc()) != stored.last_amended_at {
                return Err(stale("subscription").into());
            }
        }
        let sub = lock(ctx, c, n, path().subscription_number())?;
        check_rules(c, &s, &sub, Some(target), &asking, today, on)?;
        if on == today {
            apply_change(ctx, c, &s, &sub, target, on, &asked)?;
            return Ok(LifeCycleStatus::Applied);
        }
        let payload = Payload::default()
            .with(PLAN, &target.code)
            .with(BOLT_ONS, asked.join(","));
        scheduled::schedule(ctx, c, actions::KIND_PRICE_PLAN_CHANGE, n, on, &payload)?;
        ctx.audit(c, "subscription", n)?;
        Ok(LifeCycleStatus::Pending)
    })?;
    Ok(ChangePricePlanResponse {
        external_reference: req.external_reference,
        price_plan_code: target.code.clone(),
        effective_date: on,
        status,
    })
}

/// Whether bolt-on `p` is in a package group the plan offers.
fn offered_on(plan: &CataloguePricePlan, p: &cmp_model::messages::CataloguePackage) -> bool {
    let groups: Vec<&str> = package_groups_of(p).collect();
    plan.package_groups
        .iter()
        .flat_map(|g| &g.package_group_code)
        .any(|g| groups.contains(&g.as_str()))
}

fn codes(list: &Option<PackageCodes>) -> impl Iterator<Item = &String> {
    list.iter().flat_map(|l| &l.package_code)
}

/// Swaps the plan of `sub` (locked by the caller) on `on`, in the caller's transaction.
fn apply_change(
    ctx: &Context,
    c: &mut DbConn,
    s: &Snapshot,
    sub: &subs::Subscription,
    target: &CataloguePricePlan,
    on: NaiveDate,
    asked: &[String],
) -> Result<(), OpError> {
    let n = sub.subscription_number;
    let now = ctx.now();
    let retained: Vec<&String> = codes(&target.retained_packages).collect();
    // The old base and every bolt-on the target does not retain end on the day.
    let ended = life::end_packages(c, n, on, |p| {
        !p.is_base && retained.contains(&&p.package_code)
    })?;
    let base = SubscriptionPackageRow {
        purchase_identifier: counters::next(c, counters::PURCHASE)?,
        subscription_number: n,
        package_code: target.base_package_code.clone(),
        is_base: true,
        effective_date: on,
        expiry_date: None,
        created_at: now,
    };
    subs::insert_package(c, &base)?;
    let held: Vec<String> = subs::packages(c, n)?
        .into_iter()
        .filter(|p| !p.is_base && p.expiry_date.is_none_or(|e| e > on))
        .map(|p| p.package_code)
        .collect();
    let mut added = Vec::new();
    for code in codes(&target.default_packages).chain(asked) {
        if held.contains(code) || added.contains(code) {
            continue;
        }
        let Some(package) = s.package(code) else {
            continue;
        };
        let expiry = package
            .duration_in_months
            .filter(|m| *m > 0)
            .map(|m| on + Months::new(m as u32));
        let purchase = counters::next(c, counters::PURCHASE)?;
        subs::insert_package(
            c,
            &SubscriptionPackageRow {
                purchase_identifier: purchase,
                subscription_number: n,
                package_code: code.clone(),
                is_base: false,
                effective_date: on,
                expiry_date: expiry,
                created_at: now,
            },
        )?;
        added.push(code.clone());
    }
    let contract = target.contract.as_ref().map(|t| NewContract {
        start: on,
        term_months: t.term_months as i32,
        number: None,
    });
    if !life::change_plan(c, n, &target.code, contract.as_ref(), now)? {
        return Err(refusal(
            ChangePricePlanRequest::path().subscription_number(),
            "is disconnected",
        )
        .into());
    }
    ctx.audit(c, "subscription", n)?;
    workflow::record_system_event(
        ctx,
        c,
        (WorkflowLevel::Subscription, n.to_string()),
        PLAN_CHANGE_EVENT,
        None,
        format!(
            "Price plan changed from {} to {} on {on}; bolt-ons ended: {}; added: {}",
            sub.price_plan_code,
            target.code,
            ended.len().saturating_sub(1),
            if added.is_empty() {
                "none".to_string()
            } else {
                added.join(", ")
            }
        ),
    )?;
    Ok(())
}

/// The scheduled plan change, claimed by `scheduled::apply_due`: applied on its due date
/// as an immediate one would have been. The rules were checked when it was asked for;
/// a subscription disconnected since, or a plan gone from the catalogue, fails it.
pub(crate) fn apply_scheduled(
    ctx: &Context,
    c: &mut DbConn,
    action: &ScheduledAction,
    payload: &Payload,
) -> Result<(), OpError> {
    let path = ChangePricePlanRequest::path;
    let s = ctx.catalogue.current(ctx)?;
    let sub = lock(ctx, c, action.entity_number, path().subscription_number())?;
    refuse_disconnected(&sub, path().subscription_number())?;
    let target = payload
        .get(PLAN)
        .and_then(|p| s.plan(p))
        .ok_or_else(|| unknown(path().price_plan_code()))?;
    let asked = bolt_ons(payload);
    apply_change(ctx, c, &s, &sub, target, action.due_date, &asked)
}

/// The bolt-ons a scheduled change buys.
fn bolt_ons(payload: &Payload) -> Vec<String> {
    payload
        .get(BOLT_ONS)
        .unwrap_or("")
        .split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// The pending plan change of subscription `n`, as GetSubscription shows it.
pub(super) fn pending_change(
    c: &mut DbConn,
    n: i64,
) -> Result<Option<PendingPricePlanChange>, OpError> {
    Ok(
        scheduled::pending(c, actions::KIND_PRICE_PLAN_CHANGE, n)?.map(|(a, p)| {
            let bolt_ons = bolt_ons(&p);
            PendingPricePlanChange {
                price_plan_code: p.get(PLAN).unwrap_or_default().to_string(),
                effective_date: a.due_date,
                bolt_on_packages: (!bolt_ons.is_empty()).then_some(PackageCodes {
                    package_code: bolt_ons,
                }),
            }
        }),
    )
}

/// Only while a plan change is pending: withdraws it.
pub fn cancel_price_plan_change(
    ctx: &Context,
    req: CancelPricePlanChangeRequest,
) -> OpResult<CancelLifeCycleActionResponse> {
    let at = CancelPricePlanChangeRequest::path().subscription_number();
    let pending = (
        Code::NoPendingPlanChange,
        "has no price plan change pending",
    );
    super::lifecycle::cancel_pending(
        ctx,
        req.subscription_number,
        at,
        actions::KIND_PRICE_PLAN_CHANGE,
        pending,
    )?;
    Ok(CancelLifeCycleActionResponse {
        external_reference: req.external_reference,
        status: LifeCycleStatus::Cancelled,
    })
}
