//! Serial numbers (SERVICES.md §4, release notes 3.7.1.4): ChangeSerialNumbers sets the
//! managed (1–5, each unique among subscriptions not disconnected) and non-managed (1–9)
//! slots it names; the others stay. A replaced value is kept with the day it ended;
//! GetSubscriptionSerialNumbers answers the current ones and, with `history`, every value
//! each slot has held.

use chrono::NaiveDate;
use cmp_model::messages::{
    paths, ChangeSerialNumbersRequest, GetSubscriptionSerialNumbersRequest, ManagedSerialNumber,
    ManagedSerialNumbers, NonManagedSerialNumber, NonManagedSerialNumbers, SerialNumberHistory,
    SerialNumberKind, SerialNumberPeriod, SubscriptionSerialNumbersResponse,
};
use cmp_model::{Code, Fault, FieldError, FieldPath};
use cmp_store::repo::subscription_details::{self as repo, SerialHistoryRow};
use cmp_store::repo::subscriptions::{self as subs, SERIAL_MANAGED, SERIAL_NON_MANAGED};
use cmp_store::DbConn;

use super::details::{lock, refuse_disconnected};
use crate::error::OpError;
use crate::faults::{not_found, rule};
use crate::{Context, OpResult};

/// One slot a request sets.
pub(super) struct Wanted {
    kind: &'static str,
    id: i32,
    value: String,
    /// The element holding the value, for faults.
    at: FieldPath,
    /// The element naming the slot.
    slot_at: FieldPath,
}

pub fn change_serial_numbers(
    ctx: &Context,
    req: ChangeSerialNumbersRequest,
) -> OpResult<SubscriptionSerialNumbersResponse> {
    let path = ChangeSerialNumbersRequest::path;
    let wanted = wanted(
        req.managed_serial_numbers.as_ref(),
        req.non_managed_serial_numbers.as_ref(),
        path().managed_serial_numbers(),
        path().non_managed_serial_numbers(),
    )?;
    let answer = ctx.write(|c| {
        let sub = lock(
            ctx,
            c,
            req.subscription_number,
            path().subscription_number(),
        )?;
        refuse_disconnected(&sub, path().subscription_number())?;
        set(ctx, c, &sub, &wanted)?;
        ctx.audit(c, "subscription", sub.subscription_number)?;
        serial_numbers(c, sub.subscription_number, sub.created_at.date(), false)
    })?;
    Ok(SubscriptionSerialNumbersResponse {
        external_reference: req.external_reference,
        ..answer
    })
}

/// The slots a request sets (ChangeSerialNumbers, ActivateSubscription); a slot named
/// twice is a field error, every one collected.
pub(super) fn wanted(
    managed: Option<&ManagedSerialNumbers>,
    non_managed: Option<&NonManagedSerialNumbers>,
    managed_path: paths::ManagedSerialNumbers,
    non_managed_path: paths::NonManagedSerialNumbers,
) -> Result<Vec<Wanted>, Fault> {
    let mut wanted = Vec::new();
    let mut errors = Vec::new();
    for (i, m) in managed
        .iter()
        .flat_map(|m| &m.managed_serial_number)
        .enumerate()
    {
        let at = managed_path.clone().managed_serial_number().nth(i);
        wanted.push(Wanted {
            kind: SERIAL_MANAGED,
            id: m.enumeration_id as i32,
            value: m.network_serial_number.clone(),
            at: at.clone().network_serial_number(),
            slot_at: at.enumeration_id(),
        });
    }
    let non_managed = non_managed
        .iter()
        .flat_map(|m| &m.non_managed_serial_number);
    for (i, m) in non_managed.enumerate() {
        let at = non_managed_path.clone().non_managed_serial_number().nth(i);
        wanted.push(Wanted {
            kind: SERIAL_NON_MANAGED,
            id: m.enumeration_id as i32,
            value: m.value.clone(),
            at: at.clone().value(),
            slot_at: at.enumeration_id(),
        });
    }
    for (i, w) in wanted.iter().enumerate() {
        if wanted[..i].iter().any(|x| x.kind == w.kind && x.id == w.id) {
            errors.push(FieldError::on(
                Code::DuplicateElement,
                w.slot_at.clone(),
                format!("names slot {} a second time", w.id),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Fault::validation(errors));
    }
    Ok(wanted)
}

/// Sets the `wanted` slots of `sub` (locked by the caller), in its transaction: managed
/// values unique on the subscription and among live ones, replaced values kept in the
/// history with today as their end.
pub(super) fn set(
    ctx: &Context,
    c: &mut DbConn,
    sub: &subs::Subscription,
    wanted: &[Wanted],
) -> Result<(), OpError> {
    let today = ctx.clock.today();
    let now = ctx.now();
    let n = sub.subscription_number;
    repo::lock_managed_serials(c)?;
    let current = repo::dated_serials(c, n)?;
    // The managed slots as they would be after the change: each value held once.
    let mut after: Vec<(i32, &str)> = current
        .iter()
        .filter(|x| x.kind == SERIAL_MANAGED)
        .map(|x| (x.enumeration_id, x.value.as_str()))
        .collect();
    for w in wanted.iter().filter(|w| w.kind == SERIAL_MANAGED) {
        after.retain(|(id, _)| *id != w.id);
        after.push((w.id, w.value.as_str()));
    }
    for w in wanted.iter().filter(|w| w.kind == SERIAL_MANAGED) {
        if let Some((slot, _)) = after.iter().find(|(id, v)| *id != w.id && *v == w.value) {
            return Err(rule(
                Code::SerialInUse,
                w.at.clone(),
                format!("is also managed serial number {slot} of the subscription"),
            )
            .into());
        }
        if subs::managed_serial_in_use(c, &w.value, Some(n))? {
            return Err(rule(
                Code::SerialInUse,
                w.at.clone(),
                "is held by another subscription",
            )
            .into());
        }
    }
    let created = sub.created_at.date();
    for w in wanted {
        let old = current
            .iter()
            .find(|x| x.kind == w.kind && x.enumeration_id == w.id);
        if old.is_some_and(|o| o.value == w.value) {
            continue;
        }
        if let Some(o) = old {
            repo::insert_history(
                c,
                &SerialHistoryRow {
                    subscription_number: n,
                    kind: o.kind.clone(),
                    enumeration_id: o.enumeration_id,
                    sequence: 0,
                    value: o.value.clone(),
                    effective_date: o.effective_date.unwrap_or(created),
                    end_date: today,
                    replaced_at: now,
                },
            )?;
        }
        repo::put_serial(c, n, w.kind, w.id, &w.value, today)?;
    }
    Ok(())
}

pub fn get_subscription_serial_numbers(
    ctx: &Context,
    req: GetSubscriptionSerialNumbersRequest,
) -> OpResult<SubscriptionSerialNumbersResponse> {
    let path = GetSubscriptionSerialNumbersRequest::path;
    let answer = ctx.read(|c| {
        let sub = subs::get(c, req.subscription_number)?
            .ok_or_else(|| not_found(path().subscription_number()))?;
        serial_numbers(
            c,
            sub.subscription_number,
            sub.created_at.date(),
            req.history == Some(true),
        )
    })?;
    Ok(SubscriptionSerialNumbersResponse {
        external_reference: req.external_reference,
        ..answer
    })
}

/// The current serial numbers and, with `history`, every value held: the replaced ones
/// with their end date, then the current one (by kind, slot and date). `created` is the
/// first day of a value given when the subscription was created.
fn serial_numbers(
    c: &mut DbConn,
    subscription_number: i64,
    created: NaiveDate,
    history: bool,
) -> Result<SubscriptionSerialNumbersResponse, OpError> {
    let current = repo::dated_serials(c, subscription_number)?;
    let (managed, non_managed) = serial_lists(
        current
            .iter()
            .map(|x| (x.kind.as_str(), x.enumeration_id, x.value.as_str())),
    );
    let history = if history {
        let kind = |k: &str| {
            if k == SERIAL_MANAGED {
                SerialNumberKind::Managed
            } else {
                SerialNumberKind::NonManaged
            }
        };
        let mut periods: Vec<(i32, SerialNumberPeriod)> =
            repo::serial_history(c, subscription_number)?
                .into_iter()
                .map(|h| {
                    (
                        h.sequence,
                        SerialNumberPeriod {
                            kind: kind(&h.kind),
                            enumeration_id: h.enumeration_id as i64,
                            value: h.value,
                            effective_date: h.effective_date,
                            end_date: Some(h.end_date),
                        },
                    )
                })
                .collect();
        periods.extend(current.iter().map(|x| {
            (
                i32::MAX,
                SerialNumberPeriod {
                    kind: kind(&x.kind),
                    enumeration_id: x.enumeration_id as i64,
                    value: x.value.clone(),
                    effective_date: x.effective_date.unwrap_or(created),
                    end_date: None,
                },
            )
        }));
        let rank = |k: SerialNumberKind| (k != SerialNumberKind::Managed) as u8;
        periods.sort_by_key(|(seq, p)| (rank(p.kind), p.enumeration_id, *seq));
        let serial_number: Vec<SerialNumberPeriod> = periods.into_iter().map(|(_, p)| p).collect();
        (!serial_number.is_empty()).then_some(SerialNumberHistory { serial_number })
    } else {
        None
    };
    Ok(SubscriptionSerialNumbersResponse {
        external_reference: None,
        subscription_number,
        managed_serial_numbers: managed,
        non_managed_serial_numbers: non_managed,
        history,
    })
}

/// The wire lists of serial numbers `(kind, enumeration id, value)`, each omitted when
/// empty: (managed, non-managed).
pub(super) fn serial_lists<'a>(
    serials: impl Iterator<Item = (&'a str, i32, &'a str)>,
) -> (
    Option<ManagedSerialNumbers>,
    Option<NonManagedSerialNumbers>,
) {
    let (mut managed, mut non_managed) = (Vec::new(), Vec::new());
    for (kind, id, value) in serials {
        if kind == SERIAL_MANAGED {
            managed.push(ManagedSerialNumber {
                enumeration_id: id as i64,
                network_serial_number: value.to_string(),
            });
        } else if kind == SERIAL_NON_MANAGED {
            non_managed.push(NonManagedSerialNumber {
                enumeration_id: id as i64,
                value: value.to_string(),
            });
        }
    }
    (
        (!managed.is_empty()).then_some(ManagedSerialNumbers {
            managed_serial_number: managed,
        }),
        (!non_managed.is_empty()).then_some(NonManagedSerialNumbers {
            non_managed_serial_number: non_managed,
        }),
    )
}
