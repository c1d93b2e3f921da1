//! What the catalogue says about usage: the out-of-bundle rate card (`outOfBundleRates`:
//! a price per unit for each price plan and usage type) and the spend cap definitions
//! (`spendCaps`), checked with the rest of the document on import.

use std::collections::HashSet;

use chrono::NaiveDate;
use cmp_model::messages::{
    AllowanceUnit, Catalogue, OutOfBundleRate, SpendCapDefinition, UsageType,
};
use cmp_model::{Code, Decimal, FieldError};
use cmp_store::repo::usage;
use cmp_store::DbConn;

use super::{plans_of, Snapshot};
use crate::error::OpError;

/// The unit usage of a type is counted in, and the allowances it draws on.
pub fn unit_of(t: UsageType) -> AllowanceUnit {
    match t {
        UsageType::Voice => AllowanceUnit::Minutes,
        UsageType::Sms => AllowanceUnit::Sms,
        UsageType::Data => AllowanceUnit::Mb,
    }
}

fn rates_of(doc: &Catalogue) -> &[OutOfBundleRate] {
    doc.out_of_bundle_rates.as_ref().map_or(&[], |r| &r.rate)
}

/// The price on plan `plan_code` of one unit of out-of-bundle usage of type `t`, if the
/// plan sells any.
pub fn out_of_bundle_rate(s: &Snapshot, plan_code: &str, t: UsageType) -> Option<Decimal> {
    rates_of(&s.doc)
        .iter()
        .find(|r| r.price_plan_code == plan_code && r.usage_type == t)
        .map(|r| r.price)
}

fn caps_of(doc: &Catalogue) -> &[SpendCapDefinition] {
    doc.spend_caps.as_ref().map_or(&[], |c| &c.spend_cap)
}

/// Every spend cap definition, in catalogue order.
pub fn spend_caps(s: &Snapshot) -> &[SpendCapDefinition] {
    caps_of(&s.doc)
}

/// The spend cap definition `code`.
pub fn spend_cap<'a>(s: &'a Snapshot, code: &str) -> Option<&'a SpendCapDefinition> {
    spend_caps(s).iter().find(|c| c.cap_code == code)
}

/// The usage parts of the document: cap codes unique; each rate names a price plan, one
/// rate per plan and usage type.
pub(super) fn validate(doc: &Catalogue) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (i, cap) in caps_of(doc).iter().enumerate() {
        if !seen.insert(cap.cap_code.as_str()) {
            errors.push(FieldError::on(
                Code::DuplicateCode,
                Catalogue::path().spend_caps().spend_cap().nth(i).cap_code(),
                "is used by another spend cap",
            ));
        }
    }
    let plans: HashSet<&str> = plans_of(doc).iter().map(|p| p.code.as_str()).collect();
    let mut seen = HashSet::new();
    for (i, rate) in rates_of(doc).iter().enumerate() {
        let at = || Catalogue::path().out_of_bundle_rates().rate().nth(i);
        if !plans.contains(rate.price_plan_code.as_str()) {
            errors.push(FieldError::on(
                Code::UnknownReference,
                at().price_plan_code(),
                format!("names no price plan ({})", rate.price_plan_code),
            ));
        }
        if !seen.insert((rate.price_plan_code.as_str(), rate.usage_type)) {
            errors.push(FieldError::on(
                Code::DuplicateCode,
                at().usage_type(),
                format!(
                    "gives price plan {} a second {} rate",
                    rate.price_plan_code,
                    rate.usage_type.as_str()
                ),
            ));
        }
    }
    errors
}

/// Inside the import transaction: the cap definitions that subscriptions still carry
/// must stay in the catalogue.
pub(super) fn caps_still_used(
    c: &mut DbConn,
    previous: &Snapshot,
    next: &Snapshot,
    today: NaiveDate,
) -> Result<Vec<FieldError>, OpError> {
    let mut errors = Vec::new();
    for cap in spend_caps(previous)
        .iter()
        .filter(|p| spend_cap(next, &p.cap_code).is_none())
    {
        let n = usage::count_using_cap(c, &cap.cap_code, today)?;
        if n > 0 {
            errors.push(FieldError::on(
                Code::InUse,
                Catalogue::path().spend_caps(),
                format!(
                    "must keep spend cap {}: {n} subscriptions carry it",
                    cap.cap_code
                ),
            ));
        }
    }
    Ok(errors)
}
