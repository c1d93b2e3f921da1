//! AccountPort (CMP 7.3.8): CreateAccount, QueryAccount and UpdateAccountDetails, and
//! `PATCH /accounts/{accountId}`.

use cmp_model::messages::{
    AccountBasic, AccountDataset, AccountDatasets, Cheque, CreateAccountResponse, CreditControl,
    CustomerDetails, DirectDebitDetails, LegacyCreateAccountRequest, PatchAccountRequest,
    PaymentDetails, QueryAccountRequest, QueryAccountResponse, UpdateAccountDetailsRequest,
    UpdateResponse,
};
use cmp_model::{DateTime, FieldPath};
use cmp_store::repo::{accounts, payments};

use super::legacy::{self, Optimistic};
use crate::faults::not_found;
use crate::{Context, OpResult};

pub fn legacy_create_account(
    ctx: &Context,
    req: LegacyCreateAccountRequest,
) -> OpResult<CreateAccountResponse> {
    let d = &req.account_data;
    let at = || LegacyCreateAccountRequest::path().account_data();
    let parents = Parents::of(
        d.corporate_code.clone().map(|c| (c, at().corporate_code())),
        d.group_code.clone().map(|g| (g, at().group_code())),
    );
    let now = ctx.now();
    let account_number = ctx.write(|c| {
        parents.check_exist(c)?;
        let (corporate, group) = parents.codes();
        legacy::insert_account(ctx, c, d, &at(), corporate, group, now)
    })?;
    Ok(CreateAccountResponse {
        external_reference: req.external_reference,
        account_number,
    })
}

/// The parent an account is given: a corporate or a group, never both.
struct Parents {
    corporate: Option<(String, FieldPath)>,
    group: Option<(String, FieldPath)>,
}

impl Parents {
    fn of(corporate: Option<(String, FieldPath)>, group: Option<(String, FieldPath)>) -> Parents {
        // Not both: the schemas' <atMostOne> on the request types, checked by the decoder.
        Parents { corporate, group }
    }
    fn codes(&self) -> (Option<&str>, Option<&str>) {
        (
            self.corporate.as_ref().map(|c| c.0.as_str()),
            self.group.as_ref().map(|g| g.0.as_str()),
        )
    }
    fn given(&self) -> bool {
        self.corporate.is_some() || self.group.is_some()
    }
    fn check_exist(&self, c: &mut cmp_store::DbConn) -> Result<(), crate::OpError> {
        if let Some((code, at)) = &self.corporate {
            legacy::require_corporate(c, code, at.clone())?;
        }
        if let Some((code, at)) = &self.group {
            legacy::require_group(c, code, at.clone())?;
        }
        Ok(())
    }
}

fn wants(datasets: &Option<AccountDatasets>, d: AccountDataset) -> bool {
    datasets.as_ref().is_none_or(|s| s.dataset.contains(&d))
}

/// The 7.3.8 payment type an account answers: DD while it pays by direct debit, CC by
/// card, else the stored code (CHQ when none, or when a direct debit was cancelled).
fn payment_type(a: &accounts::Account, d: &accounts::AccountDetails) -> String {
    match a.payment_method.as_str() {
        accounts::PAYMENT_DIRECT_DEBIT => legacy::PAYMENT_TYPE_DIRECT_DEBIT.to_string(),
        accounts::PAYMENT_CARD => legacy::PAYMENT_TYPE_CARD.to_string(),
        _ => d
            .payment_type
            .clone()
            .filter(|p| p != legacy::PAYMENT_TYPE_DIRECT_DEBIT)
            .unwrap_or_else(|| legacy::PAYMENT_TYPE_MANUAL.to_string()),
    }
}

pub fn query_account(ctx: &Context, req: QueryAccountRequest) -> OpResult<QueryAccountResponse> {
    let ds = &req.datasets;
    let found = ctx.read(|c| {
        let Some(a) = accounts::get(c, req.account_number)? else {
            return Ok(None);
        };
        let d = accounts::details(c, a.account_number)?.unwrap_or_default();
        let dd = if a.payment_method == accounts::PAYMENT_DIRECT_DEBIT {
            payments::active_direct_debit(c, a.account_number)?
        } else {
            None
        };
        let emails = crate::accounts::emails::email_addresses(c, &a)?;
        let address = if wants(ds, AccountDataset::Address) {
            legacy::address_of(c, a.customer_number)?
        } else {
            None
        };
        Ok(Some((a, d, dd, emails, address)))
    })?;
    let (a, d, dd, emails, address) =
        found.ok_or_else(|| not_found(QueryAccountRequest::path().account_number()))?;
    let stamp = a.last_amended_at.and_utc();
    let pay_type = payment_type(&a, &d);
    let payment_details = wants(ds, AccountDataset::PaymentDetails).then(|| PaymentDetails {
        cheque: dd.is_none().then(|| Cheque {
            payment_type: pay_type.clone(),
        }),
        direct_debit: dd.as_ref().map(|dd| DirectDebitDetails {
            payment_type: pay_type.clone(),
            bank_account_number: Some(dd.masked_account_number.clone()),
            bank_sort_code: Some(dd.bank_sort_code.clone()),
            d_d_account_name: Some(dd.name_of_payer.clone()),
        }),
        last_amended_date: Some(stamp),
    });
    // The stored 7.3.8 address, else the account's first e-mail address (slot 1 follows
    // the customer's contact e-mail).
    let email = d
        .email_address
        .clone()
        .or_else(|| emails.first().map(|e| e.address.clone()))
        .map(|e| e.chars().take(70).collect());
    Ok(QueryAccountResponse {
        external_reference: req.external_reference.clone(),
        account_basic: wants(ds, AccountDataset::Basic).then(|| AccountBasic {
            account_number: a.account_number,
            corporate_code: a.corporate_code.clone(),
            group_code: a.group_code.clone(),
            company_number: d.company_number.clone(),
            payment_type: pay_type.clone(),
            payment_terms: d.payment_term.clone(),
            address_number: a.customer_number,
            email_address: email,
            creation_date: a.created_at.and_utc(),
            last_amended_date: stamp,
        }),
        payment_details,
        address,
        credit_control: wants(ds, AccountDataset::CreditControl).then_some(CreditControl {
            credit_limit: d.credit_limit,
            last_amended_date: Some(stamp),
        }),
        customer_details: wants(ds, AccountDataset::CustomerDetails).then(|| CustomerDetails {
            for_attn_of_name: d.for_attn_of_name.clone(),
            account_contact_name: d.account_contact_name.clone(),
            last_amended_date: Some(stamp),
        }),
        last_amended_date: Some(stamp),
    })
}

/// A change of an account, from either form.
struct AccountChange {
    number: i64,
    number_path: FieldPath,
    parents: Parents,
    changes: accounts::AccountChanges,
    given: Vec<DateTime>,
}

fn change_account(ctx: &Context, ch: AccountChange) -> OpResult<()> {
    let mut changes = ch.changes;
    if ch.parents.given() {
        let (corporate, group) = ch.parents.codes();
        changes.parents = Some((corporate.map(str::to_string), group.map(str::to_string)));
    }
    changes.currency = changes.currency.map(|c| c.to_ascii_uppercase());
    ctx.write(|c| {
        let Some(current) = accounts::get(c, ch.number)? else {
            return Err(not_found(ch.number_path.clone()).into());
        };
        ch.parents.check_exist(c)?;
        let id = ch.number.to_string();
        Optimistic {
            entity: "account",
            id: &id,
            stored: current.last_amended_at,
            given: ch.given.clone(),
            changes: changes.changes_something(),
            not_found: ch.number_path.clone(),
        }
        .apply(ctx, c, |c, expected, stamp| {
            accounts::update(c, ch.number, &changes, expected, stamp)
        })
    })
}

pub fn update_account_details(
    ctx: &Context,
    req: UpdateAccountDetailsRequest,
) -> OpResult<UpdateResponse> {
    let path = UpdateAccountDetailsRequest::path;
    let basic = req.update_account_basic.clone().unwrap_or_default();
    let customer = req.update_customer_details.clone().unwrap_or_default();
    let credit = req.update_credit_control.clone().unwrap_or_default();
    let at = || path().update_account_basic();
    change_account(
        ctx,
        AccountChange {
            number: req.account_number,
            number_path: path().account_number(),
            parents: Parents::of(
                basic.corporate_code.map(|c| (c, at().corporate_code())),
                basic.group_code.map(|g| (g, at().group_code())),
            ),
            changes: accounts::AccountChanges {
                account_name: basic.account_name,
                currency: basic.currency,
                parents: None,
                details: accounts::AccountDetails {
                    payment_term: basic.payment_terms,
                    credit_limit: credit.credit_limit,
                    for_attn_of_name: customer.for_attn_of_name,
                    account_contact_name: customer.account_contact_name,
                    ..Default::default()
                },
            },
            given: [
                basic.last_amended_date,
                customer.last_amended_date,
                credit.last_amended_date,
            ]
            .into_iter()
            .flatten()
            .collect(),
        },
    )?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}

/// `PATCH /accounts/{accountId}`.
pub fn patch_account(ctx: &Context, req: PatchAccountRequest) -> OpResult<UpdateResponse> {
    let path = PatchAccountRequest::path;
    change_account(
        ctx,
        AccountChange {
            number: req.account_number,
            number_path: path().account_number(),
            parents: Parents::of(
                req.corporate_code
                    .clone()
                    .map(|c| (c, path().corporate_code())),
                req.group_code.clone().map(|g| (g, path().group_code())),
            ),
            changes: accounts::AccountChanges {
                account_name: req.account_name.clone(),
                currency: req.currency.clone(),
                parents: None,
                details: accounts::AccountDetails {
                    payment_term: req.payment_terms.clone(),
                    credit_limit: req.credit_limit,
                    for_attn_of_name: req.for_attn_of_name.clone(),
                    account_contact_name: req.account_contact_name.clone(),
                    ..Default::default()
                },
            },
            given: req.last_amended_date.into_iter().collect(),
        },
    )?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}
