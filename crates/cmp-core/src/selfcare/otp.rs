//! One-time passwords (SERVICES.md §5, DOMAIN.md "One-time passwords").
//!
//! - The code: 6 digits from the operating system's CSPRNG (`getrandom`), uniform
//!   (rejection sampling).
//! - At rest only `HMAC-SHA256(key, reference ":" code)`; the key is `CMP_SECRET_KEY` when
//!   set (the same value on every gateway of a database), else the per-database random key
//!   the self-care migration creates (`secret_keys`, name `otp`).
//! - Expires after [`VALIDITY_SECONDS`]; single use; [`MAX_ATTEMPTS`] wrong passwords lock
//!   it; the hashes are compared in constant time; an expired, used or locked OTP answers
//!   `verified=false` with a reason.
//! - At most [`RATE_LIMIT`] OTPs per subscription/account in [`RATE_WINDOW_SECONDS`]; the
//!   next one is refused (`RATE_LIMITED`). Generation for one target is serialised
//!   (an advisory lock on PostgreSQL), so concurrent requests cannot pass the limit.
//! - Delivery: a message in the outbox, in the same transaction, to the subscription's
//!   mobile number (its `MSISDN` identity, else its non-managed serial number 1, else its
//!   customer's mobile phone) or, for the Email channel, the customer's e-mail address.
//! - All state is in the database: any gateway process verifies what another generated.

use chrono::TimeDelta;
use cmp_model::messages::{
    GenerateOneTimePasswordRequest, GenerateOneTimePasswordResponse, OtpDeliveryChannel,
    OtpFailureReason, VerifyOneTimePasswordRequest, VerifyOneTimePasswordResponse,
};
use cmp_model::Code;
use cmp_store::repo::selfcare::{self, OtpRow, OTP_ISSUED, OTP_LOCKED, OTP_USED};
use cmp_store::repo::{accounts, customers, subscriptions as subs};
use cmp_store::DbConn;
use sha2::{Digest, Sha256};

use super::outbox;
use crate::error::OpError;
use crate::faults::{invalid, not_found, rule};
use crate::{Context, OpResult};

/// How long an OTP is valid.
pub const VALIDITY_SECONDS: i64 = 300;
/// Wrong passwords before the OTP is locked.
pub const MAX_ATTEMPTS: i32 = 3;
/// OTPs per subscription or account in the window.
pub const RATE_LIMIT: i64 = 5;
pub const RATE_WINDOW_SECONDS: i64 = 3600;
/// The environment variable holding the key of the OTP hashes.
pub const SECRET_KEY_ENV: &str = "CMP_SECRET_KEY";

const MSISDN: &str = "MSISDN";

/// GenerateOneTimePassword: for a subscription or an account (exactly one).
pub fn generate_one_time_password(
    ctx: &Context,
    req: GenerateOneTimePasswordRequest,
) -> OpResult<GenerateOneTimePasswordResponse> {
    let path = GenerateOneTimePasswordRequest::path;
    let (subscription, account) = (req.subscription_number, req.account_number);
    let (field, lock_key) = match (subscription, account) {
        (Some(s), None) => (path().subscription_number(), (1i64 << 40) | s),
        (None, Some(a)) => (path().account_number(), (2i64 << 40) | a),
        // Exactly one: the <oneOf> on the request, which the decoder checks.
        _ => {
            return Err(invalid(
                Code::Mandatory,
                path().subscription_number(),
                "is mandatory: give exactly one of subscriptionNumber and accountNumber",
            ))
        }
    };
    let channel = req.delivery_channel;
    let reference = random_hex(16);
    let code = random_code();
    let now = ctx.now();
    let expires = now + TimeDelta::seconds(VALIDITY_SECONDS);
    let delivered_to = ctx.write(|c| {
        selfcare::lock_otp_target(c, lock_key)?;
        let customer = match (subscription, account) {
            (Some(n), _) => {
                let Some(sub) = subs::get(c, n)? else {
                    return Err(not_found(field).into());
                };
                (sub.account_number, Some(n))
            }
            (_, Some(n)) => {
                if !accounts::exists(c, n)? {
                    return Err(not_found(field).into());
                }
                (n, None)
            }
            _ => unreachable!("checked above"),
        };
        let Some(address) = delivery_address(c, channel, customer.0, customer.1)? else {
            return Err(rule(
                Code::NoDeliveryAddress,
                path().delivery_channel(),
                "has no address to deliver to (no mobile number or e-mail address on record)",
            )
            .into());
        };
        let since = now - TimeDelta::seconds(RATE_WINDOW_SECONDS);
        if selfcare::otps_issued_since(c, subscription, account, since)? >= RATE_LIMIT {
            return Err(rule(
                Code::RateLimited,
                field,
                format!("has had {RATE_LIMIT} one-time passwords in the last hour: try again later"),
            )
            .into());
        }
        let key = secret_key(c)?;
        let masked = mask(&address);
        selfcare::insert_otp(
            c,
            &OtpRow {
                otp_reference: reference.clone(),
                subscription_number: subscription,
                account_number: account,
                delivery_channel: channel.as_str().to_string(),
                delivered_to: masked.clone(),
                purpose: req.purpose.clone(),
                code_hash: code_hash(&key, &reference, &code),
                state: OTP_ISSUED.to_string(),
                failed_attempts: 0,
                created_at: now,
                expires_at: expires,
                used_at: None,
            },
        )?;
        let purpose = req
            .purpose
            .as_deref()
            .map_or(String::new(), |p| format!(" for {p}"));
        outbox::send(
            ctx,
            c,
            "OneTimePassword",
            channel.as_str(),
            &address,
            format!(
                "Your one-time password{purpose} is {code}. It expires in {} minutes. Never share it.",
                VALIDITY_SECONDS / 60
            ),
        )?;
        ctx.audit(c, "oneTimePassword", &reference)?;
        Ok(masked)
    })?;
    Ok(GenerateOneTimePasswordResponse {
        external_reference: req.external_reference,
        otp_reference: reference,
        expires_at: cmp_store::db_time(expires).and_utc(),
        delivered_to,
    })
}

/// VerifyOneTimePassword: right once, within its validity, before it is locked.
pub fn verify_one_time_password(
    ctx: &Context,
    req: VerifyOneTimePasswordRequest,
) -> OpResult<VerifyOneTimePasswordResponse> {
    let now = ctx.now();
    let (verified, failed, reason) = ctx.write(|c| {
        let Some(row) = selfcare::get_otp_for_update(c, &req.otp_reference)? else {
            let at = VerifyOneTimePasswordRequest::path().otp_reference();
            return Err(not_found(at).into());
        };
        let f = row.failed_attempts;
        if row.state == OTP_USED {
            return Ok((false, f, Some(OtpFailureReason::Used)));
        }
        if row.state == OTP_LOCKED {
            return Ok((false, f, Some(OtpFailureReason::Locked)));
        }
        if now >= row.expires_at {
            return Ok((false, f, Some(OtpFailureReason::Expired)));
        }
        let key = secret_key(c)?;
        let given = code_hash(&key, &row.otp_reference, &req.password);
        let outcome = if constant_time_eq(given.as_bytes(), row.code_hash.as_bytes()) {
            selfcare::set_otp_state(c, &row.otp_reference, OTP_USED, f, Some(now))?;
            (true, f, None)
        } else {
            let f = f + 1;
            let state = if f >= MAX_ATTEMPTS {
                OTP_LOCKED
            } else {
                OTP_ISSUED
            };
            selfcare::set_otp_state(c, &row.otp_reference, state, f, None)?;
            (false, f, Some(OtpFailureReason::Wrong))
        };
        ctx.audit(c, "oneTimePassword", &row.otp_reference)?;
        Ok(outcome)
    })?;
    Ok(VerifyOneTimePasswordResponse {
        external_reference: req.external_reference,
        verified,
        attempts_remaining: i64::from((MAX_ATTEMPTS - failed).max(0)),
        reason,
    })
}

/// Where the message goes: a mobile number for SMS and Push, the e-mail address for Email.
pub(crate) fn delivery_address(
    c: &mut DbConn,
    channel: OtpDeliveryChannel,
    account_number: i64,
    subscription: Option<i64>,
) -> Result<Option<String>, OpError> {
    if channel != OtpDeliveryChannel::Email {
        if let Some(n) = subscription {
            let msisdn = subs::identities(c, n)?
                .into_iter()
                .find(|i| i.identity_type.eq_ignore_ascii_case(MSISDN))
                .map(|i| i.identity_value);
            let serial = || -> Result<Option<String>, OpError> {
                Ok(subs::serials(c, n)?
                    .into_iter()
                    .find(|s| s.kind == subs::SERIAL_NON_MANAGED && s.enumeration_id == 1)
                    .map(|s| s.value))
            };
            if let Some(v) = msisdn.map_or_else(serial, |m| Ok(Some(m)))? {
                return Ok(Some(v));
            }
        }
    }
    let Some(account) = accounts::get(c, account_number)? else {
        return Ok(None);
    };
    if channel == OtpDeliveryChannel::Email {
        // The account's Primary address (slot 1, which is the customer's contact e-mail
        // only until it is written).
        return Ok(crate::accounts::emails::email_addresses(c, &account)?
            .into_iter()
            .find(|e| e.email_id == 1)
            .map(|e| e.address));
    }
    Ok(customers::get(c, account.customer_number)?.and_then(|cu| cu.mobile_phone))
}

/// `07700900123` → `*******0123`; `jane.smith@example.com` → `j***@example.com`; a
/// number of 4 characters or fewer is masked whole.
pub fn mask(address: &str) -> String {
    if let Some((local, domain)) = address.split_once('@') {
        let first: String = local.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let n = address.chars().count();
    address
        .chars()
        .enumerate()
        .map(|(i, ch)| if i + 4 < n || n <= 4 { '*' } else { ch })
        .collect()
}

/// The key of the OTP hashes: `CMP_SECRET_KEY`, else the database's own.
fn secret_key(c: &mut DbConn) -> Result<Vec<u8>, OpError> {
    if let Ok(k) = std::env::var(SECRET_KEY_ENV) {
        if !k.is_empty() {
            return Ok(k.into_bytes());
        }
    }
    match selfcare::secret_key(c, "otp")? {
        Some(k) => Ok(k.into_bytes()),
        None => Err(OpError::Store(cmp_store::StoreError::Other(
            "secret key 'otp' missing from secret_keys".into(),
        ))),
    }
}

fn code_hash(key: &[u8], reference: &str, code: &str) -> String {
    hex(&hmac_sha256(key, format!("{reference}:{code}").as_bytes()))
}

/// HMAC-SHA256 (RFC 2104).
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .into()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    std::hint::black_box(a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y))) == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    buf
}

fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    hex(&buf)
}

/// 6 digits, uniform: values past the last whole million of `u32` are drawn again.
fn random_code() -> String {
    loop {
        let v = u32::from_le_bytes(random_bytes::<4>());
        if v < 4_294_000_000 {
            return format!("{:06}", v % 1_000_000);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn masks_keep_only_what_identifies_the_channel() {
        assert_eq!(mask("07700900123"), "*******0123");
        assert_eq!(mask("jane.smith@example.com"), "j***@example.com");
        assert_eq!(mask("123"), "***");
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let c = random_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
