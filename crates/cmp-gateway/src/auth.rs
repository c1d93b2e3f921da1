//! Reading credentials off a request: `X-API-Key`, `Authorization: Bearer` or HTTP
//! Basic (for SOAP clients: the key's name as the user, the key as the password). They
//! are checked in `cmp_core::keys`; nothing here is logged.

use actix_web::http::header;
use actix_web::HttpRequest;
use base64::Engine;
use cmp_core::keys::Credential;
use cmp_model::{Code, Fault};

pub fn credential(req: &HttpRequest) -> Result<Option<Credential>, Fault> {
    let malformed = || {
        Fault::new(
            Code::InvalidCredentials,
            "the Authorization header is malformed",
        )
    };
    if let Some(v) = req.headers().get("x-api-key") {
        let key = v.to_str().map_err(|_| malformed())?.trim();
        return Ok(Some(Credential::Key(key.to_string())));
    }
    let Some(v) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let v = v.to_str().map_err(|_| malformed())?.trim();
    let (scheme, value) = v.split_once(' ').ok_or_else(malformed)?;
    match scheme.to_ascii_lowercase().as_str() {
        "bearer" => Ok(Some(Credential::Key(value.trim().to_string()))),
        "basic" => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(value.trim())
                .map_err(|_| malformed())?;
            let text = String::from_utf8(bytes).map_err(|_| malformed())?;
            let (user, key) = text.split_once(':').ok_or_else(malformed)?;
            Ok(Some(Credential::Basic {
                user: user.to_string(),
                key: key.to_string(),
            }))
        }
        _ => Err(malformed()),
    }
}
