//! Customer structure: groups, corporates, customers and bill accounts
//! (SERVICES.md §1, DOMAIN.md "Customer structure").

use cmp_model::messages::{
    AccountDetails, AccountStatus, CreateAccountRequest, CreateAccountResponse,
    CreateCorporateRequest, CreateCorporateResponse, CreateCustomerRequest, CreateCustomerResponse,
    CreateGroupRequest, CreateGroupResponse, CustomerContactDetails, GetAccountRequest,
    GetAccountResponse, PaymentMethod,
};
use cmp_model::{Code, FieldPath};
use cmp_store::repo::{accounts, corporates, counters, customers, groups};
use cmp_store::DbConn;

use crate::error::OpError;
use crate::faults::{not_found, rule, unknown};
use crate::{Context, OpResult};

/// Currency of an account when the request names none (*choice*, docs/domain-choices.md).
pub const DEFAULT_CURRENCY: &str = "GBP";

pub fn create_group(ctx: &Context, req: CreateGroupRequest) -> OpResult<CreateGroupResponse> {
    let now = ctx.now();
    ctx.write(|c| {
        if groups::exists(c, &req.group_code)? {
            return Err(already_exists(CreateGroupRequest::path().group_code()).into());
        }
        let row = groups::Group {
            group_code: req.group_code.clone(),
            description: req.description.clone(),
            created_at: now,
            last_amended_at: now,
        };
        groups::insert(c, &row)?;
        ctx.audit(c, "group", &row.group_code)?;
        Ok(())
    })?;
    Ok(CreateGroupResponse {
        external_reference: req.external_reference,
        group_code: req.group_code,
    })
}

pub fn create_corporate(
    ctx: &Context,
    req: CreateCorporateRequest,
) -> OpResult<CreateCorporateResponse> {
    let now = ctx.now();
    ctx.write(|c| {
        if corporates::exists(c, &req.corporate_code)? {
            let at = CreateCorporateRequest::path().corporate_code();
            return Err(already_exists(at).into());
        }
        if let Some(g) = &req.group_code {
            require_group(c, g, CreateCorporateRequest::path().group_code())?;
        }
        let row = corporates::Corporate {
            corporate_code: req.corporate_code.clone(),
            description: req.description.clone(),
            group_code: req.group_code.clone(),
            created_at: now,
            last_amended_at: now,
        };
        corporates::insert(c, &row)?;
        ctx.audit(c, "corporate", &row.corporate_code)?;
        Ok(())
    })?;
    Ok(CreateCorporateResponse {
        external_reference: req.external_reference,
        corporate_code: req.corporate_code,
    })
}

/// A customer with its first bill account, in one transaction.
pub fn create_customer(
    ctx: &Context,
    req: CreateCustomerRequest,
) -> OpResult<CreateCustomerResponse> {
    let account = req.account.clone().unwrap_or_default();
    let at = || CreateCustomerRequest::path().account();
    let parents = AccountParents {
        corporate: account
            .corporate_code
            .as_deref()
            .map(|c| (c, at().corporate_code())),
        group: account
            .group_code
            .as_deref()
            .map(|g| (g, at().group_code())),
    };
    let now = ctx.now();
    let (customer_number, account_number) = ctx.write(|c| {
        parents.check_exist(c)?;
        let customer_number = counters::next(c, counters::CUSTOMER)?;
        customers::insert(c, &customer_row(customer_number, &req.contact_details, now))?;
        ctx.audit(c, "customer", customer_number)?;
        for a in req
            .contact_details
            .addresses
            .iter()
            .flat_map(|a| &a.address)
        {
            customers::insert_address(c, &address_row(customer_number, a))?;
        }
        let account_number = insert_account(
            ctx,
            c,
            customer_number,
            account.account_name,
            &parents,
            account.currency,
            now,
        )?;
        Ok((customer_number, account_number))
    })?;
    Ok(CreateCustomerResponse {
        external_reference: req.external_reference,
        customer_number,
        account_number,
    })
}

pub fn create_account(ctx: &Context, req: CreateAccountRequest) -> OpResult<CreateAccountResponse> {
    let path = CreateAccountRequest::path;
    let parents = AccountParents {
        corporate: req
            .corporate_code
            .as_deref()
            .map(|c| (c, path().corporate_code())),
        group: req.group_code.as_deref().map(|g| (g, path().group_code())),
    };
    let now = ctx.now();
    let account_number = ctx.write(|c| {
        if !customers::exists(c, req.customer_number)? {
            return Err(not_found(path().customer_number()).into());
        }
        parents.check_exist(c)?;
        insert_account(
            ctx,
            c,
            req.customer_number,
            req.account_name.clone(),
            &parents,
            req.currency.clone(),
            now,
        )
    })?;
    Ok(CreateAccountResponse {
        external_reference: req.external_reference,
        account_number,
    })
}

pub fn get_account(ctx: &Context, req: GetAccountRequest) -> OpResult<GetAccountResponse> {
    let row = ctx.read(|c| match accounts::get(c, req.account_number)? {
        Some(a) => {
            let extras = crate::accounts::account_extras(c, &a)?;
            Ok(Some((a, extras)))
        }
        None => Ok(None),
    })?;
    let (a, (bank_payment, email_addresses)) =
        row.ok_or_else(|| not_found(GetAccountRequest::path().account_number()))?;
    Ok(GetAccountResponse {
        external_reference: req.external_reference,
        account: AccountDetails {
            account_number: a.account_number,
            customer_number: a.customer_number,
            account_name: a.account_name,
            status: AccountStatus::parse(&a.status).unwrap_or(AccountStatus::Active),
            corporate_code: a.corporate_code,
            group_code: a.group_code,
            currency: a.currency,
            payment_method: PaymentMethod::parse(&a.payment_method)
                .unwrap_or(PaymentMethod::Manual),
            bank_payment,
            email_addresses,
            last_amended_date: a.last_amended_at.and_utc(),
        },
    })
}

/// Where a new account hangs: a corporate or a group, not both (the account's group is
/// its corporate's group when it has a corporate).
/// Each with the request field that names it.
struct AccountParents<'a> {
    corporate: Option<(&'a str, FieldPath)>,
    group: Option<(&'a str, FieldPath)>,
}

impl AccountParents<'_> {
    fn corporate(&self) -> Option<&str> {
        self.corporate.as_ref().map(|c| c.0)
    }
    fn group(&self) -> Option<&str> {
        self.group.as_ref().map(|g| g.0)
    }

    fn check_exist(&self, c: &mut DbConn) -> Result<(), OpError> {
        if let Some((code, at)) = &self.corporate {
            if !corporates::exists(c, code)? {
                return Err(unknown(at.clone()).into());
            }
        }
        if let Some((code, at)) = &self.group {
            require_group(c, code, at.clone())?;
        }
        Ok(())
    }
}

fn insert_account(
    ctx: &Context,
    c: &mut DbConn,
    customer_number: i64,
    account_name: Option<String>,
    parents: &AccountParents,
    currency: Option<String>,
    now: chrono::NaiveDateTime,
) -> Result<i64, OpError> {
    let account_number = counters::next(c, counters::ACCOUNT)?;
    accounts::insert(
        c,
        &accounts::Account {
            account_number,
            customer_number,
            account_name,
            status: AccountStatus::Active.as_str().to_string(),
            corporate_code: parents.corporate().map(str::to_string),
            group_code: parents.group().map(str::to_string),
            currency: currency
                .map_or_else(|| DEFAULT_CURRENCY.to_string(), |c| c.to_ascii_uppercase()),
            payment_method: PaymentMethod::Manual.as_str().to_string(),
            created_at: now,
            last_amended_at: now,
        },
    )?;
    ctx.audit(c, "account", account_number)?;
    Ok(account_number)
}

fn require_group(c: &mut DbConn, code: &str, path: FieldPath) -> Result<(), OpError> {
    if groups::exists(c, code)? {
        Ok(())
    } else {
        Err(unknown(path).into())
    }
}

fn already_exists(path: FieldPath) -> cmp_model::Fault {
    rule(Code::AlreadyExists, path, "is already in use")
}

fn customer_row(
    customer_number: i64,
    d: &CustomerContactDetails,
    now: chrono::NaiveDateTime,
) -> customers::Customer {
    let p = d.personal_details.clone().unwrap_or_default();
    let b = d.business_details.clone().unwrap_or_default();
    let n = d.contact_details.clone().unwrap_or_default();
    customers::Customer {
        customer_number,
        title: p.title.into_value(),
        first_name: p.first_name.into_value(),
        last_name: p.last_name.into_value(),
        date_of_birth: p.date_of_birth.into_value(),
        gender: p.gender.into_value().map(|g| g.as_str().to_string()),
        marital_status: p
            .marital_status
            .into_value()
            .map(|m| m.as_str().to_string()),
        occupation: p.occupation.into_value(),
        id_type: p.id_type.into_value(),
        id_number: p.id_number.into_value(),
        company_name: b.company_name.into_value(),
        company_registration_number: b.company_registration_number.into_value(),
        vat_number: b.vat_number.into_value(),
        home_phone: n.home_phone.into_value(),
        work_phone: n.work_phone.into_value(),
        mobile_phone: n.mobile_phone.into_value(),
        fax: n.fax.into_value(),
        email: n.email.into_value(),
        created_at: now,
        last_amended_at: now,
    }
}

fn address_row(
    customer_number: i64,
    a: &cmp_model::messages::Address,
) -> customers::CustomerAddress {
    customers::CustomerAddress {
        customer_number,
        address_type: a.address_type.as_str().to_string(),
        line1: a.line1.value().cloned(),
        line2: a.line2.value().cloned(),
        line3: a.line3.value().cloned(),
        line4: a.line4.value().cloned(),
        town: a.town.value().cloned(),
        county: a.county.value().cloned(),
        postcode: a.postcode.value().cloned(),
        country: a.country.value().cloned(),
    }
}

// The CMP 7.3.8 group, corporate, account and structure services.
mod legacy;
pub mod legacy_accounts;
pub mod legacy_groups;
pub mod tree;
