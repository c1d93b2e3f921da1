//! GetAllowances (SERVICES.md §4; DOMAIN.md "Allowances"; release notes 3.7.2.3): every
//! allowance service of the base package and of each live bolt-on gives an allowance per
//! bill period. Bolt-on allowances carry the purchase identifier of the bolt-on; the base
//! package's have none.

use std::collections::HashMap;

use chrono::NaiveDate;
use cmp_model::messages::{
    Allowance, AllowanceUnit, CatalogueService, GetAllowancesRequest, GetAllowancesResponse,
    SubscriptionAllowance,
};
use cmp_store::repo::subscriptions::{self as subs, SubscriptionPackageRow};
use cmp_store::repo::usage;

use super::usage::bill_period;
use crate::catalogue::Snapshot;
use crate::faults::not_found;
use crate::{Context, OpResult};

/// One allowance a subscription holds: a service with an allowance in one of its
/// purchased packages.
pub(crate) struct Held<'a> {
    pub package: &'a SubscriptionPackageRow,
    pub service: &'a CatalogueService,
    pub unit: AllowanceUnit,
    /// `None`: unlimited.
    pub total: Option<i64>,
}

/// What allowance draws are kept under: the purchase and the service.
pub(crate) type DrawKey = (i64, String);

impl Held<'_> {
    pub fn key(&self) -> DrawKey {
        (self.package.purchase_identifier, self.service.code.clone())
    }
}

/// The allowances of the packages in force on `day`: the base package's first, then each
/// bolt-on's by purchase, each package's in its service order.
pub(crate) fn held_on<'a>(
    s: &'a Snapshot,
    packages: &'a [SubscriptionPackageRow],
    day: NaiveDate,
) -> Vec<Held<'a>> {
    let live = |p: &&SubscriptionPackageRow| {
        p.effective_date <= day && p.expiry_date.is_none_or(|e| e > day)
    };
    let base = packages.iter().filter(live).filter(|p| p.is_base);
    let bolt_ons = packages.iter().filter(live).filter(|p| !p.is_base);
    base.chain(bolt_ons)
        .flat_map(|p| {
            let services = s
                .package(&p.package_code)
                .into_iter()
                .flat_map(|cat| cat.service_codes.iter().flat_map(|c| &c.service_code))
                .filter_map(|code| s.service(code));
            services.filter_map(move |service| {
                let a = service.allowance.as_ref()?;
                Some(Held {
                    package: p,
                    service,
                    unit: a.unit,
                    total: match a.quantity {
                        Allowance::Amount(n) => Some(n),
                        Allowance::Unlimited(true) => None,
                        Allowance::Unlimited(false) => Some(0),
                    },
                })
            })
        })
        .collect()
}

/// Draw-down order (*choice*): bolt-ons before the base package, the bolt-on that expires
/// soonest first (open-ended ones last, then by purchase): what the customer paid extra
/// for, and what would be lost first, goes first.
pub(crate) fn draw_order(held: &mut [Held]) {
    held.sort_by_key(|h| {
        (
            h.package.is_base,
            h.package.expiry_date.is_none(),
            h.package.expiry_date,
            h.package.purchase_identifier,
        )
    });
}

/// What each allowance has used in a period, from its stored draws.
pub(crate) fn used_by_key(draws: Vec<usage::AllowanceDraw>) -> HashMap<DrawKey, i64> {
    draws
        .into_iter()
        .map(|d| ((d.purchase_identifier, d.service_code), d.used))
        .collect()
}

pub fn get_allowances(ctx: &Context, req: GetAllowancesRequest) -> OpResult<GetAllowancesResponse> {
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let allowance = ctx.read(|c| {
        let sub = subs::get(c, req.subscription_number)?
            .ok_or_else(|| not_found(GetAllowancesRequest::path().subscription_number()))?;
        let period = bill_period(c, &sub, today)?;
        let packages = subs::packages(c, sub.subscription_number)?;
        let used = used_by_key(usage::draws(c, sub.subscription_number, period.start)?);
        Ok(held_on(&s, &packages, today)
            .iter()
            .map(|h| {
                let used = used.get(&h.key()).copied().unwrap_or(0);
                SubscriptionAllowance {
                    purchase_identifier: (!h.package.is_base)
                        .then_some(h.package.purchase_identifier),
                    package_code: h.package.package_code.clone(),
                    service_code: h.service.code.clone(),
                    description: h.service.description.clone(),
                    unit: h.unit,
                    total: h.total,
                    unlimited: h.total.is_none().then_some(true),
                    used,
                    remaining: h.total.map(|t| (t - used).max(0)),
                    period_start: period.start,
                    period_end: period.end,
                }
            })
            .collect())
    })?;
    Ok(GetAllowancesResponse {
        external_reference: req.external_reference,
        allowance,
    })
}
