//! What the 7.3.8 group, corporate and account services share: a bill account built from
//! the 7.3.8 `AccountType` (with the customer its business address describes), the
//! address answered by the queries, and the one optimistic update on `lastAmendedDate`.

use chrono::NaiveDateTime;
use cmp_model::messages::{
    AccountStatus, AddressQuery, BusinessAddress, DirectDebitSetupMethod, LegacyAccount,
    LegacyAddress, PaymentMethod,
};
use cmp_model::{Code, DateTime, Fault, FieldError, FieldPath};
use cmp_store::repo::payments::{self as pay, DirectDebit};
use cmp_store::repo::{accounts, corporates, counters, customers, groups, UpdateOutcome};
use cmp_store::{DbConn, StoreError};

use crate::error::OpError;
use crate::faults::{invalid, not_found, stale, unknown};
use crate::Context;

/// The 7.3.8 payment type that sets up a direct debit from the account's bank fields.
pub const PAYMENT_TYPE_DIRECT_DEBIT: &str = "DD";
/// The payment type answered for an account paying manually with none stored, and for
/// one paying by card (7.3.8 `ChequeType` / `CC`).
pub const PAYMENT_TYPE_MANUAL: &str = "CHQ";
pub const PAYMENT_TYPE_CARD: &str = "CC";

/// The paths of a `LegacyAccount` element in its request.
pub(crate) type AccountPath = cmp_model::messages::paths::LegacyAccount;

/// A bill account from the 7.3.8 `AccountType` at `at`, hanging under `corporate` or
/// `group` (already checked): its customer is `customerNumber`, else a new customer made
/// from the business address; `DD` with bank details sets up a direct debit. Returns the
/// account number. Runs inside the caller's transaction, audit entries included.
pub(crate) fn insert_account(
    ctx: &Context,
    c: &mut DbConn,
    d: &LegacyAccount,
    at: &AccountPath,
    corporate: Option<&str>,
    group: Option<&str>,
    now: NaiveDateTime,
) -> Result<i64, OpError> {
    let direct_debit = direct_debit_fields(d, at)?;
    let business = d
        .address
        .as_ref()
        .map(|LegacyAddress::BusinessAddress(b)| b);
    let customer_number = match (d.customer_number, business) {
        (Some(n), _) => {
            if !customers::exists(c, n)? {
                return Err(unknown(at.clone().customer_number()).into());
            }
            n
        }
        (None, Some(b)) => {
            let n = counters::next(c, counters::CUSTOMER)?;
            customers::insert(c, &customer_row(n, b, d.email_address.clone(), now))?;
            customers::insert_address(c, &address_row(n, b))?;
            ctx.audit(c, "customer", n)?;
            n
        }
        (None, None) => {
            return Err(invalid(
                Code::Mandatory,
                at.clone().address(),
                "is mandatory unless a customer number is given",
            )
            .into())
        }
    };
    let account_number = counters::next(c, counters::ACCOUNT)?;
    let name = d
        .account_name
        .clone()
        .or_else(|| business.map(|b| b.company_name.chars().take(30).collect()));
    accounts::insert(
        c,
        &accounts::Account {
            account_number,
            customer_number,
            account_name: name,
            status: AccountStatus::Active.as_str().to_string(),
            corporate_code: corporate.map(str::to_string),
            group_code: group.map(str::to_string),
            currency: d.currency.as_ref().map_or_else(
                || super::DEFAULT_CURRENCY.to_string(),
                |c| c.to_ascii_uppercase(),
            ),
            payment_method: PaymentMethod::Manual.as_str().to_string(),
            created_at: now,
            last_amended_at: now,
        },
    )?;
    let details = accounts::AccountDetails {
        company_number: d.company_number.clone(),
        payment_type: d.payment_type.as_ref().map(|p| p.to_ascii_uppercase()),
        payment_term: d.payment_term.clone(),
        credit_limit: d.credit_limit,
        account_usage: d.account_usage.map(|u| u.as_str().to_string()),
        email_address: d.email_address.clone(),
        ..Default::default()
    };
    let changes = accounts::AccountChanges {
        details,
        ..Default::default()
    };
    accounts::update(c, account_number, &changes, None, now)?;
    if let Some(dd) = direct_debit {
        let row = DirectDebit {
            direct_debit_id: counters::next(c, pay::DIRECT_DEBIT_COUNTER)?,
            account_number,
            status: pay::STATUS_ACTIVE.to_string(),
            name_of_payer: dd.name_of_payer,
            bank_sort_code: dd.sort_code,
            masked_account_number: crate::accounts::mask(&dd.account_number),
            mandate_reference: d.mandate_reference.clone(),
            mandate_received_date: d.date_mandate_received,
            setup_method: dd.method.as_str().to_string(),
            created_at: now,
            cancelled_date: None,
            cancellation_reason: None,
        };
        pay::insert_direct_debit(c, &row)?;
        pay::set_payment_method(c, account_number, accounts::PAYMENT_DIRECT_DEBIT, now)?;
    }
    ctx.audit(c, "account", account_number)?;
    Ok(account_number)
}

struct DirectDebitFields {
    name_of_payer: String,
    sort_code: String,
    account_number: String,
    method: DirectDebitSetupMethod,
}

/// With payment type `DD`: the bank fields a direct debit needs, each checked (every
/// problem collected); otherwise none.
fn direct_debit_fields(
    d: &LegacyAccount,
    at: &AccountPath,
) -> Result<Option<DirectDebitFields>, Fault> {
    let is_dd = d
        .payment_type
        .as_deref()
        .is_some_and(|p| p.eq_ignore_ascii_case(PAYMENT_TYPE_DIRECT_DEBIT));
    if !is_dd {
        return Ok(None);
    }
    let mut errors = Vec::new();
    // The bank fields are digits by their schema types' patterns; here only required.
    let mut need = |v: Option<&String>, path: FieldPath| match v {
        None => {
            errors.push(FieldError::on(
                Code::Mandatory,
                path,
                "is mandatory with payment type DD",
            ));
            String::new()
        }
        Some(s) => s.clone(),
    };
    let sort_code = need(d.bank_sort_code.as_ref(), at.clone().bank_sort_code());
    let account_number = need(
        d.bank_account_number.as_ref(),
        at.clone().bank_account_number(),
    );
    let company = d
        .address
        .as_ref()
        .map(|LegacyAddress::BusinessAddress(b)| b.company_name.chars().take(30).collect());
    let name_of_payer = need(
        d.name_of_payer.as_ref().or(company.as_ref()),
        at.clone().name_of_payer(),
    );
    if d.d_d_setup_method_code.is_none() {
        errors.push(FieldError::on(
            Code::Mandatory,
            at.clone().d_d_setup_method_code(),
            "is mandatory with payment type DD",
        ));
    }
    if !errors.is_empty() {
        return Err(Fault::validation(errors));
    }
    Ok(Some(DirectDebitFields {
        name_of_payer,
        sort_code,
        account_number,
        method: d
            .d_d_setup_method_code
            .unwrap_or(DirectDebitSetupMethod::Auddis),
    }))
}

fn customer_row(
    n: i64,
    b: &BusinessAddress,
    email: Option<String>,
    now: NaiveDateTime,
) -> customers::Customer {
    customers::Customer {
        customer_number: n,
        title: b.title.clone(),
        first_name: b.forename.clone(),
        last_name: b.surname.clone(),
        date_of_birth: None,
        gender: None,
        marital_status: None,
        occupation: b.job_title.clone(),
        id_type: None,
        id_number: None,
        company_name: Some(b.company_name.clone()),
        company_registration_number: b.company_registration.clone(),
        vat_number: None,
        home_phone: None,
        work_phone: b.company_telephone_number.clone(),
        mobile_phone: b.contact_telephone_number.clone(),
        fax: b.fax_number.clone(),
        email,
        created_at: now,
        last_amended_at: now,
    }
}

/// The business address is kept as the customer's Billing address (lines 1–4, line 5 as
/// the town, the postcode).
fn address_row(n: i64, b: &BusinessAddress) -> customers::CustomerAddress {
    customers::CustomerAddress {
        customer_number: n,
        address_type: cmp_model::messages::AddressType::Billing
            .as_str()
            .to_string(),
        line1: Some(b.address1.clone()),
        line2: b.address2.clone(),
        line3: b.address3.clone(),
        line4: b.address4.clone(),
        town: b.address5.clone(),
        county: None,
        postcode: b.postcode.clone(),
        country: None,
    }
}

/// The 7.3.8 `Address` of a customer: number (the customer's), its business address
/// (company or person name, the Billing address); none without a first address line.
pub(crate) fn address_of(
    c: &mut DbConn,
    customer_number: i64,
) -> Result<Option<AddressQuery>, OpError> {
    let Some(cu) = customers::get(c, customer_number)? else {
        return Ok(None);
    };
    let billing = cmp_model::messages::AddressType::Billing.as_str();
    let addresses = customers::addresses(c, customer_number)?;
    let Some(a) = addresses
        .iter()
        .find(|a| a.address_type == billing)
        .or(addresses.first())
    else {
        return Ok(None);
    };
    let Some(line1) = a.line1.clone() else {
        return Ok(None);
    };
    let person = [&cu.first_name, &cu.last_name]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    // The 7.3.8 address is narrower than what the customer holds: each value fits its type.
    use cmp_model::codec::fit;
    use cmp_model::messages::{
        FACETS_STRING10, FACETS_STRING15, FACETS_STRING25, FACETS_STRING30, FACETS_STRING40,
        FACETS_STRING60,
    };
    let to = |v: &Option<String>, f| v.as_deref().map(|s| fit(s, f));
    Ok(Some(AddressQuery {
        address_number: customer_number,
        business_address: BusinessAddress {
            company_name: fit(
                cu.company_name.as_deref().unwrap_or(&person),
                &FACETS_STRING60,
            ),
            address1: fit(&line1, &FACETS_STRING40),
            address2: to(&a.line2, &FACETS_STRING40),
            address3: to(&a.line3, &FACETS_STRING40),
            address4: to(&a.line4, &FACETS_STRING40),
            address5: to(&a.town, &FACETS_STRING40),
            postcode: to(&a.postcode, &FACETS_STRING10),
            company_telephone_number: to(&cu.work_phone, &FACETS_STRING15),
            fax_number: to(&cu.fax, &FACETS_STRING15),
            contact_telephone_number: to(&cu.mobile_phone, &FACETS_STRING15),
            company_registration: to(&cu.company_registration_number, &FACETS_STRING25),
            title: to(&cu.title, &FACETS_STRING10),
            forename: to(&cu.first_name, &FACETS_STRING15),
            surname: to(&cu.last_name, &FACETS_STRING25),
            job_title: to(&cu.occupation, &FACETS_STRING30),
        },
        last_amended_date: Some(cu.last_amended_at.and_utc()),
    }))
}

/// Where a group's or corporate's posting account hangs is that group or corporate: the
/// account element may not name another parent.
pub(crate) fn no_parent_in_posting_account(
    d: &LegacyAccount,
    at: &AccountPath,
) -> Result<(), Fault> {
    let mut errors = Vec::new();
    if d.corporate_code.is_some() {
        errors.push(FieldError::on(
            Code::TwoLevels,
            at.clone().corporate_code(),
            "cannot be given: a posting account hangs under its own group or corporate",
        ));
    }
    if d.group_code.is_some() {
        errors.push(FieldError::on(
            Code::TwoLevels,
            at.clone().group_code(),
            "cannot be given: a posting account hangs under its own group or corporate",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Fault::validation(errors))
    }
}

/// The group's or corporate's posting account details (company number, address number).
pub(crate) fn posting_details(
    c: &mut DbConn,
    posting: Option<i64>,
) -> Result<(Option<String>, Option<i64>), OpError> {
    let Some(n) = posting else {
        return Ok((None, None));
    };
    let company = accounts::details(c, n)?.and_then(|d| d.company_number);
    let customer = accounts::get(c, n)?.map(|a| a.customer_number);
    Ok((company, customer))
}

/// The one optimistic update of a structure entity: every `lastAmendedDate` the request
/// carries must be the stored stamp (`STALE_DATA` otherwise); `write` applies the change
/// with the next stamp, conditional on the stamp read, so of two concurrent updates one
/// wins and the other is stale; the change is audited in the same transaction. A request
/// that changes nothing (`changes` false: no block, or blocks holding only their stamp)
/// writes nothing: no new stamp, no audit entry.
pub(crate) struct Optimistic<'a> {
    pub entity: &'static str,
    pub id: &'a str,
    pub stored: NaiveDateTime,
    pub given: Vec<DateTime>,
    pub changes: bool,
    pub not_found: FieldPath,
}

impl Optimistic<'_> {
    pub(crate) fn apply(
        self,
        ctx: &Context,
        c: &mut DbConn,
        write: impl FnOnce(
            &mut DbConn,
            Option<NaiveDateTime>,
            NaiveDateTime,
        ) -> Result<UpdateOutcome, StoreError>,
    ) -> Result<(), OpError> {
        let given: Vec<NaiveDateTime> = self
            .given
            .iter()
            .map(|t| cmp_store::db_time(t.naive_utc()))
            .collect();
        if given.iter().any(|t| *t != self.stored) {
            return Err(stale(self.entity).into());
        }
        if !self.changes {
            return Ok(());
        }
        // Each change gets a later stamp than the last, even within one clock tick.
        let stamp = ctx
            .now()
            .max(self.stored + chrono::TimeDelta::microseconds(1));
        match write(c, Some(self.stored), stamp)? {
            UpdateOutcome::Updated => ctx.audit(c, self.entity, self.id),
            UpdateOutcome::Stale => Err(stale(self.entity).into()),
            UpdateOutcome::NotFound => Err(not_found(self.not_found).into()),
        }
    }
}

/// `code` names a group, else `UNKNOWN_REFERENCE` at `at`.
pub(crate) fn require_group(c: &mut DbConn, code: &str, at: FieldPath) -> Result<(), OpError> {
    if groups::exists(c, code)? {
        Ok(())
    } else {
        Err(unknown(at).into())
    }
}

/// `code` names a corporate, else `UNKNOWN_REFERENCE` at `at`.
pub(crate) fn require_corporate(c: &mut DbConn, code: &str, at: FieldPath) -> Result<(), OpError> {
    if corporates::exists(c, code)? {
        Ok(())
    } else {
        Err(unknown(at).into())
    }
}
