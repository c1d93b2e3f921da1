//! Agreements (SERVICES.md §2, DOMAIN.md "Customer structure"): billing instructions
//! logged at exactly one level of the structure.

pub mod bill_periods;

use chrono::{Datelike, Months, NaiveDate};
use cmp_model::messages::{
    AgreementBasic, AgreementDataset, AgreementDetails, AgreementSummary, CreateAgreementRequest,
    CreateAgreementResponse, GetAgreementRequest, GetAgreementResponse, InvoiceAddressType,
    InvoiceControl, LevelType, PatchAgreementRequest, QueryAgreementByCustomerLevelRequest,
    QueryAgreementByCustomerLevelResponse, QueryAgreementRequest, QueryAgreementResponse,
    TargetIdentifier, UpdateAgreementRequest, UpdateAgreementResponse, WorkflowLevel,
};
use cmp_model::{Code, DateTime, Fault, FieldError, FieldPath};
use cmp_store::repo::agreements::{self, Agreement, AgreementChanges, UpdateOutcome};
use cmp_store::repo::scheduled_actions::{self as actions, ScheduledAction};
use cmp_store::repo::{accounts, billing_media, corporates, counters, groups};
use cmp_store::DbConn;

use crate::error::OpError;
use crate::faults::{not_found, rule, stale, unknown, unknown_ref};
use crate::scheduled::{self, Payload};
use crate::selfcare::workflow;
use crate::{Context, OpResult};

/// Bill cycle day when CreateAgreement names none (*choice*, docs/domain-choices.md).
pub const DEFAULT_BILLING_CYCLE: i32 = 1;

/// `day` of the month after `from`, clamped to that month's last day.
pub fn cycle_day_next_month(from: NaiveDate, day: u32) -> NaiveDate {
    let first = from.with_day(1).expect("day 1 exists") + Months::new(1);
    let last = (first + Months::new(1))
        .pred_opt()
        .expect("a day before the 1st")
        .day();
    first.with_day(day.min(last)).expect("clamped day exists")
}

/// The agreement's next invoice date as of `today`: the stored one rolled forward period
/// by period once the clock has passed it.
pub fn next_invoice(a: &Agreement, today: NaiveDate) -> NaiveDate {
    bill_periods::next_invoice_date(a.next_expected_invoice_date, a.billing_cycle as u32, today)
}

/// Where an agreement is logged, as the wire names it.
pub(crate) fn logged_at(a: &Agreement) -> TargetIdentifier {
    match (&a.group_code, &a.corporate_code, a.account_number) {
        (Some(g), _, _) => TargetIdentifier::GroupIdentifier(g.clone()),
        (_, Some(c), _) => TargetIdentifier::CorporateIdentifier(c.clone()),
        // The database CHECK guarantees exactly one level.
        (_, _, n) => TargetIdentifier::AccountIdentifier(n.unwrap_or_default()),
    }
}

pub fn create_agreement(
    ctx: &Context,
    req: CreateAgreementRequest,
) -> OpResult<CreateAgreementResponse> {
    let d = &req.agreement_data;
    let data = || CreateAgreementRequest::path().agreement_data();
    // Exactly one level: the schema's <oneOf> on AgreementData, checked by the decoder.
    let plan_error = match &d.price_plan_code {
        None => None,
        Some(code) => match ctx.catalogue.current(ctx)?.plan(code) {
            None => Some(unknown_ref(data().price_plan_code())),
            Some(p) if !p.agreement_plan.unwrap_or(false) => Some(FieldError::on(
                Code::NotAnAgreementPlan,
                data().price_plan_code(),
                "is not an agreement price plan",
            )),
            Some(_) => None,
        },
    };
    let billing_cycle = d.billing_cycle.map_or(DEFAULT_BILLING_CYCLE, |b| b as i32);
    let today = ctx.clock.today();
    let next_invoice = d
        .next_expected_invoice_date
        .unwrap_or_else(|| cycle_day_next_month(today, billing_cycle as u32));
    let now = ctx.now();
    let agreement_number = ctx.write(|c| {
        let mut errors = Vec::new();
        if let Some(code) = &d.corporate_code {
            if !corporates::exists(c, code)? {
                errors.push(unknown_ref(data().corporate_code()));
            }
        }
        if let Some(code) = &d.group_code {
            if !groups::exists(c, code)? {
                errors.push(unknown_ref(data().group_code()));
            }
        }
        if let Some(n) = d.account_code {
            if !accounts::exists(c, n)? {
                errors.push(unknown_ref(data().account_code()));
            }
        }
        if let Some(code) = &d.billing_media {
            if !billing_media::exists(c, code)? {
                errors.push(unknown_ref(data().billing_media()));
            }
        }
        errors.extend(plan_error.clone());
        if !errors.is_empty() {
            return Err(Fault::validation(errors).into());
        }
        let agreement_number = counters::next(c, counters::AGREEMENT)?;
        agreements::insert(
            c,
            &Agreement {
                agreement_number,
                group_code: d.group_code.clone(),
                corporate_code: d.corporate_code.clone(),
                account_number: d.account_code,
                billing_cycle,
                invoice_consolidation_level: d
                    .invoice_consolidation_level
                    .map(|l| l.as_str().to_string()),
                invoice_receipt_address: d.invoice_receipt_address.map(|a| a.as_str().to_string()),
                next_expected_invoice_date: next_invoice,
                billing_media: d.billing_media.clone(),
                price_plan_code: d.price_plan_code.clone(),
                created_at: now,
                last_amended_at: now,
            },
        )?;
        ctx.audit(c, "agreement", agreement_number)?;
        Ok(agreement_number)
    })?;
    Ok(CreateAgreementResponse {
        external_reference: req.external_reference,
        agreement_number,
    })
}

/// The agreements of an account, then of its corporate, then of its group (the
/// corporate's group, or the account's own), each level by agreement number.
pub(crate) fn for_account(
    c: &mut DbConn,
    account: &accounts::Account,
) -> Result<Vec<Agreement>, OpError> {
    let mut rows = agreements::list_logged_at_account(c, account.account_number)?;
    let mut group = account.group_code.clone();
    if let Some(code) = &account.corporate_code {
        rows.extend(agreements::list_logged_at_corporate(c, code)?);
        if let Some(corp) = corporates::get(c, code)? {
            group = group.or(corp.group_code);
        }
    }
    if let Some(code) = &group {
        rows.extend(agreements::list_logged_at_group(c, code)?);
    }
    Ok(rows)
}

/// An agreement at `account` with every default, as CreateAgreement with only the
/// account would make it (CreateSubscription on an account without one).
pub(crate) fn insert_default(ctx: &Context, c: &mut DbConn, account: i64) -> Result<i64, OpError> {
    let now = ctx.now();
    let number = counters::next(c, counters::AGREEMENT)?;
    agreements::insert(
        c,
        &Agreement {
            agreement_number: number,
            group_code: None,
            corporate_code: None,
            account_number: Some(account),
            billing_cycle: DEFAULT_BILLING_CYCLE,
            invoice_consolidation_level: None,
            invoice_receipt_address: None,
            next_expected_invoice_date: cycle_day_next_month(
                ctx.clock.today(),
                DEFAULT_BILLING_CYCLE as u32,
            ),
            billing_media: None,
            price_plan_code: None,
            created_at: now,
            last_amended_at: now,
        },
    )?;
    ctx.audit(c, "agreement", number)?;
    Ok(number)
}

/// See [`for_account`].
pub fn query_agreement_by_customer_level(
    ctx: &Context,
    req: QueryAgreementByCustomerLevelRequest,
) -> OpResult<QueryAgreementByCustomerLevelResponse> {
    let rows = ctx.read(|c| {
        let Some(account) = accounts::get(c, req.account_identifier)? else {
            let at = QueryAgreementByCustomerLevelRequest::path().account_identifier();
            return Err(not_found(at).into());
        };
        let rows = for_account(c, &account)?;
        Ok(rows)
    })?;
    Ok(QueryAgreementByCustomerLevelResponse {
        external_reference: req.external_reference,
        agreement: rows
            .iter()
            .map(|a| AgreementSummary {
                agreement_number: a.agreement_number,
                invoice_logged_at: Some(logged_at(a)),
                invoice_consolidation_level: level(&a.invoice_consolidation_level),
                invoice_address: address(&a.invoice_receipt_address),
            })
            .collect(),
    })
}

fn level(s: &Option<String>) -> Option<LevelType> {
    s.as_deref().and_then(LevelType::parse)
}

fn address(s: &Option<String>) -> Option<InvoiceAddressType> {
    s.as_deref().and_then(InvoiceAddressType::parse)
}

fn load(ctx: &Context, agreement_number: i64, path: FieldPath) -> OpResult<Agreement> {
    ctx.read(|c| Ok(agreements::get(c, agreement_number)?))?
        .ok_or_else(|| not_found(path))
}

/// The 7.3.8 document form: the BASIC and INVOICECONTROL datasets (both when none is named).
pub fn query_agreement(
    ctx: &Context,
    req: QueryAgreementRequest,
) -> OpResult<QueryAgreementResponse> {
    let a = load(
        ctx,
        req.agreement_number,
        QueryAgreementRequest::path().agreement_number(),
    )?;
    let wanted = |d: AgreementDataset| req.datasets.as_ref().is_none_or(|s| s.dataset.contains(&d));
    let amended = a.last_amended_at.and_utc();
    Ok(QueryAgreementResponse {
        external_reference: req.external_reference,
        agreement_basic: wanted(AgreementDataset::Basic).then(|| AgreementBasic {
            agreement_number: Some(a.agreement_number),
            agreement_logged_at: Some(logged_at(&a)),
            billing_cycle: Some(a.billing_cycle as i64),
            invoice_consolidation_level: level(&a.invoice_consolidation_level),
            invoice_address: address(&a.invoice_receipt_address),
            billing_media: a.billing_media.clone(),
            last_amended_date: Some(amended),
        }),
        invoice_control: wanted(AgreementDataset::Invoicecontrol).then_some(InvoiceControl {
            next_expected_invoice_date: Some(next_invoice(&a, ctx.clock.today())),
            last_amended_date: Some(amended),
        }),
    })
}

/// `GET /agreements/{agreementNumber}`: every stored field.
pub fn get_agreement(ctx: &Context, req: GetAgreementRequest) -> OpResult<GetAgreementResponse> {
    let a = load(
        ctx,
        req.agreement_number,
        GetAgreementRequest::path().agreement_number(),
    )?;
    let pending = ctx.read(|c| pending_billing_cycle(c, a.agreement_number))?;
    Ok(GetAgreementResponse {
        external_reference: req.external_reference,
        agreement: AgreementDetails {
            agreement_number: a.agreement_number,
            logged_at: logged_at(&a),
            billing_cycle: a.billing_cycle as i64,
            pending_billing_cycle: pending.map(|(day, _)| i64::from(day)),
            invoice_consolidation_level: level(&a.invoice_consolidation_level),
            invoice_receipt_address: address(&a.invoice_receipt_address),
            next_expected_invoice_date: next_invoice(&a, ctx.clock.today()),
            billing_media: a.billing_media.clone(),
            price_plan_code: a.price_plan_code.clone(),
            last_amended_date: a.last_amended_at.and_utc(),
        },
    })
}

/// One agreement change, whichever message carried it.
struct Change {
    agreement_number: (i64, FieldPath),
    billing_cycle: Option<i64>,
    billing_media: Option<(String, FieldPath)>,
    consolidation: Option<LevelType>,
    address: Option<InvoiceAddressType>,
    /// Every `lastAmendedDate` the request carried: each must match the stored one.
    last_amended: Vec<DateTime>,
}

/// The 7.3.8 document form: `updateAgreementBasic` and `updateInvoiceControl`.
pub fn update_agreement(
    ctx: &Context,
    req: UpdateAgreementRequest,
) -> OpResult<UpdateAgreementResponse> {
    let basic = req.update_agreement_basic.as_ref();
    let control = req.update_invoice_control.as_ref();
    let path = UpdateAgreementRequest::path;
    let change = Change {
        agreement_number: (req.agreement_number, path().agreement_number()),
        billing_cycle: control.and_then(|c| c.billing_cycle),
        billing_media: basic.and_then(|b| b.billing_media.clone()).map(|m| {
            let at = path().update_agreement_basic().billing_media();
            (m, at)
        }),
        consolidation: basic.and_then(|b| b.invoice_consolidation_level),
        address: basic.and_then(|b| b.invoice_address),
        last_amended: basic
            .map(|b| b.last_amended_date)
            .into_iter()
            .chain(control.map(|c| c.last_amended_date))
            .collect(),
    };
    apply(ctx, change)?;
    Ok(UpdateAgreementResponse {
        external_reference: req.external_reference,
        agreement_number: req.agreement_number,
    })
}

/// `PATCH /agreements/{agreementNumber}`.
pub fn patch_agreement(
    ctx: &Context,
    req: PatchAgreementRequest,
) -> OpResult<UpdateAgreementResponse> {
    let path = PatchAgreementRequest::path;
    let change = Change {
        agreement_number: (req.agreement_number, path().agreement_number()),
        billing_cycle: req.billing_cycle,
        billing_media: req
            .billing_media
            .clone()
            .map(|m| (m, path().billing_media())),
        consolidation: req.invoice_consolidation_level,
        address: req.invoice_receipt_address,
        last_amended: req.last_amended_date.into_iter().collect(),
    };
    apply(ctx, change)?;
    Ok(UpdateAgreementResponse {
        external_reference: req.external_reference,
        agreement_number: req.agreement_number,
    })
}

/// A new billing cycle does not change the agreement at once: it becomes a pending
/// bill cycle change, applied at the next invoice date ([`apply_due_bill_cycle_changes`]).
fn apply(ctx: &Context, ch: Change) -> OpResult<()> {
    let now = ctx.now();
    let expected = ch
        .last_amended
        .first()
        .map(|t| cmp_store::db_time(t.naive_utc()));
    let (number, number_path) = &ch.agreement_number;
    let number = *number;
    ctx.write(|c| {
        let Some(current) = agreements::get(c, number)? else {
            return Err(not_found(number_path.clone()).into());
        };
        let changed = |t: &DateTime| cmp_store::db_time(t.naive_utc()) != current.last_amended_at;
        if ch.last_amended.iter().any(changed) {
            return Err(stale("agreement").into());
        }
        if let Some((code, at)) = &ch.billing_media {
            if !billing_media::exists(c, code)? {
                return Err(unknown(at.clone()).into());
            }
        }
        if let Some(day) = ch.billing_cycle {
            let day = day as i32;
            // A new day replaces a pending change; asking for the current day again
            // cancels it.
            actions::cancel_all(c, actions::KIND_BILL_CYCLE_CHANGE, number, now)?;
            if day != current.billing_cycle {
                let due = next_invoice(&current, ctx.clock.today());
                let payload = Payload::default().with(BILLING_CYCLE, day);
                scheduled::schedule(
                    ctx,
                    c,
                    actions::KIND_BILL_CYCLE_CHANGE,
                    number,
                    due,
                    &payload,
                )?;
            }
        }
        let changes = AgreementChanges {
            billing_media: ch.billing_media.as_ref().map(|m| m.0.clone()),
            invoice_consolidation_level: ch.consolidation.map(|l| l.as_str().to_string()),
            invoice_receipt_address: ch.address.map(|a| a.as_str().to_string()),
            billing_cycle: None,
            next_expected_invoice_date: None,
            price_plan_code: None,
        };
        // Each change gets a later stamp than the last, even within one clock tick, so
        // optimistic locking always sees it.
        let stamp = now.max(current.last_amended_at + chrono::TimeDelta::microseconds(1));
        match agreements::update(c, number, &changes, expected, stamp)? {
            UpdateOutcome::Updated => ctx.audit(c, "agreement", number),
            UpdateOutcome::Stale => Err(stale("agreement").into()),
            UpdateOutcome::NotFound => Err(not_found(number_path.clone()).into()),
        }
    })
}

/// The payload key of a bill cycle change: the new day.
const BILLING_CYCLE: &str = "billingCycle";

/// The agreement's pending bill cycle change: the new day and the date it takes effect.
pub(crate) fn pending_billing_cycle(
    c: &mut DbConn,
    agreement_number: i64,
) -> Result<Option<(i32, NaiveDate)>, OpError> {
    Ok(
        scheduled::pending(c, actions::KIND_BILL_CYCLE_CHANGE, agreement_number)?.and_then(
            |(a, p)| {
                p.get(BILLING_CYCLE)
                    .and_then(|d| d.parse().ok())
                    .map(|d| (d, a.due_date))
            },
        ),
    )
}

/// The scheduled action, claimed by `scheduled::apply_due`: on its due date (the invoice
/// date it waited for) the agreement takes the new day, and the next invoice date moves
/// to the new day in the following month. A workflow event BILL/BCYC records it.
pub(crate) fn apply_bill_cycle_change(
    ctx: &Context,
    c: &mut DbConn,
    action: &ScheduledAction,
    payload: &Payload,
) -> Result<(), OpError> {
    let number = action.entity_number;
    let path = GetAgreementRequest::path().agreement_number();
    let Some(current) = agreements::get(c, number)? else {
        return Err(not_found(path).into());
    };
    let day: i32 = payload
        .get(BILLING_CYCLE)
        .and_then(|d| d.parse().ok())
        .filter(|d| (1..=31).contains(d))
        .ok_or_else(|| {
            rule(
                Code::InvalidReference,
                path.clone(),
                "has an unreadable bill cycle change",
            )
        })?;
    let changes = AgreementChanges {
        billing_cycle: Some(day),
        next_expected_invoice_date: Some(cycle_day_next_month(action.due_date, day as u32)),
        ..AgreementChanges::default()
    };
    let now = ctx.now();
    let stamp = now.max(current.last_amended_at + chrono::TimeDelta::microseconds(1));
    agreements::update(c, number, &changes, None, stamp)?;
    ctx.audit(c, "agreement", number)?;
    workflow::record_system_event(
        ctx,
        c,
        (WorkflowLevel::Agreement, number.to_string()),
        (BILL_CYCLE_EVENT.0, BILL_CYCLE_EVENT.1),
        None,
        format!(
            "Bill cycle changed from day {} to day {day} on {}",
            current.billing_cycle, action.due_date
        ),
    )?;
    Ok(())
}

/// The workflow event of an applied bill cycle change (reference data: Billing / Bill
/// cycle change).
pub const BILL_CYCLE_EVENT: (&str, &str) = ("BILL", "BCYC");

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_next_cycle_day_is_clamped_to_the_end_of_next_month() {
        assert_eq!(cycle_day_next_month(d(2026, 1, 15), 31), d(2026, 2, 28));
        assert_eq!(cycle_day_next_month(d(2024, 1, 31), 30), d(2024, 2, 29));
        assert_eq!(cycle_day_next_month(d(2026, 12, 5), 1), d(2027, 1, 1));
        assert_eq!(cycle_day_next_month(d(2026, 3, 1), 15), d(2026, 4, 15));
    }
}
