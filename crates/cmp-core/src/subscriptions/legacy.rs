//! SubscriptionPort (CMP 7.3.8): QuerySubscription, CreateSubscription, CreatePackage,
//! ExpirePackage, ManagePackages, UpdateSubscription, UpdateSubscriptionSerialNumbers and
//! SetPostPayCaps (schemas/subscription738.xsd). Each runs the operations of SERVICES.md
//! §1 and §4 with their rules; the faults they answer name the 7.3.8 request's fields
//! ([`relabel`]). An operation made of several runs them in one transaction
//! ([`Context::atomically`]).

use chrono::NaiveDate;
use cmp_model::messages::{
    AddSubscriptionPackageRequest, CapType, ChangeSerialNumbersRequest, ClearableDate,
    CreatePackageRequest, CreateSubscriptionRequest, ExpirePackageRequest,
    ExpireSubscriptionPackageRequest, GetSubscriptionRequest, GetSubscriptionSerialNumbersRequest,
    GetSubscriptionSpendCapRequest, LegacyCapType, LegacyCreateSubscriptionRequest,
    LegacyCreateSubscriptionResponse, LegacyUpdateSubscriptionRequest, ManagePackagesRequest,
    ManagedSerialNumber, ManagedSerialNumbers, NewContract, NewSpendCap, NonManagedSerialNumber,
    NonManagedSerialNumbers, PackageDataset, PackageTarget, PackagesDataset, PostPayCaps,
    QueryManagedSerialNumber, QueryManagedSerialNumbers, QueryNonManagedSerialNumber,
    QueryNonManagedSerialNumbers, QueryPostPayCap, QueryPostPayCaps, QuerySubscriptionDataset,
    QuerySubscriptionRequest, QuerySubscriptionResponse, SerialNumberChoice, SerialNumberKind,
    SerialNumbersDataset, ServiceDetail, ServiceDetails, SetPostPayCapsRequest,
    SetSubscriptionSpendCapRequest, Subscription, SubscriptionBasic, SubscriptionQueryData,
    SubscriptionStatus, UpdateResponse, UpdateSubscriptionRequest,
    UpdateSubscriptionSerialNumbersRequest,
};
use cmp_model::{Code, DateTime, Decimal, Fault, FieldPath};
use cmp_store::repo::subscriptions::{self as subs, SubscriptionFilter};
use cmp_store::repo::{accounts, agreements as agreement_rows};

use crate::faults::{invalid, not_found, stale};
use crate::{agreements, Context, OpResult};

/// Renames the field paths of a fault answered by an operation this one runs, from that
/// operation's request to the 7.3.8 request: the first pair whose `from` (names from the
/// root, indices ignored) begins an error's path replaces that part with `to`, keeping
/// what follows. A segment of `to` takes the index of the matched segment of its name,
/// unless it has its own.
pub(crate) fn relabel(mut f: Fault, map: &[(FieldPath, FieldPath)]) -> Fault {
    for e in &mut f.errors {
        let Some((from, to)) = map.iter().find(|(from, _)| {
            from.segs().len() <= e.path.len()
                && from
                    .segs()
                    .iter()
                    .zip(&e.path)
                    .all(|(a, b)| a.name == b.name)
        }) else {
            continue;
        };
        let matched: Vec<_> = e.path.drain(..from.segs().len()).collect();
        let mut head: Vec<_> = to.segs().to_vec();
        for seg in head.iter_mut().filter(|s| s.index.is_none()) {
            seg.index = matched
                .iter()
                .find(|m| m.name == seg.name)
                .and_then(|m| m.index);
        }
        head.append(&mut e.path);
        e.path = head;
    }
    f
}

/// `from` → `to` pairs of [`relabel`], the generated paths on both sides.
macro_rules! renames {
    ($($from:expr => $to:expr),* $(,)?) => {
        [$((FieldPath::from($from), FieldPath::from($to))),*]
    };
}

/// The subscription a 7.3.8 request names: by number, or by its primary serial number
/// (managed serial number 1) among the subscriptions not disconnected.
fn subscription_named(
    ctx: &Context,
    number: Option<i64>,
    serial: Option<&str>,
    serial_path: FieldPath,
) -> OpResult<i64> {
    if let Some(n) = number {
        return Ok(n);
    }
    let serial = serial.unwrap_or_default().to_string();
    let filter = SubscriptionFilter {
        serial_number: Some(serial.clone()),
        ..Default::default()
    };
    let found = ctx.read(|c| {
        let (rows, _) = subs::list(c, &filter, 0, 100)?;
        for row in rows
            .into_iter()
            .filter(|r| r.status != SubscriptionStatus::Disconnected.as_str())
        {
            let primary = subs::serials(c, row.subscription_number)?
                .into_iter()
                .any(|s| s.kind == "managed" && s.enumeration_id == 1 && s.value == serial);
            if primary {
                return Ok(Some(row.subscription_number));
            }
        }
        Ok(None)
    })?;
    found.ok_or_else(|| not_found(serial_path))
}

fn wants(req: &QuerySubscriptionRequest, d: QuerySubscriptionDataset) -> bool {
    req.datasets.as_ref().is_none_or(|s| s.dataset.contains(&d))
}

/// QuerySubscription: the datasets BASIC, SERIALNUMBERS, SERVICES, POSTPAYCAPS and
/// PACKAGES, read from the subscription as GetSubscription answers it, and the life-cycle
/// ones (`legacy_lifecycle::query_datasets`); the other 7.3.8 datasets answer nothing
/// (the gateway holds no such data).
pub fn query_subscription(
    ctx: &Context,
    req: QuerySubscriptionRequest,
) -> OpResult<QuerySubscriptionResponse> {
    use QuerySubscriptionDataset as D;
    let at = || QuerySubscriptionRequest::path().subscription_query_data();
    let number = match &req.subscription_query_data {
        SubscriptionQueryData::SubscriptionNumber(n) => {
            subscription_named(ctx, Some(*n), None, at().subscription_number())?
        }
        SubscriptionQueryData::PrimarySerialNumber(s) => {
            subscription_named(ctx, None, Some(s), at().primary_serial_number())?
        }
    };
    let sub = subscription(ctx, number, at().subscription_number())?;
    let subscription_basic = if wants(&req, D::Basic) {
        Some(basic(ctx, &sub)?)
    } else {
        None
    };
    let serial_numbers = if wants(&req, D::Serialnumbers) {
        Some(serial_numbers(ctx, number)?)
    } else {
        None
    };
    let services = wants(&req, D::Services)
        .then(|| services_of(&sub))
        .flatten();
    let post_pay_caps = if wants(&req, D::Postpaycaps) {
        post_pay_caps(ctx, number)?
    } else {
        None
    };
    let packages = if wants(&req, D::Packages) {
        Some(packages_of(ctx, &sub)?)
    } else {
        None
    };
    let wanted = [
        D::TerminationFee,
        D::Upgradeeligibility,
        D::PendingTariffChange,
    ]
    .map(|d| wants(&req, d));
    let life = super::legacy_lifecycle::query_datasets(ctx, number, wanted, at().into())?;
    Ok(QuerySubscriptionResponse {
        external_reference: req.external_reference,
        subscription_basic,
        serial_numbers,
        services,
        post_pay_caps,
        packages,
        termination_fee: life.termination_fee,
        upgrade_eligibility: life.upgrade_eligibility,
        pending_tariff_change: life.pending_tariff_change,
    })
}

/// The subscription as GetSubscription answers it; `NOT_FOUND` on `path`.
fn subscription(ctx: &Context, number: i64, path: FieldPath) -> OpResult<Subscription> {
    let got = super::get_subscription(
        ctx,
        GetSubscriptionRequest {
            external_reference: None,
            subscription_number: number,
        },
    );
    got.map(|r| r.subscription).map_err(|f| {
        relabel(
            f,
            &[(GetSubscriptionRequest::path().subscription_number(), path)],
        )
    })
}

fn basic(ctx: &Context, sub: &Subscription) -> OpResult<SubscriptionBasic> {
    let s = ctx.catalogue.current(ctx)?;
    let (account, company, email) = ctx.read(|c| {
        let account = accounts::get(c, sub.account_number)?;
        let company = accounts::details(c, sub.account_number)?.and_then(|d| d.company_number);
        let email = cmp_store::repo::subscription_details::emails(c, sub.subscription_number)?
            .into_iter()
            .find(|e| e.email_id == 1)
            .map(|e| e.address);
        Ok((account, company, email))
    })?;
    Ok(SubscriptionBasic {
        subscription_number: sub.subscription_number,
        agreement_number: sub.agreement_number,
        account_number: sub.account_number,
        corporate_code: account.as_ref().and_then(|a| a.corporate_code.clone()),
        group_code: account.as_ref().and_then(|a| a.group_code.clone()),
        company_number: company,
        subscription_status: sub.status,
        price_plan_code: sub.price_plan_code.clone(),
        tariff_change_pending: sub.pending_price_plan_change.is_some(),
        tariff_code: sub.price_plan_code.clone(),
        billing_type: s
            .plan(&sub.price_plan_code)
            .and_then(|p| p.billing_type.clone())
            .map(|t| t.chars().take(8).collect()),
        connected_date: sub.connected_date,
        disconnected_date: sub.disconnected_date,
        address_number: account.map(|a| a.customer_number),
        email_address: email,
        last_amended_date: sub.last_amended_date,
    })
}

/// The current serial numbers, each with the day it was given (from the history).
fn serial_numbers(ctx: &Context, number: i64) -> OpResult<SerialNumbersDataset> {
    let all = super::get_subscription_serial_numbers(
        ctx,
        GetSubscriptionSerialNumbersRequest {
            external_reference: None,
            subscription_number: number,
            history: Some(true),
        },
    )?;
    let current: Vec<_> = all
        .history
        .into_iter()
        .flat_map(|h| h.serial_number)
        .filter(|p| p.end_date.is_none())
        .collect();
    let managed: Vec<_> = current
        .iter()
        .filter(|p| p.kind == SerialNumberKind::Managed)
        .map(|p| QueryManagedSerialNumber {
            enumeration_id: p.enumeration_id,
            network_serial_number: p.value.clone(),
            network_effective_date: Some(p.effective_date),
        })
        .collect();
    let non_managed: Vec<_> = current
        .iter()
        .filter(|p| p.kind == SerialNumberKind::NonManaged)
        .map(|p| QueryNonManagedSerialNumber {
            enumeration_id: p.enumeration_id,
            non_managed_serial_number: p.value.clone(),
            network_effective_date: Some(p.effective_date),
        })
        .collect();
    Ok(SerialNumbersDataset {
        serial_numbers: (!managed.is_empty()).then_some(QueryManagedSerialNumbers {
            managed_serial_number: managed,
        }),
        non_managed_serial_numbers: (!non_managed.is_empty()).then_some(
            QueryNonManagedSerialNumbers {
                non_managed_serial_number: non_managed,
            },
        ),
    })
}

fn services_of(sub: &Subscription) -> Option<ServiceDetails> {
    let service: Vec<_> = sub
        .services
        .iter()
        .flat_map(|s| &s.service)
        .map(|s| ServiceDetail {
            service_code: s.service_code.clone(),
            package_code: s.package_code.clone(),
            service_price: Some(s.price),
            description: s.description.clone(),
            effective_date: Some(s.effective_date),
            expiry_date: s.expiry_date,
        })
        .collect();
    (!service.is_empty()).then_some(ServiceDetails { service })
}

/// The spend caps in force and to come; `capConsumption` is the amount less what is left.
fn post_pay_caps(ctx: &Context, number: i64) -> OpResult<Option<QueryPostPayCaps>> {
    let caps = super::spend_caps::get_subscription_spend_cap(
        ctx,
        GetSubscriptionSpendCapRequest {
            external_reference: None,
            subscription_number: number,
        },
    )?;
    let cap: Vec<_> = caps
        .cap
        .into_iter()
        .map(|c| QueryPostPayCap {
            cap_consumption: (c.amount - c.remaining).max(Decimal::ZERO),
            cap_code: c.cap_code,
            description: Some(c.description),
            effective_date: c.effective_date,
            expiry_date: c.expiry_date,
            amount: c.amount,
            cap_type: match c.cap_type {
                CapType::Full => LegacyCapType::Full,
                CapType::Partial => LegacyCapType::Partial,
            },
        })
        .collect();
    Ok((!cap.is_empty()).then_some(QueryPostPayCaps { cap }))
}

/// The base package and the bolt-ons held now or later, priced from the catalogue.
fn packages_of(ctx: &Context, sub: &Subscription) -> OpResult<PackagesDataset> {
    let s = ctx.catalogue.current(ctx)?;
    let priced = |code: &str, effective_date: NaiveDate, expiry_date: Option<NaiveDate>| {
        let answer = s
            .package(code)
            .map(|p| crate::catalogue::compat::package_answer(&s, p, None));
        PackageDataset {
            package_code: code.to_string(),
            effective_date,
            expiry_date,
            price: answer
                .as_ref()
                .and_then(|a| a.price)
                .unwrap_or(Decimal::ZERO),
            discounted_price: answer.and_then(|a| a.discounted_price_at_start),
        }
    };
    let base = sub
        .base_package
        .iter()
        .map(|b| priced(&b.code, b.effective_date, None));
    let bolt_ons = sub
        .packages
        .iter()
        .flat_map(|p| &p.package)
        .map(|p| priced(&p.package_code, p.effective_date, p.expiry_date));
    Ok(PackagesDataset {
        package: base.chain(bolt_ons).collect(),
    })
}

/// CreateSubscription (wrapper child `CreationData`): the subscription on its plan's base
/// package (`PackageCode`, when given, must be it), pre-created (PreActive) with
/// `HoldActivation` true, with its bolt-ons from today and its spend caps, in one
/// transaction.
pub fn legacy_create_subscription(
    ctx: &Context,
    req: LegacyCreateSubscriptionRequest,
) -> OpResult<LegacyCreateSubscriptionResponse> {
    let d = &req.subscription_data;
    let at = || LegacyCreateSubscriptionRequest::path().subscription_data();
    let s = ctx.catalogue.current(ctx)?;
    if let (Some(code), Some(plan)) = (&d.package_code, s.plan(&d.price_plan)) {
        if *code != plan.base_package_code {
            return Err(invalid(
                Code::NotPlanBasePackage,
                at().package_code(),
                format!(
                    "is not the base package of price plan {} ({})",
                    plan.code, plan.base_package_code
                ),
            ));
        }
    }
    let create = CreateSubscriptionRequest {
        external_reference: req.external_reference.clone(),
        account_number: req.account_identifier,
        price_plan_code: d.price_plan.clone(),
        agreement_number: d.agreement_number,
        user_name: d.user_name.clone(),
        cost_centre: d.customer_cost_centre.clone(),
        managed_serial_numbers: d.managed_serial_numbers.clone(),
        non_managed_serial_numbers: d.non_managed_serial_numbers.as_ref().map(|n| {
            NonManagedSerialNumbers {
                non_managed_serial_number: n
                    .non_managed_serial_number
                    .iter()
                    .map(|x| NonManagedSerialNumber {
                        enumeration_id: x.enumeration_id,
                        value: x.non_managed_serial_number.clone(),
                    })
                    .collect(),
            }
        }),
        identities: None,
        contract: d.contract.as_ref().map(|c| NewContract {
            start_date: Some(c.contract_started_on),
            term_months: c.contract_term,
        }),
        activate: Some(d.connection_details.hold_activation != Some(true)),
    };
    let from = CreateSubscriptionRequest::path;
    let created = renames![
        from().account_number() => LegacyCreateSubscriptionRequest::path().account_identifier(),
        from().price_plan_code() => at().price_plan(),
        from().agreement_number() => at().agreement_number(),
        from().cost_centre() => at().customer_cost_centre(),
        from().managed_serial_numbers() => at().managed_serial_numbers(),
        from().non_managed_serial_numbers().non_managed_serial_number().value()
            => at().non_managed_serial_numbers().non_managed_serial_number().non_managed_serial_number(),
        from().non_managed_serial_numbers() => at().non_managed_serial_numbers(),
        from().contract().start_date() => at().contract().contract_started_on(),
        from().contract().term_months() => at().contract().contract_term(),
        FieldPath::root("createSubscription") => FieldPath::root("legacyCreateSubscription"),
    ];
    let number = ctx.atomically(|ctx| {
        let number = super::create_subscription(ctx, create)
            .map_err(|f| relabel(f, &created))?
            .subscription_number;
        for (i, code) in d
            .bolt_on_packages
            .iter()
            .flat_map(|b| &b.package_code)
            .enumerate()
        {
            let add = AddSubscriptionPackageRequest {
                external_reference: None,
                subscription_number: number,
                package_code: code.clone(),
                effective_date: None,
                eligibility_rules: None,
            };
            let here = at().bolt_on_packages().package_code().nth(i);
            super::add_subscription_package(ctx, add).map_err(|f| {
                relabel(
                    f,
                    &renames![
                        AddSubscriptionPackageRequest::path().package_code() => here.clone(),
                        FieldPath::root("addSubscriptionPackage") => at(),
                    ],
                )
            })?;
        }
        if let Some(caps) = &d.post_pay_caps {
            set_caps(ctx, number, caps, at().post_pay_caps())?;
        }
        Ok(number)
    })?;
    Ok(LegacyCreateSubscriptionResponse {
        external_reference: req.external_reference,
        subscription_identifier: number,
    })
}

/// SetSubscriptionSpendCap with the 7.3.8 caps at `at` (`PostPayCaps`).
fn set_caps(
    ctx: &Context,
    number: i64,
    caps: &PostPayCaps,
    at: cmp_model::messages::paths::PostPayCaps,
) -> OpResult<()> {
    let set = SetSubscriptionSpendCapRequest {
        external_reference: None,
        subscription_number: number,
        cap: caps
            .cap
            .iter()
            .map(|c| NewSpendCap {
                cap_code: c.cap_code.clone(),
                amount: c.value,
                effective_date: Some(c.effective_date),
            })
            .collect(),
    };
    let from = || SetSubscriptionSpendCapRequest::path().cap();
    let map = renames![
        from().amount() => at.clone().cap().value(),
        from().cap_code() => at.clone().cap().cap_code(),
        from().effective_date() => at.clone().cap().effective_date(),
        from() => at.clone().cap(),
    ];
    super::spend_caps::set_subscription_spend_cap(ctx, set).map_err(|f| relabel(f, &map))?;
    Ok(())
}

/// SetPostPayCaps: as SetSubscriptionSpendCap.
pub fn set_post_pay_caps(ctx: &Context, req: SetPostPayCapsRequest) -> OpResult<UpdateResponse> {
    let path = SetPostPayCapsRequest::path;
    set_caps(ctx, req.subscription_number, &req.post_pay_caps, path().post_pay_caps()).map_err(
        |f| {
            relabel(
                f,
                &renames![SetSubscriptionSpendCapRequest::path().subscription_number() => path().subscription_number()],
            )
        },
    )?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}

/// CreatePackage: as AddSubscriptionPackage from `EffectiveDate`.
pub fn create_package(ctx: &Context, req: CreatePackageRequest) -> OpResult<UpdateResponse> {
    let add = AddSubscriptionPackageRequest {
        external_reference: None,
        subscription_number: req.subscription_number,
        package_code: req.package_code.clone(),
        effective_date: Some(req.effective_date),
        eligibility_rules: None,
    };
    super::add_subscription_package(ctx, add).map_err(|f| {
        relabel(
            f,
            &renames![FieldPath::root("addSubscriptionPackage") => FieldPath::root("createPackage")],
        )
    })?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}

/// The purchase of bolt-on `code` on the subscription that started on `effective` (absent:
/// the one held today or later that ends last); `NOT_FOUND` on `path`.
fn purchase_of(
    ctx: &Context,
    number: i64,
    code: &str,
    effective: Option<NaiveDate>,
    path: FieldPath,
    number_path: FieldPath,
) -> OpResult<i64> {
    let today = ctx.clock.today();
    let found = ctx.read(|c| {
        if subs::get(c, number)?.is_none() {
            return Err(not_found(number_path).into());
        }
        let mut held: Vec<_> = subs::packages(c, number)?
            .into_iter()
            .filter(|p| !p.is_base && p.package_code == code)
            .filter(|p| match effective {
                Some(d) => p.effective_date == d,
                None => p.expiry_date.is_none_or(|e| e > today),
            })
            .collect();
        held.sort_by_key(|p| {
            (
                p.expiry_date.is_none(),
                p.expiry_date,
                p.purchase_identifier,
            )
        });
        Ok(held.last().map(|p| p.purchase_identifier))
    })?;
    found.ok_or_else(|| not_found(path))
}

/// ExpirePackage: the bolt-on `PackageCode` that started on `EffectiveDate` ends on
/// `AsOfDate/Value`, as ExpireSubscriptionPackage.
pub fn expire_package(ctx: &Context, req: ExpirePackageRequest) -> OpResult<UpdateResponse> {
    let path = ExpirePackageRequest::path;
    let expiry = match &req.as_of_date {
        ClearableDate::Value(d) => *d,
        ClearableDate::Clear(_) => {
            return Err(invalid(
                Code::NotSupported,
                path().as_of_date(),
                "Clear is not served: give the date the package ends",
            ))
        }
    };
    let purchase = purchase_of(
        ctx,
        req.subscription_number,
        &req.package_code,
        req.effective_date,
        path().package_code(),
        path().subscription_number(),
    )?;
    expire(
        ctx,
        req.subscription_number,
        purchase,
        expiry,
        [
            path().as_of_date().value(),
            path().package_code(),
            FieldPath::root("expirePackage"),
        ],
    )?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}

/// ExpireSubscriptionPackage of `purchase` on `expiry`; its faults name `at` (the date,
/// the package, and the request under `root`).
fn expire(
    ctx: &Context,
    number: i64,
    purchase: i64,
    expiry: NaiveDate,
    at: [FieldPath; 3],
) -> OpResult<()> {
    let from = ExpireSubscriptionPackageRequest::path;
    let [date, package, root] = at;
    let map = renames![
        from().expiry_date() => date,
        from().purchase_identifier() => package,
        FieldPath::root("expireSubscriptionPackage") => root,
    ];
    super::expire_subscription_package(
        ctx,
        ExpireSubscriptionPackageRequest {
            external_reference: None,
            subscription_number: number,
            purchase_identifier: purchase,
            expiry_date: Some(expiry),
        },
    )
    .map_err(|f| relabel(f, &map))?;
    Ok(())
}

/// ManagePackages: the expiries, then the purchases, all on the as-of date (a date, the
/// next bill date, else today), in one transaction.
pub fn manage_packages(ctx: &Context, req: ManagePackagesRequest) -> OpResult<UpdateResponse> {
    use cmp_model::messages::AsOfDate;
    let path = ManagePackagesRequest::path;
    let number = match &req.target_identifier {
        PackageTarget::SubscriptionNumber(n) => *n,
        PackageTarget::PrimarySerialNumber(s) => subscription_named(
            ctx,
            None,
            Some(s),
            path().target_identifier().primary_serial_number(),
        )?,
    };
    let number_path = path().target_identifier().subscription_number();
    let today = ctx.clock.today();
    let on = match &req.as_of_date {
        Some(AsOfDate::Date(d)) => *d,
        Some(AsOfDate::OnBillCycle(true)) => ctx.read(|c| {
            let sub = subs::get(c, number)?.ok_or_else(|| not_found(number_path.clone()))?;
            Ok(agreement_rows::get(c, sub.agreement_number)?
                .map_or(today, |a| agreements::next_invoice(&a, today)))
        })?,
        _ => today,
    };
    ctx.atomically(|ctx| {
        let expire_at = || {
            path()
                .packages_to_expire()
                .bolt_on_packages()
                .bolt_on_package()
        };
        for (i, p) in req
            .packages_to_expire
            .iter()
            .flat_map(|x| &x.bolt_on_packages)
            .flat_map(|x| &x.bolt_on_package)
            .enumerate()
        {
            let purchase = purchase_of(
                ctx,
                number,
                &p.package_code,
                p.effective_date,
                expire_at().nth(i).package_code(),
                number_path.clone(),
            )?;
            let here = [
                path().as_of_date().into(),
                expire_at().nth(i).package_code(),
                path().into(),
            ];
            expire(ctx, number, purchase, on, here)?;
        }
        for (i, code) in req
            .packages_to_create
            .iter()
            .flat_map(|x| &x.bolt_on_packages)
            .flat_map(|x| &x.package_code)
            .enumerate()
        {
            let add = AddSubscriptionPackageRequest {
                external_reference: None,
                subscription_number: number,
                package_code: code.clone(),
                effective_date: Some(on),
                eligibility_rules: None,
            };
            let from = AddSubscriptionPackageRequest::path;
            let map = renames![
                from().subscription_number() => number_path.clone(),
                from().effective_date() => path().as_of_date(),
                from().package_code()
                    => path().packages_to_create().bolt_on_packages().package_code().nth(i),
                FieldPath::root("addSubscriptionPackage") => path(),
            ];
            super::add_subscription_package(ctx, add).map_err(|f| relabel(f, &map))?;
        }
        Ok(())
    })?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}

/// UpdateSubscription: `UpdateCustomerDetails` (user name, password, cost centre) as
/// UpdateSubscription; every `LastAmendedDate` given must be the subscription's
/// (`STALE_DATA`). A request with nothing the gateway keeps writes nothing.
pub fn legacy_update_subscription(
    ctx: &Context,
    req: LegacyUpdateSubscriptionRequest,
) -> OpResult<UpdateResponse> {
    let path = LegacyUpdateSubscriptionRequest::path;
    let details = req.update_customer_details.as_ref();
    let given: Vec<DateTime> = details
        .map(|d| d.last_amended_date)
        .into_iter()
        .chain(
            req.update_usage_and_credit_control
                .as_ref()
                .map(|u| u.last_amended_date),
        )
        .collect();
    let stored = ctx
        .read(|c| Ok(subs::get(c, req.subscription_identifier)?))?
        .ok_or_else(|| not_found(path().subscription_identifier()))?
        .last_amended_at;
    if given
        .iter()
        .any(|t| cmp_store::db_time(t.naive_utc()) != stored)
    {
        return Err(stale("subscription"));
    }
    let changes = details.filter(|d| {
        d.user_name.is_some() || d.sub_password.is_some() || d.customer_cost_centre.is_some()
    });
    if let Some(d) = changes {
        let update = UpdateSubscriptionRequest {
            external_reference: None,
            subscription_number: req.subscription_identifier,
            user_name: d.user_name.clone(),
            password: d.sub_password.clone(),
            date_of_birth: None,
            gender: None,
            marital_status: None,
            cost_centre: d.customer_cost_centre.clone(),
            last_amended_date: Some(d.last_amended_date),
        };
        let from = UpdateSubscriptionRequest::path;
        let at = || path().update_customer_details();
        let map = renames![
            from().subscription_number() => path().subscription_identifier(),
            from().password() => at().sub_password(),
            from().cost_centre() => at().customer_cost_centre(),
            FieldPath::root("updateSubscription") => at(),
        ];
        super::update_subscription(ctx, update).map_err(|f| relabel(f, &map))?;
    }
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}

/// UpdateSubscriptionSerialNumbers: as ChangeSerialNumbers (`Id` is the slot).
pub fn update_subscription_serial_numbers(
    ctx: &Context,
    req: UpdateSubscriptionSerialNumbersRequest,
) -> OpResult<UpdateResponse> {
    let path = UpdateSubscriptionSerialNumbersRequest::path;
    let mut managed = Vec::new();
    for (i, m) in req
        .managed_serial_numbers
        .iter()
        .flat_map(|m| &m.managed_serial_number)
        .enumerate()
    {
        match &m.serial_number {
            SerialNumberChoice::Value(v) => managed.push(ManagedSerialNumber {
                enumeration_id: m.id,
                network_serial_number: v.clone(),
            }),
            SerialNumberChoice::AutoSelect(_) => {
                return Err(invalid(
                    Code::NotSupported,
                    path()
                        .managed_serial_numbers()
                        .managed_serial_number()
                        .nth(i)
                        .serial_number(),
                    "AutoSelect is not served: give the Value",
                ))
            }
        }
    }
    let non_managed: Vec<_> = req
        .non_managed_serial_numbers
        .iter()
        .flat_map(|n| &n.non_managed_serial_number)
        .map(|n| NonManagedSerialNumber {
            enumeration_id: n.id,
            value: n.value.clone(),
        })
        .collect();
    let change = ChangeSerialNumbersRequest {
        external_reference: None,
        subscription_number: req.subscription_identifier,
        managed_serial_numbers: (!managed.is_empty()).then_some(ManagedSerialNumbers {
            managed_serial_number: managed,
        }),
        non_managed_serial_numbers: (!non_managed.is_empty()).then_some(NonManagedSerialNumbers {
            non_managed_serial_number: non_managed,
        }),
    };
    let from = ChangeSerialNumbersRequest::path;
    let to = path;
    let map = renames![
        from().subscription_number() => to().subscription_identifier(),
        from().managed_serial_numbers().managed_serial_number().enumeration_id()
            => to().managed_serial_numbers().managed_serial_number().id(),
        from().managed_serial_numbers().managed_serial_number().network_serial_number()
            => to().managed_serial_numbers().managed_serial_number().serial_number(),
        from().non_managed_serial_numbers().non_managed_serial_number().enumeration_id()
            => to().non_managed_serial_numbers().non_managed_serial_number().id(),
        FieldPath::root("changeSerialNumbers") => FieldPath::root("updateSubscriptionSerialNumbers"),
    ];
    super::change_serial_numbers(ctx, change).map_err(|f| relabel(f, &map))?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cmp_model::FieldError;

    #[test]
    fn faults_of_the_operations_run_name_the_legacy_fields() {
        let from = SetSubscriptionSpendCapRequest::path;
        let to = SetPostPayCapsRequest::path;
        let f = Fault::validation(vec![
            FieldError::on(Code::OutOfRange, from().cap().nth(1).amount(), "is too big"),
            FieldError::on(
                Code::NotFound,
                from().subscription_number(),
                "does not exist",
            ),
        ]);
        let f = relabel(
            f,
            &renames![
                from().cap().amount() => to().post_pay_caps().cap().value(),
                FieldPath::root("setSubscriptionSpendCap") => FieldPath::root("setPostPayCaps"),
            ],
        );
        let paths: Vec<String> = f
            .errors
            .iter()
            .map(|e| e.render_path(cmp_model::fault::PathStyle::Xml, ""))
            .collect();
        assert_eq!(
            paths,
            [
                "setPostPayCaps/postPayCaps/cap[2]/value",
                "setPostPayCaps/subscriptionNumber"
            ]
        );
    }
}
