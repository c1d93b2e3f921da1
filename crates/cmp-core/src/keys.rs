//! API keys and roles (DESIGN.md, Gateway: auth). A key is `cmp_<id>_<secret>`: the id
//! finds it, the secret proves it. Only the SHA-256 of the secret is stored (the secret is
//! 256 random bits, so a fast hash is enough); comparison is constant-time.

use cmp_model::{Code, Fault};
use cmp_store::repo::api_keys::{self, ApiKey};
use sha2::{Digest, Sha256};

use crate::{Context, OpResult};

/// What a caller may do; each includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Read,
    Write,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Write => "write",
            Role::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "read" => Some(Role::Read),
            "write" => Some(Role::Write),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Credentials as a request presents them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// `X-API-Key` or `Authorization: Bearer`.
    Key(String),
    /// HTTP Basic: the key's name and the key.
    Basic { user: String, key: String },
}

/// Who is calling: a key's name and role, or nobody when no key exists (open mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Key { name: String, role: Role },
    Open,
}

impl Caller {
    pub fn name(&self) -> Option<&str> {
        match self {
            Caller::Key { name, .. } => Some(name),
            Caller::Open => None,
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    hex(&buf)
}

fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Equal without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    std::hint::black_box(a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y))) == 0
}

/// `cmp_<id>_<secret>` split into its parts.
fn split(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix("cmp_")?;
    let (id, secret) = rest.split_once('_')?;
    // The id is what `add_key` makes (hex): anything else (a U+0000 from a Basic
    // password, say) is not looked up at all.
    let id_ok = !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit());
    (id_ok && !secret.is_empty()).then_some((id, secret))
}

/// Creates a key and returns it: the only time its secret is seen.
pub fn add_key(ctx: &Context, name: &str, role: Role) -> OpResult<String> {
    let (key_id, secret) = (random_hex(8), random_hex(32));
    let row = ApiKey {
        name: name.to_string(),
        key_id: key_id.clone(),
        secret_hash: hash(&secret),
        role: role.as_str().to_string(),
        created_at: ctx.now(),
        revoked_at: None,
    };
    ctx.write(|c| {
        api_keys::insert(c, &row)?;
        ctx.audit(c, "apiKey", name)
    })?;
    Ok(format!("cmp_{key_id}_{secret}"))
}

pub fn list_keys(ctx: &Context) -> OpResult<Vec<ApiKey>> {
    ctx.read(|c| Ok(api_keys::list(c)?))
}

/// Revokes a key; running gateways refuse it from their next request.
pub fn revoke_key(ctx: &Context, name: &str) -> OpResult<bool> {
    ctx.write(|c| {
        let done = api_keys::revoke(c, name, ctx.now())?;
        if done {
            ctx.audit(c, "apiKey", name)?;
        }
        Ok(done)
    })
}

/// Whether any key is active: without one the gateway runs open.
pub fn any_active(ctx: &Context) -> OpResult<bool> {
    ctx.read(|c| Ok(api_keys::any_active(c)?))
}

/// Who presents `credential`, checked against the database on every request so that a
/// new or revoked key takes effect at once.
pub fn authenticate(ctx: &Context, credential: Option<&Credential>) -> OpResult<Caller> {
    let invalid = || Fault::new(Code::InvalidCredentials, "the credentials are not valid");
    let Some(credential) = credential else {
        return if any_active(ctx)? {
            Err(Fault::new(
                Code::MissingCredentials,
                "an API key is required (X-API-Key, Bearer or Basic)",
            ))
        } else {
            Ok(Caller::Open)
        };
    };
    let (user, key) = match credential {
        Credential::Key(k) => (None, k.as_str()),
        Credential::Basic { user, key } => (Some(user.as_str()), key.as_str()),
    };
    let (key_id, secret) = split(key).ok_or_else(invalid)?;
    let row = ctx
        .read(|c| Ok(api_keys::active_by_key_id(c, key_id)?))?
        .ok_or_else(invalid)?;
    let name_ok = user.is_none_or(|u| constant_time_eq(u.as_bytes(), row.name.as_bytes()));
    if !constant_time_eq(hash(secret).as_bytes(), row.secret_hash.as_bytes()) || !name_ok {
        return Err(invalid());
    }
    let role = Role::parse(&row.role).ok_or_else(invalid)?;
    Ok(Caller::Key {
        name: row.name,
        role,
    })
}

/// Refuses a caller whose role is below `needed` (`NOT_AUTHORISED`). Open mode allows
/// everything.
pub fn authorize(caller: &Caller, needed: Role) -> OpResult<()> {
    match caller {
        Caller::Key { role, .. } if *role < needed => Err(Fault::new(
            Code::NotAuthorised,
            format!("this operation needs the {} role", needed.as_str()),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_into_id_and_secret() {
        assert_eq!(split("cmp_ab12_s3cr3t"), Some(("ab12", "s3cr3t")));
        assert_eq!(split("cmp__x"), None);
        assert_eq!(split("other_ab_x"), None);
        assert_eq!(split("cmp_ab\u{0}12_x"), None);
        assert_eq!(split("cmp_zz_x"), None);
    }

    #[test]
    fn roles_include_the_ones_below() {
        assert!(authorize(
            &Caller::Key {
                name: "a".into(),
                role: Role::Admin
            },
            Role::Write
        )
        .is_ok());
        assert_eq!(
            authorize(
                &Caller::Key {
                    name: "r".into(),
                    role: Role::Read
                },
                Role::Write
            )
            .unwrap_err()
            .message_id,
            Code::NotAuthorised
        );
        assert!(authorize(&Caller::Open, Role::Admin).is_ok());
    }

    #[test]
    fn comparison_needs_every_byte() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
