//! UpdateSubscription (SERVICES.md §4, release notes 3.7.1.2): user name, password, date
//! of birth, gender, marital status and cost centre; and what GetSubscription shows of
//! the subscription's own data (personal fields, services, attributes).

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use chrono::NaiveDate;
use cmp_model::messages::{
    Catalogue, Gender, MaritalStatus, Subscription, SubscriptionAttribute, SubscriptionAttributes,
    SubscriptionServices, SubscriptionStatus, UpdateSubscriptionRequest,
    UpdateSubscriptionResponse,
};
use cmp_model::{Code, FieldError, FieldPath};
use cmp_store::repo::subscription_details::{self as repo, PersonalChanges};
use cmp_store::repo::subscriptions as subs;
use cmp_store::repo::UpdateOutcome;
use cmp_store::DbConn;

use super::services;
use crate::catalogue::Snapshot;
use crate::error::OpError;
use crate::faults::{invalid, not_found, rule, stale};
use crate::{Context, Fault, OpResult};

/// Changes only the fields given. `lastAmendedDate`, when given, must be the stored one
/// (`STALE_DATA`); every change stamps a strictly later one, which the answer carries. The
/// password is kept only as a salted Argon2id hash.
pub fn update_subscription(
    ctx: &Context,
    req: UpdateSubscriptionRequest,
) -> OpResult<UpdateSubscriptionResponse> {
    let path = UpdateSubscriptionRequest::path;
    let today = ctx.clock.today();
    if req.date_of_birth.is_some_and(|d| d >= today) {
        return Err(invalid(
            Code::DateNotAllowed,
            path().date_of_birth(),
            "is not in the past",
        ));
    }
    let password_hash = req.password.as_deref().map(hash_password).transpose()?;
    let changes = PersonalChanges {
        user_name: req.user_name.clone(),
        cost_centre: req.cost_centre.clone(),
        password_hash,
        date_of_birth: req.date_of_birth,
        gender: req.gender.map(|g| g.as_str().to_string()),
        marital_status: req.marital_status.map(|m| m.as_str().to_string()),
    };
    let expected = req
        .last_amended_date
        .map(|t| cmp_store::db_time(t.naive_utc()));
    let now = ctx.now();
    let stamp = ctx.write(|c| {
        let current = subs::get(c, req.subscription_number)?
            .ok_or_else(|| not_found(path().subscription_number()))?;
        if expected.is_some_and(|t| t != current.last_amended_at) {
            return Err(stale("subscription").into());
        }
        // Strictly later than the last stamp, even within one clock tick.
        let stamp = now.max(current.last_amended_at + chrono::TimeDelta::microseconds(1));
        match repo::update_personal(c, req.subscription_number, &changes, expected, stamp)? {
            UpdateOutcome::Updated => {}
            UpdateOutcome::Stale => return Err(stale("subscription").into()),
            UpdateOutcome::NotFound => return Err(not_found(path().subscription_number()).into()),
        }
        ctx.audit(c, "subscription", req.subscription_number)?;
        Ok(stamp)
    })?;
    Ok(UpdateSubscriptionResponse {
        external_reference: req.external_reference,
        subscription_number: req.subscription_number,
        last_amended_date: stamp.and_utc(),
    })
}

/// An Argon2id PHC string (`$argon2id$v=19$m=…$salt$hash`) with a fresh 16-byte salt from
/// the operating system's CSPRNG.
pub fn hash_password(password: &str) -> Result<String, Fault> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random source works");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| Fault::new(Code::SystemError, "the password could not be hashed"))
}

/// The subscription row locked for a change (its `last_amended_at` stamped: changes to
/// one subscription take turns), or `NOT_FOUND` on `path`.
pub(super) fn lock(
    ctx: &Context,
    c: &mut DbConn,
    subscription_number: i64,
    path: impl Into<FieldPath>,
) -> Result<subs::Subscription, OpError> {
    let path = path.into();
    if !subs::touch(c, subscription_number, ctx.now())? {
        return Err(not_found(path).into());
    }
    Ok(subs::get(c, subscription_number)?.ok_or_else(|| not_found(path))?)
}

/// `SUBSCRIPTION_DISCONNECTED` on `path` for a disconnected subscription.
pub(super) fn refuse_disconnected(
    sub: &subs::Subscription,
    path: impl Into<FieldPath>,
) -> Result<(), Fault> {
    if sub.status == SubscriptionStatus::Disconnected.as_str() {
        return Err(rule(
            Code::SubscriptionDisconnected,
            path,
            "is disconnected",
        ));
    }
    Ok(())
}

/// `DATE_NOT_ALLOWED` on `path` for a date before today.
pub(super) fn not_in_the_past(
    date: NaiveDate,
    today: NaiveDate,
    path: impl Into<FieldPath>,
) -> Result<(), Fault> {
    if date < today {
        return Err(invalid(Code::DateNotAllowed, path, "is in the past"));
    }
    Ok(())
}

/// Fills in what GetSubscription shows of the subscription's own data: date of birth,
/// gender, marital status, services and attributes (each omitted when there is none).
pub(super) fn fill(
    c: &mut DbConn,
    s: &Snapshot,
    sub: &mut Subscription,
    packages: &[subs::SubscriptionPackageRow],
    today: NaiveDate,
) -> Result<(), OpError> {
    let n = sub.subscription_number;
    let personal = repo::personal_details(c, n)?.unwrap_or_default();
    sub.date_of_birth = personal.date_of_birth;
    sub.gender = personal.gender.as_deref().and_then(Gender::parse);
    sub.marital_status = personal
        .marital_status
        .as_deref()
        .and_then(MaritalStatus::parse);
    let service = services::listed(c, s, n, packages, today)?;
    sub.services = (!service.is_empty()).then_some(SubscriptionServices { service });
    let attribute: Vec<SubscriptionAttribute> = repo::attributes(c, n)?
        .into_iter()
        .map(|a| SubscriptionAttribute {
            group: a.attribute_group,
            name: a.name,
            value: a.value,
        })
        .collect();
    sub.attributes = (!attribute.is_empty()).then_some(SubscriptionAttributes { attribute });
    Ok(())
}

/// What a new catalogue must keep for the subscriptions' own data: the services added to
/// subscriptions and not ended, and the attribute definitions of the names set
/// (`IN_USE`, one error each).
pub fn details_in_use(
    c: &mut DbConn,
    new: &Snapshot,
    today: NaiveDate,
) -> Result<Vec<FieldError>, OpError> {
    let mut errors = Vec::new();
    for code in repo::service_codes_in_use(c, today)? {
        if new.service(&code).is_none() {
            errors.push(FieldError::on(
                Code::InUse,
                Catalogue::path().services(),
                format!("must keep service {code}: subscriptions have it"),
            ));
        }
    }
    for name in repo::attribute_names_in_use(c)? {
        if super::attributes::definition(new, &name).is_none() {
            errors.push(FieldError::on(
                Code::InUse,
                Catalogue::path().reference_data().attribute_definitions(),
                format!("must keep attribute definition {name}: subscriptions have it"),
            ));
        }
    }
    Ok(errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHash, PasswordVerifier};

    #[test]
    fn a_password_is_kept_as_a_salted_argon2id_hash() {
        let one = hash_password("s3cret-Pass").unwrap();
        let two = hash_password("s3cret-Pass").unwrap();
        assert!(one.starts_with("$argon2id$"), "{one}");
        assert!(!one.contains("s3cret-Pass"));
        // A fresh salt each time, and both verify.
        assert_ne!(one, two);
        for h in [&one, &two] {
            let parsed = PasswordHash::new(h).unwrap();
            assert!(Argon2::default()
                .verify_password(b"s3cret-Pass", &parsed)
                .is_ok());
            assert!(Argon2::default()
                .verify_password(b"wrong", &parsed)
                .is_err());
        }
    }
}
