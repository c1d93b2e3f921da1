//! RecordUsage and QueryUnbilledUsage (SERVICES.md §4; DOMAIN.md "Allowances", "Spend
//! cap"): usage is rated in the bill period it falls in (the subscription's agreement
//! decides the periods): it draws down the allowances first ([`allowances::draw_order`]),
//! the rest is charged at the price plan's out-of-bundle rate, and usage that would pass a
//! spend cap is refused ([`spend_caps`]). Money is kept in minor units (pence).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use cmp_model::messages::{
    QueryUnbilledUsageRequest, QueryUnbilledUsageResponse, RatedUsage, RecordUsageRequest,
    RecordUsageResponse, SubscriptionStatus, UnbilledUsage, UsageType,
};
use cmp_model::{Code, DateTime, Decimal, Fault, FieldError};
use cmp_store::repo::subscriptions::{self as subs, SubscriptionPackageRow};
use cmp_store::repo::{agreements, subscription_details as details, usage};
use cmp_store::{db_time, DbConn, StoreError};

use super::allowances::{self, DrawKey, Held};
use super::details::refuse_disconnected;
use super::spend_caps;
use crate::agreements::bill_periods::{period_containing, BillPeriod};
use crate::catalogue::rating::{out_of_bundle_rate, unit_of};
use crate::catalogue::Snapshot;
use crate::error::OpError;
use crate::faults::{not_found, rule};
use crate::{Context, OpResult};

/// Money as the wire shows it: minor units with two decimals.
pub(crate) fn money(minor: i64) -> Decimal {
    Decimal::new(minor, 2)
}

/// A catalogue amount in minor units (rounded to the penny).
pub(crate) fn minor(amount: Decimal) -> i64 {
    let mut d = amount.round_dp(2);
    d.rescale(2);
    d.mantissa() as i64
}

/// `quantity` units at `rate` (at most 4 decimals) in minor units, half a penny rounded
/// up; integer arithmetic throughout.
fn charge(quantity: i64, rate: Decimal) -> i64 {
    let mut r = rate.round_dp(4);
    r.rescale(4);
    let ten_thousandths = quantity as i128 * r.mantissa();
    ((ten_thousandths + 50) / 100) as i64
}

/// The bill cycle day of the subscription's agreement.
pub(crate) fn billing_cycle(c: &mut DbConn, sub: &subs::Subscription) -> Result<u32, OpError> {
    // The foreign key keeps the agreement; its absence would be a broken database.
    let agreement = agreements::get(c, sub.agreement_number)?.ok_or(StoreError::NotFound)?;
    Ok(agreement.billing_cycle as u32)
}

/// The bill period holding `day` for the subscription's agreement.
pub(crate) fn bill_period(
    c: &mut DbConn,
    sub: &subs::Subscription,
    day: NaiveDate,
) -> Result<BillPeriod, OpError> {
    Ok(period_containing(day, billing_cycle(c, sub)?))
}

/// One usage event rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rated {
    in_bundle: i64,
    charged_minor: i64,
}

/// Rates usage against one period's allowances, keeping what each has used.
struct Rater<'a> {
    s: &'a Snapshot,
    plan_code: &'a str,
    packages: &'a [SubscriptionPackageRow],
    used: HashMap<DrawKey, i64>,
    changed: BTreeSet<DrawKey>,
    /// The allowances held on a day, in draw-down order (events mostly share a day).
    held: Option<(NaiveDate, Vec<Held<'a>>)>,
}

impl<'a> Rater<'a> {
    /// `None`: part of it is out of bundle and the plan has no rate for the type.
    fn rate(&mut self, day: NaiveDate, t: UsageType, quantity: i64) -> Option<Rated> {
        if self.held.as_ref().is_none_or(|(d, _)| *d != day) {
            let mut held = allowances::held_on(self.s, self.packages, day);
            allowances::draw_order(&mut held);
            self.held = Some((day, held));
        }
        let unit = unit_of(t);
        let (_, held) = self.held.as_ref().expect("set above");
        let mut left = quantity;
        for h in held.iter().filter(|h| h.unit == unit) {
            if left == 0 {
                break;
            }
            let used = self.used.entry(h.key()).or_insert(0);
            let take = match h.total {
                None => left,
                Some(total) => left.min((total - *used).max(0)),
            };
            if take > 0 {
                *used += take;
                self.changed.insert(h.key());
                left -= take;
            }
        }
        let charged_minor = if left == 0 {
            0
        } else {
            charge(left, out_of_bundle_rate(self.s, self.plan_code, t)?)
        };
        Some(Rated {
            in_bundle: quantity - left,
            charged_minor,
        })
    }
}

/// A usage event of the request, with its time settled.
struct Event {
    at: DateTime,
    t: UsageType,
    quantity: i64,
}

/// RecordUsage: rates every event of the request in one transaction, or none: an event
/// that the plan cannot rate, or that would pass a spend cap, refuses the request (the
/// cap's first refusal in a period still sends its breach notice).
pub fn record_usage(ctx: &Context, req: RecordUsageRequest) -> OpResult<RecordUsageResponse> {
    let path = RecordUsageRequest::path;
    let s = ctx.catalogue.current(ctx)?;
    let now = ctx.clock.now();
    let today = now.date_naive();
    let events: Vec<Event> = req
        .usage
        .iter()
        .map(|u| Event {
            at: db_time(u.date_time.unwrap_or(now).naive_utc()).and_utc(),
            t: u.r#type,
            quantity: u.quantity,
        })
        .collect();
    let future: Vec<FieldError> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.at > now)
        .map(|(i, _)| {
            FieldError::on(
                Code::DateNotAllowed,
                path().usage().nth(i).date_time(),
                "is in the future",
            )
        })
        .collect();
    if !future.is_empty() {
        return Err(Fault::validation(future));
    }
    let stamp = ctx.now();
    let n = req.subscription_number;
    let answer = ctx.write(|c| {
        // Locks the subscription row: usage on one subscription is rated in turn, so two
        // requests cannot both draw the last of an allowance or the room under a cap.
        if !usage::lock_subscription(c, n)? {
            return Err(not_found(path().subscription_number()).into());
        }
        let sub = subs::get(c, n)?.ok_or_else(|| not_found(path().subscription_number()))?;
        refuse_disconnected(&sub, path().subscription_number())?;
        if sub.status == SubscriptionStatus::PreActive.as_str() {
            return Err(rule(
                Code::SubscriptionNotActive,
                path().subscription_number(),
                "is not active yet: activate it first",
            )
            .into());
        }
        let period = bill_period(c, &sub, today)?;
        let connected = sub.connected_date.unwrap_or(period.start);
        let mut errors = Vec::new();
        for (i, e) in events.iter().enumerate() {
            let day = e.at.date_naive();
            if day < period.start {
                errors.push(FieldError::on(
                    Code::DateNotAllowed,
                    path().usage().nth(i).date_time(),
                    format!("is before the current bill period (from {})", period.start),
                ));
            } else if day < connected {
                errors.push(FieldError::on(
                    Code::DateNotAllowed,
                    path().usage().nth(i).date_time(),
                    format!("is before the subscription was connected ({connected})"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(Fault::validation(errors).into());
        }
        let packages = subs::packages(c, n)?;
        let mut totals = usage::period(c, n, period.start)?.unwrap_or(usage::UsagePeriod {
            subscription_number: n,
            period_start: period.start,
            records: 0,
            charged_minor: 0,
        });
        let mut rater = Rater {
            s: &s,
            plan_code: &sub.price_plan_code,
            packages: &packages,
            used: allowances::used_by_key(usage::draws(c, n, period.start)?),
            changed: BTreeSet::new(),
            held: None,
        };
        let caps = spend_caps::caps_of(&s, &sub, &usage::caps(c, n)?);
        let services = details::services(c, n)?;
        let fixed_charges = spend_caps::fixed_charges_minor(&s, &packages, &services, period);
        let mut rows = Vec::with_capacity(events.len());
        for (i, e) in events.iter().enumerate() {
            let day = e.at.date_naive();
            let Some(rated) = rater.rate(day, e.t, e.quantity) else {
                return Err(rule(
                    Code::NoOutOfBundleRate,
                    path().usage().nth(i).r#type(),
                    format!(
                        "has no out-of-bundle rate on price plan {} ({} beyond the allowances)",
                        sub.price_plan_code,
                        e.t.as_str()
                    ),
                )
                .into());
            };
            if rated.charged_minor > 0 {
                let before = totals.charged_minor;
                let after = before + rated.charged_minor;
                if let Some(cap) = caps
                    .iter()
                    .filter(|cap| cap.in_force_on(day))
                    .find(|cap| cap.counted(fixed_charges, after) > cap.amount_minor)
                {
                    let refusal = spend_caps::refuse(
                        ctx,
                        c,
                        &sub,
                        period,
                        cap,
                        cap.counted(fixed_charges, before),
                        path().usage().nth(i).quantity(),
                    )?;
                    // Committed: the breach notice (if any) stays, no usage is recorded.
                    return Ok(Err(refusal));
                }
            }
            totals.records += 1;
            totals.charged_minor += rated.charged_minor;
            rows.push(usage::UsageRecord {
                subscription_number: n,
                period_start: period.start,
                record_number: totals.records,
                used_at: e.at.naive_utc(),
                usage_type: e.t.as_str().to_string(),
                quantity: e.quantity,
                in_bundle: rated.in_bundle,
                charged_minor: rated.charged_minor,
                recorded_at: stamp,
                request_id: ctx.request_id.clone(),
            });
        }
        usage::save_period(c, &totals)?;
        usage::insert_records(c, &rows)?;
        for key in &rater.changed {
            usage::save_draw(
                c,
                &usage::AllowanceDraw {
                    subscription_number: n,
                    period_start: period.start,
                    purchase_identifier: key.0,
                    service_code: key.1.clone(),
                    used: rater.used[key],
                },
            )?;
        }
        ctx.audit(c, "subscription", n)?;
        Ok(Ok(RecordUsageResponse {
            external_reference: req.external_reference.clone(),
            period_start: period.start,
            usage: rows.iter().map(rated_answer).collect(),
            total_unbilled_charges: money(totals.charged_minor),
        }))
    })?;
    answer
}

fn usage_type(stored: &str) -> UsageType {
    // The CHECK constraint allows only the three names.
    UsageType::parse(stored).unwrap_or(UsageType::Data)
}

fn rated_answer(r: &usage::UsageRecord) -> RatedUsage {
    let t = usage_type(&r.usage_type);
    RatedUsage {
        date_time: r.used_at.and_utc(),
        r#type: t,
        quantity: r.quantity,
        unit: unit_of(t),
        in_bundle_quantity: r.in_bundle,
        out_of_bundle_quantity: r.quantity - r.in_bundle,
        charged_amount: money(r.charged_minor),
    }
}

/// The current bill period's usage, added up per day and type (Voice, SMS, Data).
pub fn query_unbilled_usage(
    ctx: &Context,
    req: QueryUnbilledUsageRequest,
) -> OpResult<QueryUnbilledUsageResponse> {
    let today = ctx.clock.today();
    let (period, records) = ctx.read(|c| {
        let sub = subs::get(c, req.subscription_number)?
            .ok_or_else(|| not_found(QueryUnbilledUsageRequest::path().subscription_number()))?;
        let period = bill_period(c, &sub, today)?;
        let records = usage::records(c, sub.subscription_number, period.start)?;
        Ok((period, records))
    })?;
    let order = |t: UsageType| UsageType::VALUES.iter().position(|v| *v == t.as_str());
    let mut days: BTreeMap<(NaiveDate, Option<usize>), (UsageType, i64, i64)> = BTreeMap::new();
    for r in &records {
        let t = usage_type(&r.usage_type);
        let e = days
            .entry((r.used_at.date(), order(t)))
            .or_insert((t, 0, 0));
        e.1 += r.quantity;
        e.2 += r.charged_minor;
    }
    Ok(QueryUnbilledUsageResponse {
        external_reference: req.external_reference,
        period_start: period.start,
        total_unbilled_charges: money(records.iter().map(|r| r.charged_minor).sum()),
        usage: days
            .into_iter()
            .map(|((date, _), (t, quantity, charged))| UnbilledUsage {
                date,
                r#type: t,
                quantity,
                unit: unit_of(t),
                charged_amount: money(charged),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_round_half_a_penny_up() {
        let rate = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(charge(856, rate("0.01")), 856);
        assert_eq!(charge(3, rate("0.355")), 107); // 1.065
        assert_eq!(charge(1, rate("0.0049")), 0);
        assert_eq!(charge(1, rate("0.005")), 1);
        assert_eq!(charge(10, rate("0")), 0);
        assert_eq!(money(107).to_string(), "1.07");
        assert_eq!(minor(rate("31.99")), 3199);
        assert_eq!(minor(rate("6.999")), 700);
    }
}
