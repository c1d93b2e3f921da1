//! The one fault model (WIRE.md §4), rendered per dialect by [`crate::render`].
//!
//! Layers: `cmp-model` produces field errors while decoding; `cmp-core` produces rule
//! and not-found faults and maps store errors (unavailable / system); `cmp-gateway`
//! produces negotiation, limit and routing faults. All of them are a [`Fault`].
//! Every `messageId` is a [`Code`] of the one table in [`crate::codes`].

use std::borrow::Cow;

pub use crate::codes::Code;

/// One step of an element path; `index` is the position in a repeated element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathSeg {
    pub name: Cow<'static, str>,
    pub index: Option<usize>,
}

impl PathSeg {
    pub fn new(name: &'static str) -> Self {
        PathSeg {
            name: Cow::Borrowed(name),
            index: None,
        }
    }
    pub fn owned(name: &str) -> Self {
        PathSeg {
            name: Cow::Owned(name.to_string()),
            index: None,
        }
    }
}

/// An element path from a document root, built through the generated `messages::paths`
/// types (`CreateAgreementRequest::path().agreement_data().group_code()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath(Vec<PathSeg>);

impl FieldPath {
    pub fn root(name: &'static str) -> Self {
        FieldPath(vec![PathSeg::new(name)])
    }
    pub fn child(mut self, name: &'static str) -> Self {
        self.0.push(PathSeg::new(name));
        self
    }
    /// The last element at position `i` of its repetition (0-based).
    pub fn nth(mut self, i: usize) -> Self {
        if let Some(last) = self.0.last_mut() {
            last.index = Some(i);
        }
        self
    }
    pub fn segs(&self) -> &[PathSeg] {
        &self.0
    }
    pub fn into_segs(self) -> Vec<PathSeg> {
        self.0
    }
}

/// How an element path is written: in the request's own dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathStyle {
    /// `createAgreement/agreementData/billingCycle`, 1-based `[n]` for repeats.
    Xml,
    /// `agreementData.billingCycle`, 0-based `[n]`, no root.
    Json,
    /// Like XML with PascalCase names, under the SOAP wrapper (`CreateAgreement/AgreementData/…`).
    Soap,
}

/// One field error. The value is never echoed.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub message_id: Code,
    /// Root first, schema (lowerCamel) names.
    pub path: Vec<PathSeg>,
    /// What is wrong, after the field's name: "exceeds 69 characters".
    pub phrase: String,
}

impl FieldError {
    pub fn new(message_id: Code, path: Vec<PathSeg>, phrase: impl Into<String>) -> Self {
        FieldError {
            message_id,
            path,
            phrase: phrase.into(),
        }
    }

    /// A rule on a field found after decoding, named through the generated paths:
    /// `FieldError::on(Code::UnknownReference, CreateAgreementRequest::path().agreement_data().group_code(), "does not exist")`.
    pub fn on(message_id: Code, path: impl Into<FieldPath>, phrase: impl Into<String>) -> Self {
        FieldError::new(message_id, path.into().into_segs(), phrase)
    }

    /// The element path in the given style; `soap_root` replaces the document root for SOAP.
    pub fn render_path(&self, style: PathStyle, soap_root: &str) -> String {
        let mut out = String::new();
        let segs = self.path.iter().enumerate();
        for (i, seg) in segs {
            match style {
                PathStyle::Json if i == 0 => continue,
                PathStyle::Json => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&seg.name);
                }
                PathStyle::Soap if i == 0 => out.push_str(soap_root),
                PathStyle::Xml | PathStyle::Soap => {
                    if i > 0 {
                        out.push('/');
                    }
                    if style == PathStyle::Soap {
                        out.push_str(&pascal(&seg.name));
                    } else {
                        out.push_str(&seg.name);
                    }
                }
            }
            if let Some(n) = seg.index {
                let n = if style == PathStyle::Json { n } else { n + 1 };
                out.push_str(&format!("[{n}]"));
            }
        }
        if out.is_empty() {
            out.push_str(self.path.first().map_or("", |s| &s.name));
        }
        out
    }

    /// "accountIdentifier is mandatory" (the name in the dialect's case).
    pub fn render_text(&self, style: PathStyle) -> String {
        let leaf = self.path.last().map_or("", |s| &s.name);
        let leaf = if style == PathStyle::Soap {
            pascal(leaf)
        } else {
            Cow::Borrowed(leaf)
        };
        format!("{leaf} {}", self.phrase)
    }
}

/// First letter upper-cased: the SOAP spelling of a REST name.
pub fn pascal(name: &str) -> Cow<'_, str> {
    match name.chars().next() {
        Some(c) if c.is_ascii_lowercase() => {
            let mut s = String::with_capacity(name.len());
            s.push(c.to_ascii_uppercase());
            s.push_str(&name[1..]);
            Cow::Owned(s)
        }
        _ => Cow::Borrowed(name),
    }
}

/// The four fault elements of the CMP contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    Validation,
    Security,
    ServiceUnavailable,
    System,
}

impl FaultKind {
    /// The element name (`ValidationFault`, …); lowerCamel in REST XML.
    pub fn element(self) -> &'static str {
        match self {
            FaultKind::Validation => "ValidationFault",
            FaultKind::Security => "SecurityFault",
            FaultKind::ServiceUnavailable => "ServiceUnavailableFault",
            FaultKind::System => "SystemFault",
        }
    }
    pub fn rest_element(self) -> &'static str {
        match self {
            FaultKind::Validation => "validationFault",
            FaultKind::Security => "securityFault",
            FaultKind::ServiceUnavailable => "serviceUnavailableFault",
            FaultKind::System => "systemFault",
        }
    }
    /// SOAP blames the client for validation and security faults, the server otherwise.
    pub fn client_fault(self) -> bool {
        matches!(self, FaultKind::Validation | FaultKind::Security)
    }
}

/// What an operation answers instead of a response. Its element and HTTP status follow
/// from its code's [`Kind`](crate::codes::Kind): this type knows no status.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub message_id: Code,
    pub message_text: String,
    pub extra_info: Option<String>,
    pub errors: Vec<FieldError>,
    pub external_reference: Option<String>,
    /// Seconds, for a ServiceUnavailableFault.
    pub retry_after: Option<u32>,
    /// The message text is the single field error's, written in each dialect's case.
    pub text_from_error: bool,
}

impl Fault {
    /// A fault with a top-level code and text; see the constructors below for the usual
    /// shapes.
    pub fn new(message_id: Code, text: impl Into<String>) -> Self {
        Fault {
            message_id,
            message_text: text.into(),
            extra_info: None,
            errors: Vec::new(),
            external_reference: None,
            retry_after: None,
            text_from_error: false,
        }
    }

    /// The fault element: ValidationFault, SecurityFault, …
    pub fn kind(&self) -> FaultKind {
        self.message_id.fault_kind()
    }

    /// Field errors of a request, every one of them (`VALIDATION_FAILED`).
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let n = errors.len();
        let text = if n == 1 {
            "1 error in the request".to_string()
        } else {
            format!("{n} errors in the request")
        };
        Fault {
            errors,
            ..Fault::new(Code::ValidationFailed, text)
        }
    }

    /// A body that does not parse; `what` is a line/column or JSON path.
    pub fn malformed(what: impl Into<String>) -> Self {
        Fault::new(Code::MalformedRequest, what)
    }

    /// A fault about one field: its code and text are the field error's (`NOT_FOUND` on
    /// `accountIdentifier`, `CARD_CANCELLED` on `cardReference`, …).
    pub fn on_field(error: FieldError) -> Self {
        let text = error.render_text(PathStyle::Xml);
        let code = error.message_id;
        Fault {
            errors: vec![error],
            text_from_error: true,
            ..Fault::new(code, text)
        }
    }

    /// The text in a dialect: the field error's own when the fault is about one field.
    pub fn text_in(&self, style: PathStyle) -> String {
        match (&self.errors[..], self.text_from_error) {
            ([one], true) => one.render_text(style),
            _ => self.message_text.clone(),
        }
    }

    /// The database cannot be reached or the pool is exhausted.
    pub fn unavailable() -> Self {
        Fault {
            retry_after: Some(5),
            ..Fault::new(
                Code::ServiceUnavailable,
                "the service is unavailable, try again later",
            )
        }
    }

    /// A bug: a code and the request id, no internals.
    pub fn system(request_id: &str) -> Self {
        Fault {
            extra_info: Some(request_id.to_string()),
            ..Fault::new(Code::SystemError, "an internal error occurred")
        }
    }

    pub fn with_external_reference(mut self, r: Option<String>) -> Self {
        if self.external_reference.is_none() {
            self.external_reference = r;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err() -> FieldError {
        let mut e = FieldError::on(
            Code::TooLong,
            FieldPath::root("createAgreement")
                .child("agreementData")
                .child("billingMedia"),
            "exceeds 6 characters",
        );
        e.path.insert(
            2,
            PathSeg {
                name: "items".into(),
                index: Some(1),
            },
        );
        e
    }

    #[test]
    fn paths_are_written_in_the_request_dialect() {
        let e = err();
        assert_eq!(
            e.render_path(PathStyle::Xml, ""),
            "createAgreement/agreementData/items[2]/billingMedia"
        );
        assert_eq!(
            e.render_path(PathStyle::Json, ""),
            "agreementData.items[1].billingMedia"
        );
        assert_eq!(
            e.render_path(PathStyle::Soap, "CreateAgreement/AgreementData"),
            "CreateAgreement/AgreementData/AgreementData/Items[2]/BillingMedia"
        );
        assert_eq!(
            e.render_text(PathStyle::Soap),
            "BillingMedia exceeds 6 characters"
        );
    }

    #[test]
    fn a_validation_fault_counts_its_errors() {
        let f = Fault::validation(vec![err(), err()]);
        assert_eq!(
            (f.message_id, f.message_text.as_str()),
            (Code::ValidationFailed, "2 errors in the request")
        );
    }
}
