//! Subscriptions (SERVICES.md §1) and their bolt-on packages (§4 AddSubscriptionPackage,
//! ExpireSubscriptionPackage; DOMAIN.md, Eligibility and compatibility).

use chrono::{Months, NaiveDate};
use cmp_model::messages::{
    AddSubscriptionPackageRequest, AddSubscriptionPackageResponse, BasePackage, Contract,
    CreateSubscriptionRequest, CreateSubscriptionResponse, ExpireSubscriptionPackageRequest,
    ExpireSubscriptionPackageResponse, GetSubscriptionRequest, GetSubscriptionResponse,
    GetSubscriptionsRequest, GetSubscriptionsResponse, Identities, Identity, ManagedSerialNumber,
    ManagedSerialNumbers, NonManagedSerialNumber, NonManagedSerialNumbers, PackageClassification,
    Subscription, SubscriptionPackage, SubscriptionPackages, SubscriptionStatus, SubscriptionsMeta,
};
use cmp_model::{Fault, FieldError};
use cmp_store::repo::subscriptions::{
    self as subs, IdentityRow, SerialNumberRow, SubscriptionFilter, SubscriptionPackageRow,
};
use cmp_store::repo::{accounts, counters};
use cmp_store::DbConn;

use crate::catalogue::Snapshot;
use crate::eligibility::Asking;
use crate::error::OpError;
use crate::structure::unknown;
use crate::{agreement, Context, OpResult};

const MANAGED: &str = "managed";
const NON_MANAGED: &str = "nonManaged";
/// Page size of GetSubscriptions when the request names none.
pub const DEFAULT_PAGE: i64 = 100;

fn not_found(root: &'static str, field: &'static str) -> Fault {
    Fault::not_found(FieldError::at(
        "NOT_FOUND",
        root,
        &[field],
        "does not exist",
    ))
}

fn rule(code: &'static str, root: &'static str, field: &'static str, phrase: String) -> Fault {
    Fault::rule_on(FieldError::at(code, root, &[field], phrase))
}

/// A subscription on an account: on its plan's base package, under the given agreement or
/// the account's own (one is created at the account when it has none). `activate: false`
/// pre-creates it (`PreActive`, two-phase sign-up).
pub fn create_subscription(
    ctx: &Context,
    req: CreateSubscriptionRequest,
) -> OpResult<CreateSubscriptionResponse> {
    const ROOT: &str = "createSubscription";
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let plan = s
        .plan(&req.price_plan_code)
        .ok_or_else(|| unknown(ROOT, &["pricePlanCode"]))?;
    let on_sale = Asking {
        date: today,
        ..Default::default()
    };
    if !on_sale.allows(plan.effective_date, plan.expiry_date, None) {
        return Err(rule(
            "PLAN_NOT_AVAILABLE",
            ROOT,
            "pricePlanCode",
            "is not on sale today".into(),
        ));
    }
    let active = req.activate != Some(false);
    let term = req
        .contract
        .as_ref()
        .and_then(|c| c.term_months)
        .or(plan.contract.as_ref().map(|c| c.term_months));
    let contract_start = term.map(|_| {
        req.contract
            .as_ref()
            .and_then(|c| c.start_date)
            .unwrap_or(today)
    });
    let now = ctx.now();
    let number = ctx.write(|c| {
        let Some(account) = accounts::get(c, req.account_number)? else {
            return Err(not_found(ROOT, "accountNumber").into());
        };
        let agreement_number = match req.agreement_number {
            Some(n) => {
                if !agreement::for_account(c, &account)?
                    .iter()
                    .any(|a| a.agreement_number == n)
                {
                    return Err(rule(
                        "AGREEMENT_NOT_FOR_ACCOUNT",
                        ROOT,
                        "agreementNumber",
                        "is not an agreement of the account, its corporate or group".into(),
                    )
                    .into());
                }
                n
            }
            None => match agreement::for_account(c, &account)?.first() {
                Some(a) => a.agreement_number,
                None => agreement::insert_default(ctx, c, account.account_number)?,
            },
        };
        for m in req
            .managed_serial_numbers
            .iter()
            .flat_map(|m| &m.managed_serial_number)
        {
            if subs::managed_serial_in_use(c, &m.network_serial_number, None)? {
                return Err(rule(
                    "SERIAL_IN_USE",
                    ROOT,
                    "managedSerialNumbers",
                    "holds a serial number another subscription uses".into(),
                )
                .into());
            }
        }
        let number = counters::next(c, counters::SUBSCRIPTION)?;
        subs::insert(
            c,
            &subs::Subscription {
                subscription_number: number,
                account_number: account.account_number,
                agreement_number,
                status: if active {
                    SubscriptionStatus::Active
                } else {
                    SubscriptionStatus::PreActive
                }
                .as_str()
                .to_string(),
                price_plan_code: plan.code.clone(),
                connected_date: active.then_some(today),
                disconnected_date: None,
                user_name: req.user_name.clone(),
                cost_centre: req.cost_centre.clone(),
                contract_start,
                contract_term_months: term.map(|t| t as i32),
                created_at: now,
                last_amended_at: now,
            },
        )?;
        let base = SubscriptionPackageRow {
            purchase_identifier: counters::next(c, counters::PURCHASE)?,
            subscription_number: number,
            package_code: plan.base_package_code.clone(),
            is_base: true,
            effective_date: today,
            expiry_date: None,
            created_at: now,
        };
        subs::insert_package(c, &base)?;
        for m in req
            .managed_serial_numbers
            .iter()
            .flat_map(|m| &m.managed_serial_number)
        {
            let row = SerialNumberRow {
                subscription_number: number,
                kind: MANAGED.into(),
                enumeration_id: m.enumeration_id as i32,
                value: m.network_serial_number.clone(),
            };
            subs::insert_serial(c, &row)?;
        }
        for m in req
            .non_managed_serial_numbers
            .iter()
            .flat_map(|m| &m.non_managed_serial_number)
        {
            let row = SerialNumberRow {
                subscription_number: number,
                kind: NON_MANAGED.into(),
                enumeration_id: m.enumeration_id as i32,
                value: m.value.clone(),
            };
            subs::insert_serial(c, &row)?;
        }
        for i in req.identities.iter().flat_map(|i| &i.identity) {
            let row = IdentityRow {
                subscription_number: number,
                identity_type: i.identity_type.clone(),
                identity_value: i.identity_value.clone(),
            };
            subs::insert_identity(c, &row)?;
        }
        ctx.audit(c, "subscription", number)?;
        Ok(number)
    })?;
    Ok(CreateSubscriptionResponse {
        external_reference: req.external_reference,
        subscription_number: number,
    })
}

/// A stored subscription as the wire shows it, with its base package details and its
/// current and future bolt-ons.
fn answer(
    c: &mut DbConn,
    s: &Snapshot,
    row: subs::Subscription,
    today: NaiveDate,
) -> Result<Subscription, OpError> {
    let packages = subs::packages(c, row.subscription_number)?;
    let serials = subs::serials(c, row.subscription_number)?;
    let identities = subs::identities(c, row.subscription_number)?;
    let base = packages
        .iter()
        .rev()
        .find(|p| p.is_base && p.expiry_date.is_none_or(|e| e > today))
        .map(|p| {
            let cat = s.package(&p.package_code);
            BasePackage {
                code: p.package_code.clone(),
                description: cat.map_or_else(|| p.package_code.clone(), |c| c.description.clone()),
                effective_date: p.effective_date,
                price: cat
                    .map(|c| crate::compat::package_answer(s, c, None))
                    .and_then(|a| a.price),
            }
        });
    let bolt_ons: Vec<SubscriptionPackage> = packages
        .iter()
        .filter(|p| !p.is_base && p.expiry_date.is_none_or(|e| e > today))
        .map(|p| SubscriptionPackage {
            purchase_identifier: p.purchase_identifier,
            package_code: p.package_code.clone(),
            description: s.package(&p.package_code).map(|c| c.description.clone()),
            effective_date: p.effective_date,
            expiry_date: p.expiry_date,
        })
        .collect();
    let managed: Vec<ManagedSerialNumber> = serials
        .iter()
        .filter(|x| x.kind == MANAGED)
        .map(|x| ManagedSerialNumber {
            enumeration_id: x.enumeration_id as i64,
            network_serial_number: x.value.clone(),
        })
        .collect();
    let non_managed: Vec<NonManagedSerialNumber> = serials
        .iter()
        .filter(|x| x.kind == NON_MANAGED)
        .map(|x| NonManagedSerialNumber {
            enumeration_id: x.enumeration_id as i64,
            value: x.value.clone(),
        })
        .collect();
    let identities: Vec<Identity> = identities
        .into_iter()
        .map(|i| Identity {
            identity_type: i.identity_type,
            identity_value: i.identity_value,
        })
        .collect();
    let contract = match (row.contract_start, row.contract_term_months) {
        (Some(start), Some(term)) => Some(Contract {
            start_date: start,
            term_months: term as i64,
            end_date: start + Months::new(term as u32),
        }),
        _ => None,
    };
    Ok(Subscription {
        subscription_number: row.subscription_number,
        account_number: row.account_number,
        agreement_number: row.agreement_number,
        status: SubscriptionStatus::parse(&row.status).unwrap_or(SubscriptionStatus::Active),
        price_plan_code: row.price_plan_code,
        base_package: base,
        connected_date: row.connected_date,
        disconnected_date: row.disconnected_date,
        user_name: row.user_name,
        cost_centre: row.cost_centre,
        managed_serial_numbers: (!managed.is_empty()).then_some(ManagedSerialNumbers {
            managed_serial_number: managed,
        }),
        non_managed_serial_numbers: (!non_managed.is_empty()).then_some(NonManagedSerialNumbers {
            non_managed_serial_number: non_managed,
        }),
        identities: (!identities.is_empty()).then_some(Identities {
            identity: identities,
        }),
        contract,
        packages: (!bolt_ons.is_empty()).then_some(SubscriptionPackages { package: bolt_ons }),
        last_amended_date: row.last_amended_at.and_utc(),
    })
}

pub fn get_subscription(
    ctx: &Context,
    req: GetSubscriptionRequest,
) -> OpResult<GetSubscriptionResponse> {
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let subscription = ctx.read(|c| {
        let row = subs::get(c, req.subscription_number)?
            .ok_or_else(|| not_found("getSubscription", "subscriptionNumber"))?;
        answer(c, &s, row, today)
    })?;
    Ok(GetSubscriptionResponse {
        external_reference: req.external_reference,
        subscription,
    })
}

/// Filters combine with AND; `meta` counts this page (`recordCount`), its Active ones
/// (`activeRecordCount`) and every match (`totalCount`).
pub fn get_subscriptions(
    ctx: &Context,
    req: GetSubscriptionsRequest,
) -> OpResult<GetSubscriptionsResponse> {
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let filter = SubscriptionFilter {
        account_number: req.account_id,
        non_managed_serial_number: req.non_managed_serial_number.clone(),
        serial_number: req.serial_number.clone(),
        identity_type: req.identity_type.clone(),
        identity_value: req.identity_value.clone(),
        status: req.status.map(|x| x.as_str().to_string()),
    };
    let (offset, limit) = (req.offset.unwrap_or(0), req.limit.unwrap_or(DEFAULT_PAGE));
    let (subscription, total) = ctx.read(|c| {
        let (rows, total) = subs::list(c, &filter, offset, limit)?;
        let page = rows
            .into_iter()
            .map(|r| answer(c, &s, r, today))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((page, total))
    })?;
    let active = subscription
        .iter()
        .filter(|x| x.status == SubscriptionStatus::Active)
        .count() as i64;
    Ok(GetSubscriptionsResponse {
        external_reference: req.external_reference,
        meta: SubscriptionsMeta {
            record_count: subscription.len() as i64,
            active_record_count: active,
            total_count: total,
            offset,
            limit,
        },
        subscription,
    })
}

/// Buys a bolt-on: it must be a bolt-on of a group the plan allows, eligible on the
/// effective date for the request's channel, and the group's max must not be passed
/// (`CARDINALITY_EXCEEDED`, naming the group). Each purchase gets its own identifier.
pub fn add_subscription_package(
    ctx: &Context,
    req: AddSubscriptionPackageRequest,
) -> OpResult<AddSubscriptionPackageResponse> {
    const ROOT: &str = "addSubscriptionPackage";
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let on = req.effective_date.unwrap_or(today);
    if on < today {
        return Err(Fault::validation(vec![FieldError::at(
            "OUT_OF_RANGE",
            ROOT,
            &["effectiveDate"],
            "is in the past",
        )]));
    }
    let package = s
        .package(&req.package_code)
        .filter(|p| p.package_classification == PackageClassification::BoltonPackage)
        .ok_or_else(|| unknown(ROOT, &["packageCode"]))?;
    let group_code = package
        .primary_package_group_code
        .clone()
        .unwrap_or_default();
    let now = ctx.now();
    let purchase = ctx.write(|c| {
        // Locks the subscription row: two purchases on one subscription take turns, so
        // the cardinality check below cannot be raced.
        if !subs::touch(c, req.subscription_number, now)? {
            return Err(not_found(ROOT, "subscriptionNumber").into());
        }
        let sub = subs::get(c, req.subscription_number)?
            .ok_or_else(|| not_found(ROOT, "subscriptionNumber"))?;
        if sub.status == SubscriptionStatus::Disconnected.as_str() {
            return Err(rule(
                "SUBSCRIPTION_DISCONNECTED",
                ROOT,
                "subscriptionNumber",
                "is disconnected".into(),
            )
            .into());
        }
        let plan = s.plan(&sub.price_plan_code);
        let allowed = plan.is_some_and(|p| {
            p.package_groups
                .iter()
                .flat_map(|g| &g.package_group_code)
                .any(|g| *g == group_code)
        });
        if !allowed {
            return Err(rule(
                "PACKAGE_NOT_COMPATIBLE",
                ROOT,
                "packageCode",
                format!("is not offered on price plan {}", sub.price_plan_code),
            )
            .into());
        }
        let asking = Asking::new(req.eligibility_rules.as_ref(), on);
        if !asking.allows(
            package.effective_date,
            package.expiry_date,
            package.eligibility.as_ref(),
        ) {
            return Err(rule(
                "NOT_ELIGIBLE",
                ROOT,
                "packageCode",
                format!("is not eligible on {on} for this request"),
            )
            .into());
        }
        if let Some(group) = s.group(&group_code) {
            let held = subs::active_packages(c, sub.subscription_number, on)?
                .iter()
                .filter(|p| !p.is_base)
                .filter(|p| {
                    s.package(&p.package_code)
                        .and_then(|x| x.primary_package_group_code.as_deref())
                        == Some(group_code.as_str())
                })
                .count() as i64;
            if group.max.is_some_and(|max| held + 1 > max) {
                let why = group
                    .violation_text
                    .clone()
                    .unwrap_or_else(|| format!("at most {} may be held", group.max.unwrap_or(0)));
                return Err(rule(
                    "CARDINALITY_EXCEEDED",
                    ROOT,
                    "packageCode",
                    format!(
                        "would pass the limit of package group {}: {why}",
                        group.code
                    ),
                )
                .into());
            }
        }
        let purchase = counters::next(c, counters::PURCHASE)?;
        subs::insert_package(
            c,
            &SubscriptionPackageRow {
                purchase_identifier: purchase,
                subscription_number: sub.subscription_number,
                package_code: package.code.clone(),
                is_base: false,
                effective_date: on,
                expiry_date: package
                    .duration_in_months
                    .filter(|m| *m > 0)
                    .map(|m| on + Months::new(m as u32)),
                created_at: now,
            },
        )?;
        ctx.audit(c, "subscriptionPackage", purchase)?;
        Ok(purchase)
    })?;
    Ok(AddSubscriptionPackageResponse {
        external_reference: req.external_reference,
        purchase_identifier: purchase,
    })
}

/// Ends a bolt-on (today, or on `expiryDate`); never the base package, and not below the
/// group's minimum.
pub fn expire_subscription_package(
    ctx: &Context,
    req: ExpireSubscriptionPackageRequest,
) -> OpResult<ExpireSubscriptionPackageResponse> {
    const ROOT: &str = "expireSubscriptionPackage";
    let s = ctx.catalogue.current(ctx)?;
    let today = ctx.clock.today();
    let expiry = req.expiry_date.unwrap_or(today);
    if expiry < today {
        return Err(Fault::validation(vec![FieldError::at(
            "OUT_OF_RANGE",
            ROOT,
            &["expiryDate"],
            "is in the past",
        )]));
    }
    let now = ctx.now();
    ctx.write(|c| {
        if !subs::touch(c, req.subscription_number, now)? {
            return Err(not_found(ROOT, "subscriptionNumber").into());
        }
        let p = subs::get_package(c, req.purchase_identifier)?
            .filter(|p| p.subscription_number == req.subscription_number)
            .ok_or_else(|| not_found(ROOT, "purchaseIdentifier"))?;
        if p.is_base {
            return Err(rule(
                "BASE_PACKAGE",
                ROOT,
                "purchaseIdentifier",
                "is the base package: change the price plan instead".into(),
            )
            .into());
        }
        if p.expiry_date.is_some_and(|e| e <= today) {
            return Err(rule(
                "ALREADY_EXPIRED",
                ROOT,
                "purchaseIdentifier",
                "has already expired".into(),
            )
            .into());
        }
        let group_code = s
            .package(&p.package_code)
            .and_then(|x| x.primary_package_group_code.clone());
        if let Some(group) = group_code
            .as_deref()
            .and_then(|g| s.group(g))
            .filter(|g| g.min > 0)
        {
            let held = subs::active_packages(c, p.subscription_number, today)?
                .iter()
                .filter(|x| !x.is_base)
                .filter(|x| {
                    s.package(&x.package_code)
                        .and_then(|y| y.primary_package_group_code.as_deref())
                        == Some(group.code.as_str())
                })
                .count() as i64;
            if held - 1 < group.min {
                return Err(rule(
                    "CARDINALITY_MINIMUM",
                    ROOT,
                    "purchaseIdentifier",
                    format!(
                        "would leave package group {} below its minimum of {}",
                        group.code, group.min
                    ),
                )
                .into());
            }
        }
        subs::expire_package(c, p.purchase_identifier, expiry.max(p.effective_date))?;
        ctx.audit(c, "subscriptionPackage", p.purchase_identifier)?;
        Ok(())
    })?;
    Ok(ExpireSubscriptionPackageResponse {
        external_reference: req.external_reference,
        purchase_identifier: req.purchase_identifier,
        expiry_date: expiry,
    })
}
