//! What every answer must be, whatever the input: a 2xx or a fault in the request's
//! dialect, never a SystemFault, and a body a conforming parser reads (roxmltree for XML
//! and SOAP, serde_json for JSON).

use crate::decoders::clip;
use crate::input::{Dialect, Request};

/// An oracle that failed, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// `panic`, `system-fault`, `unavailable`, `dialect`, `xml-wellformed`, `json-valid`,
    /// `not-a-fault`, `status`, `service-error`, `hang`, `alloc`, `render-xml`, …
    pub oracle: &'static str,
    pub detail: String,
    /// What tells this bug from another of the same oracle (an error kind, a fault
    /// code, a panic location); part of the finding's class ([`crate::run::signature`]).
    pub class: String,
}

impl Finding {
    pub fn new(oracle: &'static str, detail: impl Into<String>) -> Self {
        Finding {
            oracle,
            detail: detail.into(),
            class: String::new(),
        }
    }

    pub fn with_class(mut self, class: impl Into<String>) -> Self {
        self.class = class.into();
        self
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.oracle, self.detail)
    }
}

/// An answer of the gateway.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

const REST_FAULTS: [&str; 4] = [
    "validationFault",
    "securityFault",
    "serviceUnavailableFault",
    "systemFault",
];

/// The fault kind an answer carries (`ValidationFault`, …), if it is a fault.
fn fault_kind(d: Dialect, body: &str) -> Result<Option<String>, Finding> {
    match d {
        Dialect::Json => {
            let v: serde_json::Value =
                serde_json::from_str(body).map_err(|e| json_error("json-valid", &e, body))?;
            Ok(v.get("fault").and_then(|f| f.as_str()).map(str::to_string))
        }
        Dialect::Xml | Dialect::Soap => {
            let doc = roxmltree::Document::parse(body)
                .map_err(|e| xml_error("xml-wellformed", &e, body))?;
            let root = doc.root_element();
            if d == Dialect::Xml || root.tag_name().name() != "Envelope" {
                let name = root.tag_name().name();
                return Ok(REST_FAULTS.contains(&name).then(|| pascal(name)));
            }
            let fault = root
                .children()
                .find(|c| c.tag_name().name() == "Body")
                .and_then(|b| b.children().find(|c| c.is_element()))
                .filter(|f| f.tag_name().name() == "Fault");
            let Some(fault) = fault else { return Ok(None) };
            let detail = fault
                .descendants()
                .find(|c| matches!(c.tag_name().name(), "detail" | "Detail"))
                .and_then(|d| d.children().find(|c| c.is_element()))
                .map(|k| k.tag_name().name().to_string());
            Ok(Some(
                detail.unwrap_or_else(|| "Fault without a CMP detail".into()),
            ))
        }
    }
}

/// A roxmltree error as a finding, classed by its kind (`NonXmlChar`, …).
pub fn xml_error(oracle: &'static str, e: &roxmltree::Error, text: &str) -> Finding {
    let kind = format!("{e:?}");
    let kind = kind.split('(').next().unwrap_or_default().to_string();
    Finding::new(oracle, format!("{e}: {}", clip(text))).with_class(kind)
}

/// A serde_json error as a finding, classed by its message without the position.
pub fn json_error(oracle: &'static str, e: &serde_json::Error, text: &str) -> Finding {
    let msg = e.to_string();
    let kind = msg.split(" at line").next().unwrap_or_default().to_string();
    Finding::new(oracle, format!("{msg}: {}", clip(text))).with_class(kind)
}

/// The fault code of a fault body (`SYSTEM_ERROR`, `MALFORMED_REQUEST`, …), for classes.
fn message_id(body: &str) -> String {
    let at = body
        .find("\"messageId\":\"")
        .map(|i| i + 13)
        .or_else(|| body.find("essageId>").map(|i| i + 9));
    at.map(|i| {
        body[i..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || *c == '_')
            .collect()
    })
    .unwrap_or_default()
}

fn pascal(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// Checks one answer to `req`.
pub fn check_answer(req: &Request, a: &Answer) -> Result<(), Finding> {
    let body = std::str::from_utf8(&a.body)
        .map_err(|e| Finding::new("utf8", format!("{} answered non-UTF-8: {e}", a.status)))?;
    let said = format!("{} {} {}", a.status, a.content_type, clip(body));
    let code = format!("{} {}", a.status, message_id(body));
    // Not acceptable: the gateway cannot answer in the dialect asked for, so JSON.
    let dialect = if a.status == 406 {
        Dialect::Json
    } else {
        req.dialect
    };
    if !dialect.answers_with(&a.content_type) {
        return Err(Finding::new(
            "dialect",
            format!("expected a {} answer, got {said}", dialect.name()),
        )
        .with_class(format!("{} for {}", a.content_type, dialect.name())));
    }
    let kind = fault_kind(dialect, body)?;
    if (a.status >= 400 && body.contains("SYSTEM_ERROR")) || kind.as_deref() == Some("SystemFault")
    {
        return Err(Finding::new("system-fault", said).with_class(code));
    }
    if kind.as_deref() == Some("ServiceUnavailableFault") || a.status == 503 {
        return Err(Finding::new("unavailable", said).with_class(code));
    }
    match (a.status, kind) {
        (200..=299, None) => Ok(()),
        (200..=299, Some(k)) => {
            Err(Finding::new("status", format!("a {k} with a 2xx status: {said}")).with_class(code))
        }
        (400..=499, Some(_)) if dialect != Dialect::Soap => Ok(()),
        (500, Some(_)) if dialect == Dialect::Soap => Ok(()),
        (500..=599, _) => Err(Finding::new("system-fault", said).with_class(code)),
        (_, None) => Err(Finding::new("not-a-fault", said).with_class(code)),
        (_, Some(k)) => {
            Err(Finding::new("status", format!("a {k} with status {said}")).with_class(code))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(d: Dialect) -> Request {
        Request {
            dialect: d,
            method: "POST".into(),
            path: "/".into(),
            headers: vec![],
            body: vec![],
        }
    }

    fn answer(status: u16, ct: &str, body: &str) -> Answer {
        Answer {
            status,
            content_type: ct.into(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn faults_pass_and_system_faults_or_broken_bodies_do_not() {
        let x = req(Dialect::Xml);
        assert!(check_answer(&x, &answer(400, "application/xml", "<validationFault/>")).is_ok());
        assert!(check_answer(&x, &answer(200, "application/xml", "<r>\u{1}</r>")).is_err());
        assert_eq!(
            check_answer(&x, &answer(500, "application/xml", "<systemFault/>"))
                .unwrap_err()
                .oracle,
            "system-fault"
        );
        assert_eq!(
            check_answer(&x, &answer(400, "application/json", "{}"))
                .unwrap_err()
                .oracle,
            "dialect"
        );
        let s = req(Dialect::Soap);
        let fault = r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><e:Fault><detail><f:ValidationFault xmlns:f="u"/></detail></e:Fault></e:Body></e:Envelope>"#;
        assert!(check_answer(&s, &answer(500, "text/xml; charset=UTF-8", fault)).is_ok());
        let j = req(Dialect::Json);
        assert_eq!(
            check_answer(
                &j,
                &answer(400, "application/json", r#"{"fault":"SystemFault"}"#)
            )
            .unwrap_err()
            .oracle,
            "system-fault"
        );
        assert!(check_answer(&j, &answer(200, "application/json", r#"{"a":"\ud800"}"#)).is_err());
    }
}
