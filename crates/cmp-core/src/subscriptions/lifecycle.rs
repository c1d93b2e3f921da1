//! ActivateSubscription, DisconnectSubscription and CancelDisconnection (SERVICES.md §4,
//! DOMAIN.md "Subscription life cycle", release notes 3.7.1.1-3.7.1.2). PreActive →
//! Active → Disconnected; a future disconnection is a scheduled action
//! (`crate::scheduled`) that [`apply_disconnection`] carries out when it falls due.

use chrono::NaiveDate;
use cmp_model::messages::{
    ActivateSubscriptionRequest, ActivateSubscriptionResponse, CancelDisconnectionRequest,
    CancelLifeCycleActionResponse, DisconnectSubscriptionRequest, DisconnectSubscriptionResponse,
    LifeCycleStatus, SubscriptionStatus, WorkflowLevel,
};
use cmp_model::{Code, FieldPath};
use cmp_store::repo::lifecycle::{self as life, NewContract};
use cmp_store::repo::scheduled_actions::{self as actions, ScheduledAction};
use cmp_store::repo::subscriptions::{self as subs, SERIAL_MANAGED};
use cmp_store::DbConn;

use super::details::{lock, not_in_the_past, refuse_disconnected};
use super::services::end_recurring_services;
use super::termination_fees::{contract_of, fees_on};
use super::usage::money;
use super::{price_plan_change, serials};
use crate::catalogue::Snapshot;
use crate::error::OpError;
use crate::faults::{invalid, not_found, rule, unknown};
use crate::scheduled::{self, Payload};
use crate::selfcare::{outbox, workflow};
use crate::{Context, OpResult};

/// Workflow events (reference data: Provisioning / Activation, Disconnection; Billing /
/// Early termination fee).
pub const ACTIVATION_EVENT: (&str, &str) = ("PROV", "ACTV");
pub const DISCONNECTION_EVENT: (&str, &str) = ("PROV", "DISC");
pub const TERMINATION_FEE_EVENT: (&str, &str) = ("BILL", "TERM");
/// The outbox `kind` and channel of a request to the network.
pub const PROVISIONING: &str = "provisioning";
pub const NETWORK: &str = "Network";

/// Payload keys of a scheduled disconnection.
const REASON: &str = "reasonCode";
const SUPPRESS: &str = "suppressTerminationFees";

/// PreActive only: sets the connected date, starts the contract (the request's, else the
/// term it was created with, else its plan's), sets the serial numbers given, sends the
/// provisioning request to the network (outbox) and answers its workflow event.
pub fn activate_subscription(
    ctx: &Context,
    req: ActivateSubscriptionRequest,
) -> OpResult<ActivateSubscriptionResponse> {
    let path = ActivateSubscriptionRequest::path;
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let on = req.activation_date.unwrap_or(today);
    if on > today {
        return Err(invalid(
            Code::DateNotAllowed,
            path().activation_date(),
            "is in the future",
        ));
    }
    let wanted = serials::wanted(
        req.managed_serial_numbers.as_ref(),
        req.non_managed_serial_numbers.as_ref(),
        path().managed_serial_numbers(),
        path().non_managed_serial_numbers(),
    )?;
    let n = req.subscription_number;
    let event_number = ctx.write(|c| {
        let sub = lock(ctx, c, n, path().subscription_number())?;
        if sub.status != SubscriptionStatus::PreActive.as_str() {
            return Err(rule(
                Code::NotPreActive,
                path().subscription_number(),
                format!("is {}, not PreActive", sub.status),
            )
            .into());
        }
        if on < sub.created_at.date() {
            return Err(invalid(
                Code::DateNotAllowed,
                path().activation_date(),
                format!(
                    "is before the subscription was created ({})",
                    sub.created_at.date()
                ),
            )
            .into());
        }
        let asked = req.contract.as_ref();
        let term = asked
            .and_then(|x| x.term_months)
            .map(|t| t as i32)
            .or(sub.contract_term_months)
            .or_else(|| {
                s.plan(&sub.price_plan_code)
                    .and_then(|p| p.contract.as_ref())
                    .map(|x| x.term_months as i32)
            });
        let contract = term.map(|term_months| NewContract {
            start: asked.and_then(|x| x.start_date).unwrap_or(on),
            term_months,
            number: asked.and_then(|x| x.contract_number.clone()),
        });
        if !life::activate(c, n, on, contract.as_ref(), ctx.now())? {
            return Err(not_found(path().subscription_number()).into());
        }
        serials::set(ctx, c, &sub, &wanted)?;
        ctx.audit(c, "subscription", n)?;
        let sim = subs::serials(c, n)?
            .into_iter()
            .find(|x| x.kind == SERIAL_MANAGED)
            .map_or_else(|| n.to_string(), |x| x.value);
        let event = workflow::record_system_event(
            ctx,
            c,
            (WorkflowLevel::Subscription, n.to_string()),
            ACTIVATION_EVENT,
            None,
            format!(
                "Activation of subscription {n} on {on} (price plan {})",
                sub.price_plan_code
            ),
        )?;
        let text = format!(
            "ACTIVATE subscription={n} serial={sim} pricePlan={} date={on} event={event}",
            sub.price_plan_code
        );
        outbox::send(ctx, c, PROVISIONING, NETWORK, &sim, text)?;
        Ok(event)
    })?;
    Ok(ActivateSubscriptionResponse {
        external_reference: req.external_reference,
        subscription_number: n,
        event_number,
    })
}

/// Immediate (no date, or today): disconnects now. A later date: a pending disconnection
/// (one at a time), applied by the scheduler on that date. The answer's fee is the one
/// recorded now, or the one due on the date; 0.00 when suppressed.
pub fn disconnect_subscription(
    ctx: &Context,
    req: DisconnectSubscriptionRequest,
) -> OpResult<DisconnectSubscriptionResponse> {
    let path = DisconnectSubscriptionRequest::path;
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let on = req.disconnection_date.unwrap_or(today);
    not_in_the_past(on, today, path().disconnection_date())?;
    if let Some(reason) = &req.reason_code {
        if !workflow::is_reason_code(&s, reason) {
            return Err(unknown(path().reason_code()));
        }
    }
    let suppress = req.suppress_termination_fees == Some(true);
    let n = req.subscription_number;
    let (status, fee) = ctx.write(|c| {
        let sub = lock(ctx, c, n, path().subscription_number())?;
        refuse_disconnected(&sub, path().subscription_number())?;
        if on == today {
            let fee = disconnect_now(ctx, c, &s, &sub, on, req.reason_code.clone(), suppress)?;
            return Ok((LifeCycleStatus::Applied, fee));
        }
        if let Some((p, _)) = scheduled::pending(c, actions::KIND_DISCONNECTION, n)? {
            return Err(rule(
                Code::DisconnectionPending,
                path().disconnection_date(),
                format!(
                    "cannot be set: a disconnection is already pending on {}",
                    p.due_date
                ),
            )
            .into());
        }
        let mut payload = Payload::default().with(SUPPRESS, suppress);
        if let Some(r) = &req.reason_code {
            payload = payload.with(REASON, r);
        }
        scheduled::schedule(ctx, c, actions::KIND_DISCONNECTION, n, on, &payload)?;
        ctx.audit(c, "subscription", n)?;
        Ok((LifeCycleStatus::Pending, fee_due(&s, &sub, on, suppress)))
    })?;
    Ok(DisconnectSubscriptionResponse {
        external_reference: req.external_reference,
        status,
        disconnection_date: on,
        termination_fee: money(fee),
    })
}

/// The termination fee of disconnecting `sub` on `on` (minor units), 0 when suppressed.
fn fee_due(s: &Snapshot, sub: &subs::Subscription, on: NaiveDate, suppress: bool) -> i64 {
    match s.plan(&sub.price_plan_code) {
        Some(plan) if !suppress => fees_on(on, contract_of(sub), plan).total_minor(),
        _ => 0,
    }
}

/// Disconnects `sub` (locked by the caller) on `on`, in the caller's transaction: bolt-ons
/// and recurring services end, pending actions on it are cancelled, the termination fee is
/// recorded (on the subscription and as a BILL/TERM event) unless suppressed, the network
/// is told (outbox) and a PROV/DISC event written. Answers the fee (minor units).
fn disconnect_now(
    ctx: &Context,
    c: &mut DbConn,
    s: &Snapshot,
    sub: &subs::Subscription,
    on: NaiveDate,
    reason: Option<String>,
    suppress: bool,
) -> Result<i64, OpError> {
    let n = sub.subscription_number;
    let now = ctx.now();
    let fee = fee_due(s, sub, on, suppress);
    let recorded = (!suppress).then_some(fee);
    if !life::disconnect(c, n, on, reason.as_deref(), recorded, now)? {
        return Err(rule(
            Code::SubscriptionDisconnected,
            subscription_path(),
            "is disconnected",
        )
        .into());
    }
    life::end_packages(c, n, on, |p| p.is_base)?;
    end_recurring_services(c, n, on)?;
    actions::cancel_all(c, actions::KIND_DISCONNECTION, n, now)?;
    actions::cancel_all(c, actions::KIND_PRICE_PLAN_CHANGE, n, now)?;
    ctx.audit(c, "subscription", n)?;
    let target = (WorkflowLevel::Subscription, n.to_string());
    if fee > 0 {
        workflow::record_system_event(
            ctx,
            c,
            target.clone(),
            TERMINATION_FEE_EVENT,
            None,
            format!(
                "Early termination fee {} recorded at disconnection on {on}",
                money(fee)
            ),
        )?;
    }
    let event = workflow::record_system_event(
        ctx,
        c,
        target,
        DISCONNECTION_EVENT,
        reason.clone(),
        format!(
            "Disconnection of subscription {n} on {on}{}",
            if suppress {
                " (termination fees suppressed)"
            } else {
                ""
            }
        ),
    )?;
    let text = format!("DISCONNECT subscription={n} date={on} event={event}");
    outbox::send(ctx, c, PROVISIONING, NETWORK, &n.to_string(), text)?;
    Ok(fee)
}

/// Where a fault of a disconnection points: the subscription.
fn subscription_path() -> FieldPath {
    DisconnectSubscriptionRequest::path().subscription_number()
}

/// The scheduled disconnection, claimed by `scheduled::apply_due`: disconnects on its due
/// date as an immediate one would have.
pub(crate) fn apply_disconnection(
    ctx: &Context,
    c: &mut DbConn,
    action: &ScheduledAction,
    payload: &Payload,
) -> Result<(), OpError> {
    let s = ctx.catalogue.current(ctx)?;
    let n = action.entity_number;
    let sub = lock(ctx, c, n, subscription_path())?;
    refuse_disconnected(&sub, subscription_path())?;
    let reason = payload.get(REASON).map(str::to_string);
    let suppress = payload.get(SUPPRESS) == Some("true");
    disconnect_now(ctx, c, &s, &sub, action.due_date, reason, suppress)?;
    Ok(())
}

/// Only while a disconnection is pending: withdraws it.
pub fn cancel_disconnection(
    ctx: &Context,
    req: CancelDisconnectionRequest,
) -> OpResult<CancelLifeCycleActionResponse> {
    let at = CancelDisconnectionRequest::path().subscription_number();
    let pending = (Code::NoPendingDisconnection, "has no disconnection pending");
    cancel_pending(
        ctx,
        req.subscription_number,
        at,
        actions::KIND_DISCONNECTION,
        pending,
    )?;
    Ok(CancelLifeCycleActionResponse {
        external_reference: req.external_reference,
        status: LifeCycleStatus::Cancelled,
    })
}

/// Cancels the pending actions of `kind` on subscription `n` (one transaction, the
/// subscription locked); none pending: the refusal `none` (code, phrase) on `at`.
pub(super) fn cancel_pending(
    ctx: &Context,
    n: i64,
    at: impl Into<FieldPath>,
    kind: &str,
    none: (Code, &str),
) -> OpResult<()> {
    let at = at.into();
    ctx.write(|c| {
        let sub = lock(ctx, c, n, at.clone())?;
        refuse_disconnected(&sub, at.clone())?;
        if actions::cancel_all(c, kind, n, ctx.now())? == 0 {
            return Err(rule(none.0, at, none.1).into());
        }
        ctx.audit(c, "subscription", n)
    })
}

/// What GetSubscription shows of what is pending: the disconnection date and the price
/// plan change.
pub(super) fn pending(
    c: &mut DbConn,
    n: i64,
) -> Result<
    (
        Option<NaiveDate>,
        Option<cmp_model::messages::PendingPricePlanChange>,
    ),
    OpError,
> {
    let disconnection = actions::pending(c, actions::KIND_DISCONNECTION, n)?.map(|a| a.due_date);
    Ok((disconnection, price_plan_change::pending_change(c, n)?))
}
