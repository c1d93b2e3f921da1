//! SubscriptionPort (CMP 7.3.8), the life cycle: ActivateSubscription (its 7.3.8 form),
//! UpdateTariff, RevertLastUpgrade, IsEligibleForUpgrade and the QuerySubscription
//! datasets TERMINATION_FEE, UPGRADEELIGIBILITY and PENDING_TARIFF_CHANGE
//! (schemas/lifecycle738.xsd). Each runs the life-cycle operations of SERVICES.md §4
//! (`lifecycle`, `price_plan_change`, `termination_fees`) with their rules; their faults
//! name the 7.3.8 request's fields (`legacy::relabel`). 7.3.8 has no disconnection on
//! SubscriptionPort: DisconnectSubscription and CancelDisconnection stay REST and document
//! operations.

use chrono::{Months, NaiveDate, TimeDelta};
use cmp_model::messages::{
    ActivateSubscriptionRequest, ActivationContract, AsOfDate, CancelPricePlanChangeRequest,
    ChangePricePlanRequest, ClearableDate, FailureReasons, GetTerminationFeesRequest,
    IsEligibleForUpgradeRequest, IsEligibleForUpgradeResponse, LegacyActivateSubscriptionRequest,
    LegacyActivateSubscriptionResponse, LegacyTerminationFee, LifeCycleStatus, PackageCodes,
    PendingTariffChangeDataset, RevertLastUpgradeRequest, SubscriptionStatus, UpdateResponse,
    UpdateTariffRequest, UpdateTariffResponse, UpgradeEligible, WorkflowLevel,
};
use cmp_model::{Code, Fault, FieldPath};
use cmp_store::repo::selfcare;
use cmp_store::repo::subscriptions as subs;
use cmp_store::repo::{agreements as agreement_rows, subscriptions::Subscription as SubRow};

use super::legacy::relabel;
use super::price_plan_change::{self, PLAN_CHANGE_EVENT};
use super::termination_fees::{contract_end, contract_of, remaining_months};
use crate::catalogue::eligibility::Asking;
use crate::error::OpError;
use crate::faults::{invalid, not_found, unknown};
use crate::selfcare::workflow;
use crate::{agreements, Context, OpResult};

/// `from` → `to` pairs of `relabel`.
macro_rules! renames {
    ($($from:expr => $to:expr),* $(,)?) => {
        [$((FieldPath::from($from), FieldPath::from($to))),*]
    };
}

/// ActivateSubscription (7.3.8 form): as ActivateSubscription today, the contract from
/// `ActivateData`.
pub fn legacy_activate_subscription(
    ctx: &Context,
    req: LegacyActivateSubscriptionRequest,
) -> OpResult<LegacyActivateSubscriptionResponse> {
    let path = LegacyActivateSubscriptionRequest::path;
    let activate = ActivateSubscriptionRequest {
        external_reference: None,
        subscription_number: req.subscription_identifier,
        activation_date: None,
        contract: req.activate_data.as_ref().map(|d| ActivationContract {
            contract_number: d.contract_number.clone(),
            term_months: d.contract_term,
            start_date: d.contract_started_on,
        }),
        managed_serial_numbers: None,
        non_managed_serial_numbers: None,
    };
    let from = ActivateSubscriptionRequest::path;
    let map = renames![
        from().subscription_number() => path().subscription_identifier(),
        from().contract().contract_number() => path().activate_data().contract_number(),
        from().contract().term_months() => path().activate_data().contract_term(),
        from().contract().start_date() => path().activate_data().contract_started_on(),
        from().contract() => path().activate_data(),
        FieldPath::root("activateSubscription") => path(),
    ];
    let done = super::activate_subscription(ctx, activate).map_err(|f| relabel(f, &map))?;
    Ok(LegacyActivateSubscriptionResponse {
        external_reference: req.external_reference,
        event_number: done.event_number,
    })
}

/// The date an `AsOfDate` names for subscription `n`: the date, the next bill date of its
/// agreement (`OnBillCycle` true), else today.
fn as_of(ctx: &Context, n: i64, as_of: Option<&AsOfDate>, at: FieldPath) -> OpResult<NaiveDate> {
    let today = ctx.clock.today();
    match as_of {
        Some(AsOfDate::Date(d)) => Ok(*d),
        Some(AsOfDate::OnBillCycle(true)) => ctx.read(|c| {
            let sub = subs::get(c, n)?.ok_or_else(|| not_found(at))?;
            Ok(agreement_rows::get(c, sub.agreement_number)?
                .map_or(today, |a| agreements::next_invoice(&a, today)))
        }),
        _ => Ok(today),
    }
}

/// UpdateTariff: ChangePricePlan to `PricePlanCode` (or `TariffCode`) on the `AsOfDate`,
/// in one transaction with its workflow event: the one the change recorded (immediate) or
/// one recording the scheduled change (future).
pub fn update_tariff(ctx: &Context, req: UpdateTariffRequest) -> OpResult<UpdateTariffResponse> {
    let path = UpdateTariffRequest::path;
    let n = req.subscription_number;
    // Exactly one of them: the <oneOf> on UpdateTariffRequest, which the decoder checks
    // (a request built in code without either is refused the same way).
    let (code, code_path) = match (&req.price_plan_code, &req.tariff_code) {
        (Some(p), _) => (p.clone(), path().price_plan_code()),
        (None, Some(t)) => (t.clone(), path().tariff_code()),
        (None, None) => {
            return Err(invalid(
                Code::Mandatory,
                path().price_plan_code(),
                "is mandatory: give exactly one of pricePlanCode and tariffCode",
            ))
        }
    };
    if req.ignore_default_package == Some(true) {
        return Err(invalid(
            Code::NotSupported,
            path().ignore_default_package(),
            "true is not served: the new plan's default bolt-ons are always bought",
        ));
    }
    let s = ctx.catalogue.current(ctx)?;
    let target = s.plan(&code).ok_or_else(|| unknown(code_path.clone()))?;
    if let Some(package) = &req.package_code {
        if !package.eq_ignore_ascii_case(&target.base_package_code) {
            return Err(invalid(
                Code::NotPlanBasePackage,
                path().package_code(),
                format!(
                    "is not the base package of price plan {} ({})",
                    target.code, target.base_package_code
                ),
            ));
        }
    }
    let on = as_of(
        ctx,
        n,
        req.as_of_date.as_ref(),
        path().subscription_number(),
    )?;
    if let Some(contract) = &req.update_contract_and_sales {
        let at = || path().update_contract_and_sales();
        match &contract.contract_start_date {
            // The day of the change is the clock's or the asOfDate's: a state rule.
            Some(ClearableDate::Value(d)) if *d != on => {
                return Err(invalid(
                    Code::DateNotAllowed,
                    at().contract_start_date().value(),
                    format!("is not the day of the change ({on}): the new contract starts then"),
                ))
            }
            Some(ClearableDate::Clear(_)) => {
                return Err(invalid(
                    Code::NotSupported,
                    at().contract_start_date().clear(),
                    "is not served: the new plan's contract starts on the day of the change",
                ))
            }
            _ => {}
        }
        let term = target.contract.as_ref().map(|t| t.term_months);
        if let Some(given) = contract.term_of_contract {
            if term != Some(given) {
                return Err(invalid(
                    Code::NotPlanTerm,
                    at().term_of_contract(),
                    match term {
                        Some(t) => {
                            format!("is not the term of price plan {} ({t} months)", target.code)
                        }
                        None => format!("is given, and price plan {} has no contract", target.code),
                    },
                ));
            }
        }
    }
    let bolt_ons: Vec<String> = req
        .bolt_on_packages
        .iter()
        .flat_map(|b| &b.create_bolt_on_packages)
        .flat_map(|b| &b.package_code)
        .cloned()
        .collect();
    let change = ChangePricePlanRequest {
        external_reference: None,
        subscription_number: n,
        price_plan_code: target.code.clone(),
        effective_date: Some(on),
        bolt_on_packages: (!bolt_ons.is_empty()).then_some(PackageCodes {
            package_code: bolt_ons,
        }),
        eligibility_rules: req.eligibility_rules.clone(),
        last_amended_date: Some(req.last_amended_date),
    };
    let from = ChangePricePlanRequest::path;
    let map = renames![
        from().subscription_number() => path().subscription_number(),
        from().price_plan_code() => code_path,
        from().effective_date() => path().as_of_date(),
        from().bolt_on_packages().package_code()
            => path().bolt_on_packages().create_bolt_on_packages().package_code(),
        from().eligibility_rules() => path().eligibility_rules(),
        FieldPath::root("changePricePlan") => path(),
    ];
    let event_number = ctx.atomically(|ctx| {
        let done =
            price_plan_change::change_price_plan(ctx, change).map_err(|f| relabel(f, &map))?;
        let level = WorkflowLevel::Subscription;
        ctx.write(|c| match done.status {
            LifeCycleStatus::Pending => workflow::record_system_event(
                ctx,
                c,
                (level, n.to_string()),
                PLAN_CHANGE_EVENT,
                None,
                format!(
                    "Price plan change to {} scheduled for {on}",
                    done.price_plan_code
                ),
            ),
            _ => {
                let events = selfcare::workflows(
                    c,
                    &[level.as_str()],
                    Some(&n.to_string()),
                    None,
                    i64::MAX,
                )?;
                Ok(events
                    .iter()
                    .rev()
                    .find(|e| {
                        (e.event_type_code.as_str(), e.event_code.as_str()) == PLAN_CHANGE_EVENT
                    })
                    .map_or(0, |e| e.event_number))
            }
        })
    })?;
    Ok(UpdateTariffResponse {
        external_reference: req.external_reference,
        event_number,
        package_code: Some(target.base_package_code.clone()),
    })
}

/// RevertLastUpgrade: CancelPricePlanChange. With no change pending it refuses: a change
/// already applied is not reverted (docs/decisions.md, "RevertLastUpgrade").
pub fn revert_last_upgrade(
    ctx: &Context,
    req: RevertLastUpgradeRequest,
) -> OpResult<UpdateResponse> {
    let path = RevertLastUpgradeRequest::path;
    let cancel = CancelPricePlanChangeRequest {
        external_reference: None,
        subscription_number: req.subscription_number,
    };
    let map = renames![
        CancelPricePlanChangeRequest::path().subscription_number() => path().subscription_number(),
        FieldPath::root("cancelPricePlanChange") => path(),
    ];
    price_plan_change::cancel_price_plan_change(ctx, cancel).map_err(|f| {
        let mut f = relabel(f, &map);
        for e in f
            .errors
            .iter_mut()
            .filter(|e| e.message_id == Code::NoPendingPlanChange)
        {
            e.phrase = "has no price plan change pending; a change already applied is not reverted (change the plan again with UpdateTariff)".into();
        }
        f
    })?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}

/// What IsEligibleForUpgrade and the UPGRADEELIGIBILITY dataset answer.
struct Eligibility {
    /// The rule that refuses, as `CODE: the thing refused, reason`.
    refusal: Option<String>,
    /// In contract: the first day past the early-upgrade and notice periods.
    possible: Option<NaiveDate>,
    remaining_months: u32,
    sub: SubRow,
}

/// The rules of ChangePricePlan that do not depend on the target plan, on `on`; reads only.
fn eligibility(ctx: &Context, n: i64, on: NaiveDate, at: FieldPath) -> OpResult<Eligibility> {
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    ctx.read(|c| {
        let sub = subs::get(c, n)?.ok_or_else(|| not_found(at))?;
        let asking = Asking::new(None, on);
        let refusal = match price_plan_change::check_rules(c, &s, &sub, None, &asking, today, on) {
            Ok(()) => None,
            Err(OpError::Fault(f)) => Some(reason(&f)),
            Err(e) => return Err(e),
        };
        let terms = s
            .plan(&sub.price_plan_code)
            .and_then(|p| p.contract.clone());
        let (possible, remaining_months) = match contract_of(&sub) {
            Some((start, term)) => {
                let end = contract_end(start, term);
                let possible = terms.filter(|_| start <= today && today < end).map(|t| {
                    let early_end =
                        end - Months::new(t.early_upgrade_months.unwrap_or(0).max(0) as u32);
                    let notice_end =
                        today + TimeDelta::days(t.notice_period_days.unwrap_or(0).max(0));
                    (early_end + TimeDelta::days(1)).max(notice_end)
                });
                (possible, remaining_months(on, end))
            }
            None => (None, 0),
        };
        Ok(Eligibility {
            refusal,
            possible,
            remaining_months,
            sub,
        })
    })
}

/// A refusal as `CODE: the thing refused, reason` (the field the ChangePricePlan fault
/// names, in words, then its phrase).
fn reason(f: &Fault) -> String {
    match f.errors.first() {
        Some(e) => format!(
            "{}: the {} {}",
            e.message_id.as_str(),
            match e.path.last().map_or("", |s| &s.name) {
                "effectiveDate" => "upgrade date",
                _ => "subscription",
            },
            e.phrase
        ),
        None => format!("{}: {}", f.message_id.as_str(), f.message_text),
    }
}

fn failure_reasons(e: &Eligibility) -> Option<FailureReasons> {
    e.refusal.clone().map(|r| FailureReasons {
        reason_code: vec![r],
    })
}

/// IsEligibleForUpgrade: whether the subscription may change plan on `UpgradeDate`
/// (absent: today), and if not, why. Writes nothing.
pub fn is_eligible_for_upgrade(
    ctx: &Context,
    req: IsEligibleForUpgradeRequest,
) -> OpResult<IsEligibleForUpgradeResponse> {
    let path = IsEligibleForUpgradeRequest::path;
    let n = req.upgrade_eligibility.subscription_number;
    let today = ctx.clock.today();
    let on = req.upgrade_date.unwrap_or(today);
    if on < today {
        return Err(invalid(
            Code::DateNotAllowed,
            path().upgrade_date(),
            "is in the past",
        ));
    }
    let e = eligibility(
        ctx,
        n,
        on,
        path().upgrade_eligibility().subscription_number(),
    )?;
    let s = ctx.catalogue.current(ctx)?;
    Ok(IsEligibleForUpgradeResponse {
        external_reference: req.external_reference,
        eligible: e.refusal.is_none(),
        event_number: None,
        subscription_number: n,
        tariff_code: e.sub.price_plan_code.clone(),
        package_code: s
            .plan(&e.sub.price_plan_code)
            .map(|p| p.base_package_code.clone())
            .unwrap_or_default(),
        date_upgrade_possible: e.possible,
        remaining_contract_term: e.remaining_months as i64,
        failure_reasons: failure_reasons(&e),
    })
}

/// The life-cycle datasets of QuerySubscription.
pub(crate) struct LifeDatasets {
    pub termination_fee: Option<LegacyTerminationFee>,
    pub upgrade_eligibility: Option<UpgradeEligible>,
    pub pending_tariff_change: Option<PendingTariffChangeDataset>,
}

/// TERMINATION_FEE (GetTerminationFees today; none once disconnected), UPGRADEELIGIBILITY
/// (IsEligibleForUpgrade today) and PENDING_TARIFF_CHANGE (the pending plan change, if
/// any), each only when `wanted`.
pub(crate) fn query_datasets(
    ctx: &Context,
    n: i64,
    [fee, upgrade, pending]: [bool; 3],
    at: FieldPath,
) -> OpResult<LifeDatasets> {
    let today = ctx.clock.today();
    let status = ctx
        .read(|c| Ok(subs::get(c, n)?))?
        .ok_or_else(|| not_found(at.clone()))?
        .status;
    let termination_fee = if fee && status != SubscriptionStatus::Disconnected.as_str() {
        let fees = super::get_termination_fees(
            ctx,
            GetTerminationFeesRequest {
                external_reference: None,
                subscription_number: n,
                termination_date: Some(today),
            },
        )?;
        Some(LegacyTerminationFee {
            termination_fee: fees.total_amount,
        })
    } else {
        None
    };
    let upgrade_eligibility = if upgrade {
        let e = eligibility(ctx, n, today, at)?;
        Some(UpgradeEligible {
            eligible: e.refusal.is_none(),
            upgrade_possible_date: e.possible,
            remaining_contract_term: e.remaining_months as i64,
            reason_codes: failure_reasons(&e),
        })
    } else {
        None
    };
    let pending_tariff_change = if pending {
        let s = ctx.catalogue.current(ctx)?;
        ctx.read(|c| price_plan_change::pending_change(c, n))?
            .map(|p| PendingTariffChangeDataset {
                package_code: s
                    .plan(&p.price_plan_code)
                    .map(|x| x.base_package_code.clone()),
                price_plan_code: Some(p.price_plan_code.clone()),
                tariff_code: p.price_plan_code,
                effective_date: p.effective_date,
            })
    } else {
        None
    };
    Ok(LifeDatasets {
        termination_fee,
        upgrade_eligibility,
        pending_tariff_change,
    })
}
