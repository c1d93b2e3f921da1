//! The one responder: a response or a fault, written in the negotiated dialect with the
//! right status and headers.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use cmp_model::render;
use cmp_model::soap::SoapVersion;
use cmp_model::{Code, Fault, Kind};

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

/// The REST status of a fault: the one place that maps the kinds of `cmp_model::codes`
/// (and, for security and protocol refusals, the code) to HTTP.
pub fn status(code: Code) -> StatusCode {
    match code.kind() {
        Kind::Validation => StatusCode::BAD_REQUEST,
        Kind::Rule => StatusCode::CONFLICT,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::Security if code == Code::NotAuthorised => StatusCode::FORBIDDEN,
        Kind::Security => StatusCode::UNAUTHORIZED,
        Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Kind::System => StatusCode::INTERNAL_SERVER_ERROR,
        Kind::Protocol => match code {
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Code::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            Code::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Code::UriTooLong => StatusCode::URI_TOO_LONG,
            Code::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Code::UnsupportedMediaType | Code::UnsupportedCharset => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            // NO_SUCH_ROUTE, UNKNOWN_OPERATION
            _ => StatusCode::NOT_FOUND,
        },
    }
}

/// The REST status of a whole fault: a ValidationFault whose every field error is a state
/// rule (a reference that names nothing, a date the clock rules out, …: `Kind::Rule`) is
/// well-formed but refused by the state, 409 as a business rule is (WIRE.md §4); any
/// other error among them makes it 400.
pub fn fault_status(f: &Fault) -> StatusCode {
    let state_only =
        !f.errors.is_empty() && f.errors.iter().all(|e| e.message_id.kind() == Kind::Rule);
    if f.message_id == Code::ValidationFailed && state_only {
        StatusCode::CONFLICT
    } else {
        status(f.message_id)
    }
}

pub fn fault(dialect: &Dialect, f: &Fault) -> HttpResponse {
    let (status, text) = match dialect {
        Dialect::Rest(ResponseFormat::Json) => (fault_status(f), render::fault_json(f)),
        Dialect::Rest(_) => (fault_status(f), render::fault_xml(f)),
        // SOAP 1.1 answers every fault with 500; so does SOAP 1.2 here, for one rule.
        Dialect::Soap { version, root, .. } => (
            StatusCode::INTERNAL_SERVER_ERROR,
            render::fault_soap(*version, f, root),
        ),
    };
    let mut b = HttpResponse::build(status);
    if f.message_id.kind() == Kind::Security && f.message_id != Code::NotAuthorised {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The code table of `docs/faults.md`, written from `Code::ALL` and [`status`].
    fn faults_table() -> String {
        let mut out = String::from("| code | kind | REST status | meaning |\n|---|---|---|---|\n");
        for c in Code::ALL {
            out.push_str(&format!(
                "| `{}` | {:?} | {} | {} |\n",
                c.as_str(),
                c.kind(),
                status(*c).as_u16(),
                c.meaning()
            ));
        }
        out
    }

    /// The page lists exactly the codes of the table, each with its kind and status: a
    /// code added without a line on the page fails here. `UPDATE_SNAPSHOTS=1` rewrites the
    /// table between the page's markers.
    #[test]
    fn the_faults_page_lists_every_code() {
        const BEGIN: &str = "<!-- codes:begin (generated from cmp_model::codes) -->\n";
        const END: &str = "<!-- codes:end -->";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/faults.md");
        let page = std::fs::read_to_string(&path).unwrap();
        let (head, rest) = page
            .split_once(BEGIN)
            .expect("docs/faults.md has the begin marker");
        let (_, tail) = rest
            .split_once(END)
            .expect("docs/faults.md has the end marker");
        let expected = format!("{head}{BEGIN}{}{END}{tail}", faults_table());
        if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &expected).unwrap();
            return;
        }
        assert!(
            page == expected,
            "docs/faults.md does not list the codes of cmp_model::codes: \
             rerun with UPDATE_SNAPSHOTS=1 and review the diff"
        );
    }

    #[test]
    fn kinds_decide_the_status() {
        assert_eq!(status(Code::ValidationFailed), StatusCode::BAD_REQUEST);
        assert_eq!(status(Code::StaleData), StatusCode::CONFLICT);
        assert_eq!(status(Code::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(status(Code::MissingCredentials), StatusCode::UNAUTHORIZED);
        assert_eq!(status(Code::NotAuthorised), StatusCode::FORBIDDEN);
        assert_eq!(status(Code::PayloadTooLarge), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(status(Code::RequestTimeout), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(status(Code::UriTooLong), StatusCode::URI_TOO_LONG);
        assert_eq!(
            status(Code::HeadersTooLarge),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
        );
        assert_eq!(
            status(Code::ServiceUnavailable),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[test]
    fn a_validation_fault_of_state_rules_only_is_a_conflict() {
        use cmp_model::fault::PathSeg;
        use cmp_model::FieldError;
        let e = |code| FieldError::new(code, vec![PathSeg::new("r"), PathSeg::new("f")], "x");
        let f = |codes: &[Code]| Fault::validation(codes.iter().map(|c| e(*c)).collect());
        let state = [Code::UnknownReference, Code::DateNotAllowed];
        assert_eq!(fault_status(&f(&state)), StatusCode::CONFLICT);
        assert_eq!(
            fault_status(&f(&[Code::UnknownReference, Code::TooLong])),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            fault_status(&f(&[Code::OutOfRange])),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(fault_status(&f(&[])), StatusCode::BAD_REQUEST);
    }
}
