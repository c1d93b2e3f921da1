//! Subscription attributes (SERVICES.md §4, release notes 3.7.1.2.2): a value for a name
//! the catalogue defines (`referenceData/attributeDefinitions`), created once
//! (CreateSubscriptionAttribute) and then updated (UpdateSubscriptionAttribute).

use cmp_model::messages::{
    AttributeDefinition, CreateSubscriptionAttributeRequest, SubscriptionAttributeResponse,
    UpdateSubscriptionAttributeRequest,
};
use cmp_model::Code;
use cmp_store::repo::subscription_details::{self as repo, AttributeRow};

use super::details::lock;
use crate::catalogue::Snapshot;
use crate::faults::{invalid, not_found, rule, unknown};
use crate::{Context, OpResult};

/// The catalogue's definition of attribute `name` (names match exactly).
pub fn definition<'a>(s: &'a Snapshot, name: &str) -> Option<&'a AttributeDefinition> {
    s.doc
        .reference_data
        .as_ref()
        .and_then(|r| r.attribute_definitions.as_ref())
        .and_then(|d| d.attribute_definition.iter().find(|a| a.name == name))
}

/// Sets a defined attribute not yet set on the subscription (`ALREADY_EXISTS` the second
/// time). `group`, when given, must be the definition's; absent, the definition's is
/// taken.
pub fn create_subscription_attribute(
    ctx: &Context,
    req: CreateSubscriptionAttributeRequest,
) -> OpResult<SubscriptionAttributeResponse> {
    let path = CreateSubscriptionAttributeRequest::path;
    let s = ctx.catalogue.current(ctx)?;
    let def = definition(&s, &req.name).ok_or_else(|| unknown(path().name()))?;
    if req.group.is_some() && req.group != def.group {
        return Err(invalid(
            Code::UnknownReference,
            path().group(),
            format!("is not the group of attribute {}", def.name),
        ));
    }
    let group = def.group.clone();
    let now = ctx.now();
    ctx.write(|c| {
        let sub = lock(
            ctx,
            c,
            req.subscription_number,
            path().subscription_number(),
        )?;
        if repo::get_attribute(c, sub.subscription_number, &req.name)?.is_some() {
            return Err(rule(
                Code::AlreadyExists,
                path().name(),
                "is already set on the subscription: update it instead",
            )
            .into());
        }
        repo::insert_attribute(
            c,
            &AttributeRow {
                subscription_number: sub.subscription_number,
                name: req.name.clone(),
                attribute_group: group.clone(),
                value: req.value.clone(),
                created_at: now,
                last_amended_at: now,
            },
        )?;
        ctx.audit(
            c,
            "subscriptionAttribute",
            format!("{}:{}", sub.subscription_number, req.name),
        )
    })?;
    Ok(SubscriptionAttributeResponse {
        external_reference: req.external_reference,
        group,
        name: req.name,
        value: req.value,
    })
}

/// Sets a new value for an attribute the subscription has (`NOT_FOUND` on `name`
/// otherwise).
pub fn update_subscription_attribute(
    ctx: &Context,
    req: UpdateSubscriptionAttributeRequest,
) -> OpResult<SubscriptionAttributeResponse> {
    let path = UpdateSubscriptionAttributeRequest::path;
    let now = ctx.now();
    let group = ctx.write(|c| {
        let sub = lock(
            ctx,
            c,
            req.subscription_number,
            path().subscription_number(),
        )?;
        let n = sub.subscription_number;
        if !repo::update_attribute(c, n, &req.name, &req.value, now)? {
            return Err(not_found(path().name()).into());
        }
        let group = repo::get_attribute(c, n, &req.name)?.and_then(|a| a.attribute_group);
        ctx.audit(c, "subscriptionAttribute", format!("{n}:{}", req.name))?;
        Ok(group)
    })?;
    Ok(SubscriptionAttributeResponse {
        external_reference: req.external_reference,
        group,
        name: req.name,
        value: req.value,
    })
}
