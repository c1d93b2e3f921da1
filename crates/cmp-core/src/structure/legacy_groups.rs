//! GroupPort and CorporatePort (CMP 7.3.8): create with a posting account, query by
//! datasets, update on `lastAmendedDate`; and their resource routes.

use cmp_model::messages::{
    AddressQuery, CorporateBasic, CreateCorporateResponse, CreateGroupResponse, GroupBasic,
    LegacyCreateCorporateRequest, LegacyCreateGroupRequest, PatchCorporateRequest,
    PatchGroupRequest, QueryCorporateRequest, QueryCorporateResponse, QueryGroupRequest,
    QueryGroupResponse, StructureDataset, StructureDatasets, UpdateCorporateRequest,
    UpdateGroupRequest, UpdateResponse,
};
use cmp_model::{Code, DateTime, FieldPath};
use cmp_store::repo::{corporates, groups};
use cmp_store::DbConn;

use super::legacy::{self, Optimistic};
use crate::faults::{not_found, rule};
use crate::{Context, OpError, OpResult};

fn already_exists(path: FieldPath) -> cmp_model::Fault {
    rule(Code::AlreadyExists, path, "is already in use")
}

/// What a group's or corporate's posting account answers in QueryGroup/QueryCorporate:
/// its company number, its address number (its customer's) and, with the ADDRESS
/// dataset, that address. All absent without a posting account.
struct Posting {
    company_number: Option<String>,
    address_number: Option<i64>,
    address: Option<AddressQuery>,
}

impl Posting {
    fn read(
        c: &mut DbConn,
        account: Option<i64>,
        datasets: &Option<StructureDatasets>,
    ) -> Result<Posting, OpError> {
        let (company_number, address_number) = legacy::posting_details(c, account)?;
        let address = match address_number {
            Some(n) if wants(datasets, StructureDataset::Address) => legacy::address_of(c, n)?,
            _ => None,
        };
        Ok(Posting {
            company_number,
            address_number,
            address,
        })
    }
}

/// Whether a query asks for `d` (no datasets: all of them).
fn wants(datasets: &Option<StructureDatasets>, d: StructureDataset) -> bool {
    datasets.as_ref().is_none_or(|s| s.dataset.contains(&d))
}

pub fn legacy_create_group(
    ctx: &Context,
    req: LegacyCreateGroupRequest,
) -> OpResult<CreateGroupResponse> {
    let d = &req.group_data;
    let at = || LegacyCreateGroupRequest::path().group_data();
    if let Some(a) = &d.account {
        legacy::no_parent_in_posting_account(a, &at().account())?;
    }
    let now = ctx.now();
    ctx.write(|c| {
        if groups::exists(c, &d.group_code)? {
            return Err(already_exists(at().group_code()).into());
        }
        groups::insert(
            c,
            &groups::Group {
                group_code: d.group_code.clone(),
                description: d.group_description.clone(),
                created_at: now,
                last_amended_at: now,
            },
        )?;
        ctx.audit(c, "group", &d.group_code)?;
        if let Some(a) = &d.account {
            let n =
                legacy::insert_account(ctx, c, a, &at().account(), None, Some(&d.group_code), now)?;
            let details = groups::GroupDetails {
                posting_account_number: Some(n),
                email_address: a.email_address.clone(),
            };
            groups::set_details(c, &d.group_code, &details)?;
        }
        Ok(())
    })?;
    Ok(CreateGroupResponse {
        external_reference: req.external_reference,
        group_code: req.group_data.group_code,
    })
}

pub fn query_group(ctx: &Context, req: QueryGroupRequest) -> OpResult<QueryGroupResponse> {
    let found = ctx.read(|c| {
        let Some(g) = groups::get(c, &req.group_code)? else {
            return Ok(None);
        };
        let d = groups::details(c, &req.group_code)?.unwrap_or_default();
        let p = Posting::read(c, d.posting_account_number, &req.datasets)?;
        Ok(Some((g, d, p)))
    })?;
    let (g, d, p) = found.ok_or_else(|| not_found(QueryGroupRequest::path().group_code()))?;
    Ok(QueryGroupResponse {
        external_reference: req.external_reference.clone(),
        group_basic: wants(&req.datasets, StructureDataset::Basic).then(|| GroupBasic {
            group_code: g.group_code,
            group_description: g.description,
            company_number: p.company_number,
            address_number: p.address_number,
            email_address: d.email_address,
            posting_account_number: d.posting_account_number,
            last_amended_date: g.last_amended_at.and_utc(),
        }),
        address: p.address,
    })
}

/// A change of a group: its description.
struct GroupChange {
    code: String,
    code_path: FieldPath,
    description: Option<String>,
    given: Vec<DateTime>,
}

fn change_group(ctx: &Context, ch: GroupChange) -> OpResult<()> {
    ctx.write(|c| {
        let Some(current) = groups::get(c, &ch.code)? else {
            return Err(not_found(ch.code_path.clone()).into());
        };
        Optimistic {
            entity: "group",
            id: &ch.code,
            stored: current.last_amended_at,
            given: ch.given.clone(),
            changes: ch.description.is_some(),
            not_found: ch.code_path.clone(),
        }
        .apply(ctx, c, |c, expected, stamp| {
            groups::update(c, &ch.code, ch.description.as_deref(), expected, stamp)
        })
    })
}

pub fn update_group(ctx: &Context, req: UpdateGroupRequest) -> OpResult<UpdateResponse> {
    let basic = req.update_group_basic.as_ref();
    change_group(
        ctx,
        GroupChange {
            code: req.group_code.clone(),
            code_path: UpdateGroupRequest::path().group_code(),
            description: basic.and_then(|b| b.group_description.clone()),
            given: basic.map(|b| b.last_amended_date).into_iter().collect(),
        },
    )?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}

/// `PATCH /groups/{groupCode}`.
pub fn patch_group(ctx: &Context, req: PatchGroupRequest) -> OpResult<UpdateResponse> {
    change_group(
        ctx,
        GroupChange {
            code: req.group_code.clone(),
            code_path: PatchGroupRequest::path().group_code(),
            description: req.description.clone(),
            given: req.last_amended_date.into_iter().collect(),
        },
    )?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}

pub fn legacy_create_corporate(
    ctx: &Context,
    req: LegacyCreateCorporateRequest,
) -> OpResult<CreateCorporateResponse> {
    let d = &req.corporate_data;
    let at = || LegacyCreateCorporateRequest::path().corporate_data();
    if let Some(a) = &d.account {
        legacy::no_parent_in_posting_account(a, &at().account())?;
    }
    let now = ctx.now();
    ctx.write(|c| {
        if corporates::exists(c, &d.corporate_code)? {
            return Err(already_exists(at().corporate_code()).into());
        }
        if let Some(g) = &d.group_code {
            legacy::require_group(c, g, at().group_code())?;
        }
        corporates::insert(
            c,
            &corporates::Corporate {
                corporate_code: d.corporate_code.clone(),
                description: d.corporate_description.clone(),
                group_code: d.group_code.clone(),
                created_at: now,
                last_amended_at: now,
            },
        )?;
        ctx.audit(c, "corporate", &d.corporate_code)?;
        if let Some(a) = &d.account {
            let at = at().account();
            let n = legacy::insert_account(ctx, c, a, &at, Some(&d.corporate_code), None, now)?;
            let details = corporates::CorporateDetails {
                posting_account_number: Some(n),
                email_address: a.email_address.clone(),
            };
            corporates::set_details(c, &d.corporate_code, &details)?;
        }
        Ok(())
    })?;
    Ok(CreateCorporateResponse {
        external_reference: req.external_reference,
        corporate_code: req.corporate_data.corporate_code,
    })
}

pub fn query_corporate(
    ctx: &Context,
    req: QueryCorporateRequest,
) -> OpResult<QueryCorporateResponse> {
    let found = ctx.read(|c| {
        let Some(k) = corporates::get(c, &req.corporate_code)? else {
            return Ok(None);
        };
        let d = corporates::details(c, &req.corporate_code)?.unwrap_or_default();
        let p = Posting::read(c, d.posting_account_number, &req.datasets)?;
        Ok(Some((k, d, p)))
    })?;
    let (k, d, p) =
        found.ok_or_else(|| not_found(QueryCorporateRequest::path().corporate_code()))?;
    Ok(QueryCorporateResponse {
        external_reference: req.external_reference.clone(),
        corporate_basic: wants(&req.datasets, StructureDataset::Basic).then(|| CorporateBasic {
            corporate_code: k.corporate_code,
            corporate_description: k.description,
            company_number: p.company_number,
            address_number: p.address_number,
            email_address: d.email_address,
            posting_account_number: d.posting_account_number,
            group_code: k.group_code,
            last_amended_date: k.last_amended_at.and_utc(),
        }),
        address: p.address,
    })
}

/// A change of a corporate: its description, its group (which moves every account under
/// it, and so which agreements QueryAgreementByCustomerLevel finds for them).
struct CorporateChange {
    code: String,
    code_path: FieldPath,
    description: Option<String>,
    group: Option<(String, FieldPath)>,
    given: Vec<DateTime>,
}

fn change_corporate(ctx: &Context, ch: CorporateChange) -> OpResult<()> {
    ctx.write(|c| {
        let Some(current) = corporates::get(c, &ch.code)? else {
            return Err(not_found(ch.code_path.clone()).into());
        };
        if let Some((g, at)) = &ch.group {
            legacy::require_group(c, g, at.clone())?;
        }
        let changes = corporates::CorporateChanges {
            description: ch.description.clone(),
            group_code: ch.group.as_ref().map(|g| g.0.clone()),
        };
        Optimistic {
            entity: "corporate",
            id: &ch.code,
            stored: current.last_amended_at,
            given: ch.given.clone(),
            changes: changes.description.is_some() || changes.group_code.is_some(),
            not_found: ch.code_path.clone(),
        }
        .apply(ctx, c, |c, expected, stamp| {
            corporates::update(c, &ch.code, &changes, expected, stamp)
        })
    })
}

pub fn update_corporate(ctx: &Context, req: UpdateCorporateRequest) -> OpResult<UpdateResponse> {
    let basic = req.update_corporate_basic.as_ref();
    let path = UpdateCorporateRequest::path;
    change_corporate(
        ctx,
        CorporateChange {
            code: req.corporate_code.clone(),
            code_path: path().corporate_code(),
            description: basic.and_then(|b| b.corporate_description.clone()),
            group: basic
                .and_then(|b| b.group_code.clone())
                .map(|g| (g, path().update_corporate_basic().group_code())),
            given: basic.map(|b| b.last_amended_date).into_iter().collect(),
        },
    )?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}

/// `PATCH /corporates/{corporateCode}`.
pub fn patch_corporate(ctx: &Context, req: PatchCorporateRequest) -> OpResult<UpdateResponse> {
    let path = PatchCorporateRequest::path;
    change_corporate(
        ctx,
        CorporateChange {
            code: req.corporate_code.clone(),
            code_path: path().corporate_code(),
            description: req.description.clone(),
            group: req.group_code.clone().map(|g| (g, path().group_code())),
            given: req.last_amended_date.into_iter().collect(),
        },
    )?;
    Ok(UpdateResponse {
        external_reference: req.external_reference,
    })
}
