//! The one responder: a response or a fault, written in the negotiated dialect with the
//! right status and headers.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use cmp_model::render;
use cmp_model::soap::SoapVersion;
use cmp_model::Fault;

use crate::negotiate::ResponseFormat;
use crate::registry::Reply;

/// The dialect an answer is written in.
#[derive(Debug, Clone)]
pub enum Dialect {
    Rest(ResponseFormat),
    Soap {
        version: SoapVersion,
        namespace: String,
        /// The wrapper name as the client sent it (responses are `{operation}Response`).
        operation: String,
        /// `Operation/Child`, the root of SOAP error paths.
        root: String,
    },
}

impl Dialect {
    /// For the request log.
    pub fn label(&self) -> &'static str {
        match self {
            Dialect::Rest(ResponseFormat::Json) => "json",
            Dialect::Rest(_) => "xml",
            Dialect::Soap {
                version: SoapVersion::V11,
                ..
            } => "soap11",
            Dialect::Soap {
                version: SoapVersion::V12,
                ..
            } => "soap12",
        }
    }

    fn content_type(&self) -> &'static str {
        match self {
            Dialect::Rest(f) => f.content_type(),
            Dialect::Soap { version, .. } => version.content_type(),
        }
    }
}

pub fn reply(
    dialect: &Dialect,
    root: &'static str,
    body: &Reply,
    status: StatusCode,
) -> HttpResponse {
    let text = match dialect {
        Dialect::Rest(ResponseFormat::Json) => render::json(body.as_ref()),
        Dialect::Rest(_) => render::xml(root, body.as_ref()),
        Dialect::Soap {
            version,
            namespace,
            operation,
            ..
        } => render::soap(*version, namespace, operation, body.as_ref()),
    };
    finish(HttpResponse::build(status), dialect, text)
}

pub fn fault(dialect: &Dialect, f: &Fault) -> HttpResponse {
    let (status, text) = match dialect {
        Dialect::Rest(ResponseFormat::Json) => (f.status, render::fault_json(f)),
        Dialect::Rest(_) => (f.status, render::fault_xml(f)),
        // SOAP 1.1 answers every fault with 500; so does SOAP 1.2 here, for one rule.
        Dialect::Soap { version, root, .. } => (500, render::fault_soap(*version, f, root)),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut b = HttpResponse::build(status);
    if status == StatusCode::UNAUTHORIZED {
        b.insert_header((
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"cmp\", Bearer"),
        ));
    }
    if let Some(secs) = f.retry_after {
        b.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    finish(b, dialect, text)
}

fn finish(mut b: actix_web::HttpResponseBuilder, dialect: &Dialect, text: String) -> HttpResponse {
    b.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static(dialect.content_type()),
    ));
    if matches!(dialect, Dialect::Rest(_)) {
        b.insert_header((header::VARY, HeaderValue::from_static("Accept")));
    }
    b.body(text)
}
