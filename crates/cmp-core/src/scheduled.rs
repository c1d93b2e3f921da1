//! Scheduled actions (DOMAIN.md "Time and scheduled actions"): a future disconnection, a
//! future price plan change, a pending bill cycle change. Each is a row
//! (`cmp_store::repo::scheduled_actions`) with a due date and a state; [`apply_due`] claims
//! the due ones in date order, each in the transaction that applies it, so an action is
//! applied exactly once however many schedulers run. The background worker
//! (`cmp-gateway/src/scheduler.rs`) and the sandbox clock (`sandbox::set_clock`) run it.

use chrono::NaiveDate;
use cmp_model::Kind;
use cmp_store::repo::scheduled_actions::{self as actions, ScheduledAction};
use cmp_store::DbConn;

use crate::error::OpError;
use crate::{agreements, subscriptions, Context, OpResult};

/// A row's payload: `key=value` lines (values never hold a newline), read by key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Payload(Vec<(String, String)>);

impl Payload {
    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        self.0.push((key.to_string(), value.to_string()));
        self
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn parse(text: &str) -> Payload {
        Payload(
            text.lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
}

/// Writes a pending action due on `due`, inside the caller's transaction.
pub(crate) fn schedule(
    ctx: &Context,
    c: &mut DbConn,
    kind: &str,
    entity: i64,
    due: NaiveDate,
    payload: &Payload,
) -> Result<i64, OpError> {
    let id = cmp_store::repo::counters::next(c, actions::COUNTER)?;
    actions::insert(
        c,
        &ScheduledAction {
            id,
            kind: kind.to_string(),
            entity_number: entity,
            due_date: due,
            state: actions::STATE_PENDING.to_string(),
            payload: payload.text(),
            created_at: ctx.now(),
            applied_at: None,
        },
    )?;
    Ok(id)
}

/// The pending action of `kind` on `entity` and its payload.
pub(crate) fn pending(
    c: &mut DbConn,
    kind: &str,
    entity: i64,
) -> Result<Option<(ScheduledAction, Payload)>, OpError> {
    Ok(actions::pending(c, kind, entity)?.map(|a| {
        let p = Payload::parse(&a.payload);
        (a, p)
    }))
}

/// What applying one claimed action does, by kind, in the claiming transaction.
fn apply(ctx: &Context, c: &mut DbConn, a: &ScheduledAction) -> Result<(), OpError> {
    let payload = Payload::parse(&a.payload);
    match a.kind.as_str() {
        actions::KIND_BILL_CYCLE_CHANGE => agreements::apply_bill_cycle_change(ctx, c, a, &payload),
        actions::KIND_DISCONNECTION => {
            subscriptions::lifecycle::apply_disconnection(ctx, c, a, &payload)
        }
        actions::KIND_PRICE_PLAN_CHANGE => {
            subscriptions::price_plan_change::apply_scheduled(ctx, c, a, &payload)
        }
        other => {
            log::error!(
                "request_id={} unknown scheduled action kind {other}",
                ctx.request_id
            );
            Err(cmp_model::Fault::system(&ctx.request_id).into())
        }
    }
}

/// Applies every pending action due on or before today, earliest first, one transaction
/// each (claim and apply together: a failure rolls the claim back). An action that can no
/// longer be applied (its rule now refuses it) is marked Failed, logged, and the run goes
/// on. Answers how many were applied. Idempotent: a second run finds nothing.
pub fn apply_due(ctx: &Context) -> OpResult<usize> {
    let today = ctx.clock.today();
    let mut applied = 0;
    loop {
        let mut claimed = None;
        let result = ctx.write(|c| {
            let Some(a) = actions::claim_next_due(c, today, ctx.now())? else {
                return Ok(false);
            };
            claimed = Some(a.clone());
            apply(ctx, c, &a)?;
            Ok(true)
        });
        match result {
            Ok(true) => applied += 1,
            Ok(false) => return Ok(applied),
            Err(fault) => {
                // A refusal by a rule fails the action; anything else (the database gone)
                // leaves it pending for the next run.
                let refused = matches!(
                    fault.message_id.kind(),
                    Kind::Rule | Kind::Validation | Kind::NotFound
                );
                let Some(a) = claimed.filter(|_| refused) else {
                    return Err(fault);
                };
                log::warn!(
                    target: "cmp::scheduler",
                    "request_id={} scheduled action {} ({} of {}, due {}) failed: {} {}",
                    ctx.request_id, a.id, a.kind, a.entity_number, a.due_date,
                    fault.message_id, fault.message_text
                );
                ctx.write(|c| Ok(actions::finish(c, a.id, actions::STATE_FAILED, ctx.now())?))?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_reads_back_what_was_written() {
        let p = Payload::default()
            .with("pricePlanCode", "SIMO12")
            .with("boltOns", "DB1G,ETV");
        let back = Payload::parse(&p.text());
        assert_eq!(back, p);
        assert_eq!(back.get("boltOns"), Some("DB1G,ETV"));
        assert_eq!(back.get("absent"), None);
    }
}
