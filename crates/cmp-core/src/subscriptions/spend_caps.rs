//! GetSubscriptionSpendCap and SetSubscriptionSpendCap (SERVICES.md §4; SOAP SetPostPayCaps
//! in 7.3.8; release notes 3.7.2.2) and the cap rule of RecordUsage (DOMAIN.md "Spend
//! cap"). A Full cap counts every charge of the bill period: the prices of the packages
//! and services held in it and the usage charges; a Partial cap only the out-of-bundle usage charges.
//! Usage that would pass a cap is refused; the cap's first refusal in a bill period sends
//! a breach notice (outbox) and records a workflow event.
//!
//! A subscription carries the caps set on it, and the catalogue's default (a definition's
//! `defaultAmount`) for each code it has none of, from its connection on.

use chrono::NaiveDate;
use cmp_model::messages::{
    CapType, ChargeType, GetSubscriptionSpendCapRequest, GetSubscriptionSpendCapResponse,
    OtpDeliveryChannel, SetSubscriptionSpendCapRequest, SetSubscriptionSpendCapResponse,
    SpendCapDefinition, SubscriptionSpendCap, WorkflowLevel,
};
use cmp_model::{Code, Decimal, Fault, FieldError, FieldPath};
use cmp_store::repo::subscription_details as details;
use cmp_store::repo::subscriptions::{self as subs, SubscriptionPackageRow};
use cmp_store::repo::usage;
use cmp_store::DbConn;

use super::details::refuse_disconnected;
use super::usage::{billing_cycle, minor, money};
use crate::agreements::bill_periods::{period_containing, BillPeriod};
use crate::catalogue::rating;
use crate::catalogue::Snapshot;
use crate::error::OpError;
use crate::faults::{not_found, rule, unknown_ref};
use crate::selfcare::{otp, outbox, workflow};
use crate::{Context, OpResult};

/// The workflow event a breach records (reference data: Billing / Spend cap breach).
pub const BREACH_EVENT_TYPE: &str = "BILL";
pub const BREACH_EVENT_CODE: &str = "SPND";
/// The outbox `kind` of a breach notice.
pub const BREACH_NOTICE: &str = "spendCapBreach";

/// A cap on a subscription, in force from `effective_date` up to, not including,
/// `expiry_date`.
pub(crate) struct Cap<'a> {
    pub def: &'a SpendCapDefinition,
    pub amount_minor: i64,
    pub effective_date: NaiveDate,
    pub expiry_date: Option<NaiveDate>,
}

impl Cap<'_> {
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.effective_date <= day && self.expiry_date.is_none_or(|e| e > day)
    }

    /// What the cap counts of a period's charges (minor units).
    pub fn counted(&self, fixed_charges: i64, usage_charges: i64) -> i64 {
        match self.def.cap_type {
            CapType::Full => fixed_charges + usage_charges,
            CapType::Partial => usage_charges,
        }
    }
}

/// The subscription's caps (set ones and catalogue defaults), by code then date.
pub(crate) fn caps_of<'a>(
    s: &'a Snapshot,
    sub: &subs::Subscription,
    rows: &[usage::SpendCapRow],
) -> Vec<Cap<'a>> {
    let mut caps = Vec::new();
    for def in rating::spend_caps(s) {
        let set: Vec<&usage::SpendCapRow> =
            rows.iter().filter(|r| r.cap_code == def.cap_code).collect();
        if let Some(amount) = def.default_amount {
            let from = sub.connected_date.unwrap_or_else(|| sub.created_at.date());
            let until = set.iter().map(|r| r.effective_date).min();
            if until.is_none_or(|u| u > from) {
                caps.push(Cap {
                    def,
                    amount_minor: minor(amount),
                    effective_date: from,
                    expiry_date: until,
                });
            }
        }
        caps.extend(set.into_iter().map(|r| Cap {
            def,
            amount_minor: r.amount_minor,
            effective_date: r.effective_date,
            expiry_date: r.expiry_date,
        }));
    }
    caps.sort_by(|a, b| {
        (&a.def.cap_code, a.effective_date).cmp(&(&b.def.cap_code, b.effective_date))
    });
    caps
}

/// A period's charges other than usage (minor units): each recurring service of a package
/// held on any day of it and each one-off service of a package bought in it, at catalogue
/// prices; and the services added on their own (AddSubscriptionService) at their price,
/// recurring ones held on any day of it, one-off ones starting in it.
pub(crate) fn fixed_charges_minor(
    s: &Snapshot,
    packages: &[SubscriptionPackageRow],
    services: &[details::ServiceRow],
    period: BillPeriod,
) -> i64 {
    let held = |from: NaiveDate, until: Option<NaiveDate>| {
        from < period.end && until.is_none_or(|e| e > period.start)
    };
    let bought_in = |from: NaiveDate| from >= period.start && from < period.end;
    let of_packages: i64 = packages
        .iter()
        .filter(|p| held(p.effective_date, p.expiry_date))
        .flat_map(|p| {
            let bought_now = bought_in(p.effective_date);
            s.package(&p.package_code)
                .into_iter()
                .flat_map(|cat| cat.service_codes.iter().flat_map(|c| &c.service_code))
                .filter_map(|code| s.service(code))
                .filter(move |svc| svc.charge_type == ChargeType::Recurring || bought_now)
                .map(|svc| minor(svc.price))
        })
        .sum();
    let added: i64 = services
        .iter()
        .filter(|x| match x.charge_type.as_str() {
            details::CHARGE_RECURRING => held(x.effective_date, x.expiry_date),
            _ => bought_in(x.effective_date),
        })
        .filter_map(|x| x.price.parse::<Decimal>().ok())
        .map(minor)
        .sum();
    of_packages + added
}

/// The refusal of usage that would pass `cap` (which counted `counted_before` before it),
/// naming the cap; the cap's first refusal in the period also sends the breach notice and
/// records the workflow event, in the caller's transaction.
pub(crate) fn refuse(
    ctx: &Context,
    c: &mut DbConn,
    sub: &subs::Subscription,
    period: BillPeriod,
    cap: &Cap,
    counted_before: i64,
    at: FieldPath,
) -> Result<Fault, OpError> {
    let code = &cap.def.cap_code;
    let remaining = money((cap.amount_minor - counted_before).max(0));
    let amount = money(cap.amount_minor);
    let n = sub.subscription_number;
    let fault = rule(
        Code::SpendCapExceeded,
        at,
        format!(
            "would pass spend cap {code} ({}, {} {amount}): {remaining} left until {}",
            cap.def.description,
            cap.def.cap_type.as_str(),
            period.end
        ),
    );
    if usage::breached_caps(c, n, period.start)?.contains(code) {
        return Ok(fault);
    }
    let text = format!(
        "Your spend cap {code} ({}) of {amount} is reached for the bill period to {}: \
         further chargeable usage is barred until then, or until the cap is raised.",
        cap.def.description, period.end
    );
    let sms = otp::delivery_address(c, OtpDeliveryChannel::Sms, sub.account_number, Some(n))?;
    let (channel, address) = match sms {
        Some(a) => ("SMS", Some(a)),
        None => (
            "Email",
            otp::delivery_address(c, OtpDeliveryChannel::Email, sub.account_number, Some(n))?,
        ),
    };
    if let Some(address) = address {
        outbox::send(ctx, c, BREACH_NOTICE, channel, &address, text)?;
    }
    let now = ctx.now();
    let notes = format!(
        "Usage refused: it would pass spend cap {code} ({} {amount}); {remaining} left in the bill period {}..{}",
        cap.def.cap_type.as_str(),
        period.start,
        period.end
    );
    let event_number = workflow::record_system_event(
        ctx,
        c,
        (WorkflowLevel::Subscription, n.to_string()),
        (BREACH_EVENT_TYPE, BREACH_EVENT_CODE),
        None,
        notes,
    )?;
    usage::insert_breach(
        c,
        &usage::BreachRow {
            subscription_number: n,
            period_start: period.start,
            cap_code: code.clone(),
            breached_at: now,
            event_number,
        },
    )?;
    ctx.audit(c, "subscription", n)?;
    Ok(fault)
}

/// The subscription's current and future caps, each with what it leaves in its first bill
/// period from `today` on (the current one, or the one it starts in).
fn answer(
    c: &mut DbConn,
    s: &Snapshot,
    sub: &subs::Subscription,
    today: NaiveDate,
) -> Result<Vec<SubscriptionSpendCap>, OpError> {
    let n = sub.subscription_number;
    let cycle = billing_cycle(c, sub)?;
    let packages = subs::packages(c, n)?;
    let services = details::services(c, n)?;
    let rows = usage::caps(c, n)?;
    let mut answer = Vec::new();
    for cap in caps_of(s, sub, &rows)
        .iter()
        .filter(|cap| cap.expiry_date.is_none_or(|e| e > today))
    {
        let period = period_containing(cap.effective_date.max(today), cycle);
        let fixed_charges = fixed_charges_minor(s, &packages, &services, period);
        let usage_charges = usage::period(c, n, period.start)?.map_or(0, |p| p.charged_minor);
        answer.push(SubscriptionSpendCap {
            cap_code: cap.def.cap_code.clone(),
            description: cap.def.description.clone(),
            amount: money(cap.amount_minor),
            cap_type: cap.def.cap_type,
            remaining: money((cap.amount_minor - cap.counted(fixed_charges, usage_charges)).max(0)),
            effective_date: cap.effective_date,
            expiry_date: cap.expiry_date,
        });
    }
    Ok(answer)
}

pub fn get_subscription_spend_cap(
    ctx: &Context,
    req: GetSubscriptionSpendCapRequest,
) -> OpResult<GetSubscriptionSpendCapResponse> {
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let cap = ctx.read(|c| {
        let sub = subs::get(c, req.subscription_number)?.ok_or_else(|| {
            not_found(GetSubscriptionSpendCapRequest::path().subscription_number())
        })?;
        answer(c, &s, &sub, today)
    })?;
    Ok(GetSubscriptionSpendCapResponse {
        external_reference: req.external_reference,
        cap,
    })
}

/// Each cap (a catalogue definition) replaces the subscription's cap of that code from
/// its effective date (default today, not in the past); answers the caps.
pub fn set_subscription_spend_cap(
    ctx: &Context,
    req: SetSubscriptionSpendCapRequest,
) -> OpResult<SetSubscriptionSpendCapResponse> {
    let path = SetSubscriptionSpendCapRequest::path;
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let mut errors = Vec::new();
    for (i, cap) in req.cap.iter().enumerate() {
        if rating::spend_cap(&s, &cap.cap_code).is_none() {
            errors.push(unknown_ref(path().cap().nth(i).cap_code()));
        }
        if cap.effective_date.is_some_and(|d| d < today) {
            errors.push(FieldError::on(
                Code::DateNotAllowed,
                path().cap().nth(i).effective_date(),
                "is in the past",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Fault::validation(errors));
    }
    let now = ctx.now();
    let n = req.subscription_number;
    let cap = ctx.write(|c| {
        // Locks the subscription row: caps of one subscription change in turn.
        if !usage::lock_subscription(c, n)? {
            return Err(not_found(path().subscription_number()).into());
        }
        let sub = subs::get(c, n)?.ok_or_else(|| not_found(path().subscription_number()))?;
        refuse_disconnected(&sub, path().subscription_number())?;
        for cap in &req.cap {
            usage::replace_cap(
                c,
                &usage::SpendCapRow {
                    subscription_number: n,
                    cap_code: cap.cap_code.clone(),
                    effective_date: cap.effective_date.unwrap_or(today),
                    amount_minor: minor(cap.amount),
                    expiry_date: None,
                    created_at: now,
                },
            )?;
        }
        ctx.audit(c, "subscription", n)?;
        answer(c, &s, &sub, today)
    })?;
    Ok(SetSubscriptionSpendCapResponse {
        external_reference: req.external_reference,
        cap,
    })
}
