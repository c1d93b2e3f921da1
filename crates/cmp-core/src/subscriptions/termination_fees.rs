//! GetTerminationFees (SERVICES.md §4, release notes 3.7.1.2) and the fee an immediate
//! disconnection records (DOMAIN.md "Termination fees"): for a termination on date D, if
//! the contract ends after D, the early termination fee is the remaining whole months
//! (rounded up) × the plan's monthly price × the plan's percentage (100 % when the plan
//! names none), plus the plan's fixed fee; out of contract (or with none) nothing.

use chrono::{Months, NaiveDate};
use cmp_model::messages::{
    CataloguePricePlan, GetTerminationFeesRequest, GetTerminationFeesResponse, TerminationFee,
};
use cmp_store::repo::subscriptions as subs;

use super::details::refuse_disconnected;
use super::usage::{minor, money};
use crate::faults::not_found;
use crate::{Context, OpResult};

/// The fee line of the early termination charge (months × price × percentage), when the
/// plan's termination fee rule names no code and description of its own.
pub const EARLY_FEE: (&str, &str) = ("ETF", "Early termination fee");
/// The fee line of the plan's fixed termination fee, likewise.
pub const FIXED_FEE: (&str, &str) = ("ETFFIX", "Fixed termination fee");

/// What terminating on a date costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fees {
    pub contract_end: Option<NaiveDate>,
    /// Whole months from the date to the contract's end, rounded up (0 out of contract).
    pub remaining_months: u32,
    /// (code, description, amount in minor units); empty out of contract.
    pub lines: Vec<(String, String, i64)>,
}

impl Fees {
    pub fn total_minor(&self) -> i64 {
        self.lines.iter().map(|l| l.2).sum()
    }
}

/// The end of a contract of `term` months from `start` (the first day out of contract).
pub fn contract_end(start: NaiveDate, term: u32) -> NaiveDate {
    start + Months::new(term)
}

/// The whole months from `on` to `end`, the last one partial counting as whole: the
/// fewest months m with on + m months ≥ end. 0 when `on` is not before `end`.
pub fn remaining_months(on: NaiveDate, end: NaiveDate) -> u32 {
    let mut m = 0;
    while on + Months::new(m) < end {
        m += 1;
    }
    m
}

/// The fees of terminating on `on` a subscription on `plan` whose contract runs from
/// `start` for `term` months (`None`: no contract).
pub fn fees_on(
    on: NaiveDate,
    contract: Option<(NaiveDate, u32)>,
    plan: &CataloguePricePlan,
) -> Fees {
    let Some((start, term)) = contract else {
        return Fees {
            contract_end: None,
            remaining_months: 0,
            lines: Vec::new(),
        };
    };
    let end = contract_end(start, term);
    let months = remaining_months(on.max(start), end);
    let mut lines = Vec::new();
    if months > 0 {
        let rule = plan.termination_fee.as_ref();
        // Hundredths of a percent (the catalogue's percentage has two decimals), so the
        // arithmetic is exact in integers; half a penny rounds up.
        let basis_points = rule.and_then(|r| r.percentage).map_or(10_000, minor) as i128;
        let ten_thousandths = months as i128 * minor(plan.price) as i128 * basis_points;
        let early = ((ten_thousandths + 5_000) / 10_000) as i64;
        let named = |code: Option<&String>, description: Option<&String>, default: (&str, &str)| {
            (
                code.map_or(default.0, String::as_str).to_string(),
                description.map_or(default.1, String::as_str).to_string(),
            )
        };
        let (code, description) = named(
            rule.and_then(|r| r.code.as_ref()),
            rule.and_then(|r| r.description.as_ref()),
            EARLY_FEE,
        );
        lines.push((code, description, early));
        if let Some(fixed) = rule.and_then(|r| r.fixed_fee).filter(|f| !f.is_zero()) {
            let (code, description) = named(
                rule.and_then(|r| r.fixed_fee_code.as_ref()),
                rule.and_then(|r| r.fixed_fee_description.as_ref()),
                FIXED_FEE,
            );
            lines.push((code, description, minor(fixed)));
        }
    }
    Fees {
        contract_end: Some(end),
        remaining_months: months,
        lines,
    }
}

/// The stored subscription's contract, as [`fees_on`] takes it.
pub(crate) fn contract_of(sub: &subs::Subscription) -> Option<(NaiveDate, u32)> {
    match (sub.contract_start, sub.contract_term_months) {
        (Some(start), Some(term)) if term > 0 => Some((start, term as u32)),
        _ => None,
    }
}

/// `GET /subscriptions/{id}/terminationFees?terminationDate=`: any date (default today).
pub fn get_termination_fees(
    ctx: &Context,
    req: GetTerminationFeesRequest,
) -> OpResult<GetTerminationFeesResponse> {
    let path = GetTerminationFeesRequest::path;
    let s = ctx.catalogue.current(ctx)?;
    let on = req.termination_date.unwrap_or_else(|| ctx.clock.today());
    let sub = ctx
        .read(|c| Ok(subs::get(c, req.subscription_number)?))?
        .ok_or_else(|| not_found(path().subscription_number()))?;
    refuse_disconnected(&sub, path().subscription_number())?;
    let fees = match s.plan(&sub.price_plan_code) {
        Some(plan) => fees_on(on, contract_of(&sub), plan),
        None => fees_on(on, None, &CataloguePricePlan::default()),
    };
    Ok(GetTerminationFeesResponse {
        external_reference: req.external_reference,
        termination_date: on,
        contract_end_date: fees.contract_end,
        remaining_months: fees.remaining_months as i64,
        total_amount: money(fees.total_minor()),
        fee: fees
            .lines
            .iter()
            .map(|(code, description, amount)| TerminationFee {
                code: code.clone(),
                description: description.clone(),
                amount: money(*amount),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cmp_model::messages::TerminationFeeRule;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn plan(price: &str, percentage: Option<&str>, fixed: Option<&str>) -> CataloguePricePlan {
        CataloguePricePlan {
            price: price.parse().unwrap(),
            termination_fee: Some(TerminationFeeRule {
                percentage: percentage.map(|p| p.parse().unwrap()),
                fixed_fee: fixed.map(|f| f.parse().unwrap()),
                ..TerminationFeeRule::default()
            }),
            ..CataloguePricePlan::default()
        }
    }

    fn lines(l: &[(&str, &str, i64)]) -> Vec<(String, String, i64)> {
        l.iter()
            .map(|(c, d, a)| (c.to_string(), d.to_string(), *a))
            .collect()
    }

    #[test]
    fn the_catalogue_names_the_fee_lines() {
        let mut p = plan("45.00", None, Some("50.00"));
        let rule = p.termination_fee.as_mut().unwrap();
        rule.code = Some("EARLY".into());
        rule.description = Some("Leaving early".into());
        rule.fixed_fee_code = Some("ADMIN".into());
        rule.fixed_fee_description = Some("Handset recovery".into());
        let f = fees_on(d(2027, 6, 20), contract(), &p);
        assert_eq!(
            f.lines,
            lines(&[
                ("EARLY", "Leaving early", 7 * 4500),
                ("ADMIN", "Handset recovery", 5000)
            ])
        );
    }

    /// A 24-month contract from 2026-01-15: it ends (is out of contract from) 2028-01-15.
    const START: (i32, u32, u32) = (2026, 1, 15);

    fn contract() -> Option<(NaiveDate, u32)> {
        Some((d(START.0, START.1, START.2), 24))
    }

    #[test]
    fn in_contract_the_remaining_months_round_up() {
        // 2026-03-01 → 2028-01-15: 22 whole months and a bit: 23.
        let f = fees_on(
            d(2026, 3, 1),
            contract(),
            &plan("27.00", Some("75.00"), None),
        );
        assert_eq!(f.contract_end, Some(d(2028, 1, 15)));
        assert_eq!(f.remaining_months, 23);
        // 23 × 27.00 × 75 % = 465.75
        assert_eq!(f.lines, lines(&[("ETF", "Early termination fee", 46575)]));
        // On a month day of the start: exactly 22 months left.
        let f = fees_on(
            d(2026, 3, 15),
            contract(),
            &plan("27.00", Some("75.00"), None),
        );
        assert_eq!(f.remaining_months, 22);
        assert_eq!(f.total_minor(), 44550);
    }

    #[test]
    fn the_fixed_fee_is_added_and_the_percentage_defaults_to_all() {
        let f = fees_on(
            d(2027, 6, 20),
            contract(),
            &plan("45.00", None, Some("50.00")),
        );
        // 2027-06-20 → 2028-01-15: 6 months and 26 days: 7.
        assert_eq!(f.remaining_months, 7);
        assert_eq!(
            f.lines,
            lines(&[
                ("ETF", "Early termination fee", 7 * 4500),
                ("ETFFIX", "Fixed termination fee", 5000)
            ])
        );
        assert_eq!(f.total_minor(), 36500);
        // Before the contract starts the whole term is owed.
        let f = fees_on(d(2025, 12, 1), contract(), &plan("10.00", None, None));
        assert_eq!(f.remaining_months, 24);
    }

    #[test]
    fn in_the_last_month_one_month_is_owed() {
        let p = plan("19.00", Some("75.00"), Some("25.00"));
        for day in [d(2027, 12, 15), d(2027, 12, 20), d(2028, 1, 14)] {
            let f = fees_on(day, contract(), &p);
            assert_eq!(f.remaining_months, 1, "{day}");
            // 1 × 19.00 × 75 % = 14.25, + 25.00
            assert_eq!(f.total_minor(), 1425 + 2500, "{day}");
        }
    }

    #[test]
    fn out_of_contract_nothing_is_owed() {
        let p = plan("19.00", Some("75.00"), Some("25.00"));
        for day in [d(2028, 1, 15), d(2029, 5, 1)] {
            let f = fees_on(day, contract(), &p);
            assert_eq!(f.remaining_months, 0);
            assert!(f.lines.is_empty());
            assert_eq!(f.total_minor(), 0);
        }
        let none = fees_on(d(2026, 3, 1), None, &p);
        assert_eq!((none.contract_end, none.total_minor()), (None, 0));
    }

    #[test]
    fn half_pennies_round_away_from_zero() {
        // 1 × 12.50 × 33.33 % = 4.16625 → 4.17
        let f = fees_on(
            d(2028, 1, 1),
            contract(),
            &plan("12.50", Some("33.33"), None),
        );
        assert_eq!(f.total_minor(), 417);
        // 3 × 0.05 × 50 % = 0.075 → 0.08
        let f = fees_on(
            d(2027, 11, 1),
            contract(),
            &plan("0.05", Some("50.00"), None),
        );
        assert_eq!((f.remaining_months, f.total_minor()), (3, 8));
    }
}
