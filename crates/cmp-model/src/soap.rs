//! SOAP 1.1 and 1.2 envelopes around the REST XML document (WIRE.md §1): the body is
//! `<def:Op><def:Request>…</def:Request></def:Op>` with PascalCase names inside.

use crate::node::{Limits, Node, ParseError};

pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// The namespace of the fault elements in `<detail>`.
pub const FAULT_NS: &str = "http://mdsuk.com/ws/dise3g/fault/definition";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    V11,
    V12,
}

impl SoapVersion {
    pub fn ns(self) -> &'static str {
        match self {
            SoapVersion::V11 => SOAP11_NS,
            SoapVersion::V12 => SOAP12_NS,
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            SoapVersion::V11 => "text/xml; charset=UTF-8",
            SoapVersion::V12 => "application/soap+xml; charset=UTF-8",
        }
    }
}

/// A SOAP request cut out of its envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct SoapRequest {
    pub version: SoapVersion,
    /// The wrapper's namespace, `http://mdsuk.com/ws/dise3g/<svc>/definition`.
    pub namespace: String,
    /// The wrapper's local name: the operation (`CreateAgreement`).
    pub operation: String,
    /// The wrapper's child (`Request`, `AgreementData`, …), renamed by the caller; its
    /// descendants are already in lowerCamel.
    pub document: Node,
    pub child_name: String,
}

/// Parses an envelope and returns the operation wrapper's single child.
pub fn unwrap(text: &str, limits: Limits) -> Result<SoapRequest, ParseError> {
    let env = crate::xml::parse(text, limits, true)?;
    let version = match (env.name.as_str(), env.ns.as_deref()) {
        ("Envelope", Some(SOAP11_NS)) => SoapVersion::V11,
        ("Envelope", Some(SOAP12_NS)) => SoapVersion::V12,
        _ => {
            return Err(ParseError::malformed(
                "the body is not a SOAP 1.1 or 1.2 Envelope",
            ))
        }
    };
    let mut body = env
        .children
        .into_iter()
        .find(|c| c.name == "Body" && c.ns.as_deref() == Some(version.ns()))
        .ok_or_else(|| ParseError::malformed("the SOAP Envelope has no Body"))?;
    if body.children.len() != 1 {
        return Err(ParseError::malformed(
            "the SOAP Body must hold exactly one operation element",
        ));
    }
    if !body.text.trim().is_empty() {
        return Err(ParseError::malformed(
            "the SOAP Body must hold only its operation element, no text beside it",
        ));
    }
    let wrapper = body.children.remove(0);
    if !wrapper.text.trim().is_empty() {
        return Err(ParseError::malformed(format!(
            "{} must hold only its request element, no text beside it",
            wrapper.name
        )));
    }
    let namespace = wrapper.ns.clone().unwrap_or_default();
    let mut children = wrapper.children.into_iter();
    let (Some(mut document), None) = (children.next(), children.next()) else {
        return Err(ParseError::malformed(format!(
            "{} must hold exactly one request element",
            wrapper.name
        )));
    };
    document.camel_case_descendants();
    strip_ns(&mut document);
    Ok(SoapRequest {
        version,
        namespace,
        operation: wrapper.name,
        child_name: document.name.clone(),
        document,
    })
}

/// A SOAP header block, by qualified name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderBlock {
    pub ns: String,
    pub name: String,
}

impl HeaderBlock {
    /// `{namespace}name`, as the fault's `extraInfo` carries it.
    pub fn clark(&self) -> String {
        format!("{{{}}}{}", self.ns, self.name)
    }

    /// The inverse of [`HeaderBlock::clark`].
    pub fn from_clark(s: &str) -> Option<HeaderBlock> {
        let (ns, name) = s.strip_prefix('{')?.split_once('}')?;
        Some(HeaderBlock {
            ns: ns.to_string(),
            name: name.to_string(),
        })
    }
}

/// The header blocks the gateway processes: none. Credentials come from HTTP
/// (`X-API-Key`, `Authorization`), and the CMP `AuditRecord` is an element of the request
/// body, not a header; blocks without `mustUnderstand` are ignored, as SOAP allows.
const UNDERSTOOD: &[(&str, &str)] = &[];

/// The first header block of a well-formed envelope that is addressed to the gateway and
/// marked `mustUnderstand` (SOAP 1.1 `1`, SOAP 1.2 `true` or `1`; the attribute in the
/// envelope namespace) but is not one the gateway processes: the client must get a
/// `MustUnderstand` fault and the body must not run (SOAP 1.1 §4.2.3, SOAP 1.2 §5.2.3).
/// A block for another actor/role (other than `next`, or in 1.2 `ultimateReceiver`) is
/// not ours to understand.
pub fn not_understood(text: &str, version: SoapVersion) -> Option<HeaderBlock> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    use quick_xml::XmlVersion;
    let mut reader = quick_xml::NsReader::from_str(text);
    let mut depth = 0usize;
    let mut in_header = false;
    loop {
        let (res, ev) = reader.read_resolved_event().ok()?;
        let ns = match res {
            ResolveResult::Bound(n) => Some(n.into_inner().to_string()),
            _ => None,
        };
        let (e, empty) = match ev {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth < 2 {
                    in_header = false;
                }
                continue;
            }
            Event::Eof => return None,
            _ => continue,
        };
        let ours = ns.as_deref() == Some(version.ns());
        match depth {
            1 if ours && e.local_name().into_inner() == "Header" => in_header = !empty,
            // The Body comes after the Header: nothing more to look at.
            1 if ours && e.local_name().into_inner() == "Body" => return None,
            2 if in_header => {
                let (mut must, mut targeted) = (false, true);
                for a in e.attributes().flatten() {
                    let (ns, local) = reader.resolver().resolve_attribute(a.key);
                    if !matches!(ns, ResolveResult::Bound(n) if n.into_inner() == version.ns()) {
                        continue;
                    }
                    let v = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .unwrap_or_default();
                    match (version, local.into_inner()) {
                        (SoapVersion::V11, "mustUnderstand") => must = v.trim() == "1",
                        (SoapVersion::V12, "mustUnderstand") => {
                            must = matches!(v.trim(), "1" | "true")
                        }
                        (SoapVersion::V11, "actor") => {
                            targeted = v.trim() == "http://schemas.xmlsoap.org/soap/actor/next"
                        }
                        (SoapVersion::V12, "role") => {
                            targeted = matches!(
                            v.trim(),
                            "http://www.w3.org/2003/05/soap-envelope/role/next"
                                | "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"
                        )
                        }
                        _ => {}
                    }
                }
                let ns = ns.unwrap_or_default();
                let name = e.local_name().into_inner().to_string();
                let known = UNDERSTOOD.iter().any(|(n, l)| *n == ns && *l == name);
                if must && targeted && !known {
                    return Some(HeaderBlock { ns, name });
                }
            }
            _ => {}
        }
        if !empty {
            depth += 1;
        }
    }
}

fn strip_ns(n: &mut Node) {
    n.ns = None;
    n.children.iter_mut().for_each(strip_ns);
}

/// Writes an envelope around what `body` writes.
pub fn envelope(version: SoapVersion, out: &mut String, body: impl FnOnce(&mut String)) {
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv=""#);
    out.push_str(version.ns());
    out.push_str(r#""><soapenv:Body>"#);
    body(out);
    out.push_str("</soapenv:Body></soapenv:Envelope>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_cut_out_of_any_prefix_and_camel_cased() {
        let env = r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Header/><e:Body>
            <d:QueryAgreement xmlns:d="http://mdsuk.com/ws/dise3g/agreement/definition">
            <d:Request><AgreementNumber>1</AgreementNumber><Datasets><Dataset>BASIC</Dataset></Datasets></d:Request>
            </d:QueryAgreement></e:Body></e:Envelope>"#;
        let r = unwrap(env, Limits::default()).unwrap();
        assert_eq!(r.version, SoapVersion::V11);
        assert_eq!(r.operation, "QueryAgreement");
        assert_eq!(
            r.namespace,
            "http://mdsuk.com/ws/dise3g/agreement/definition"
        );
        assert_eq!(r.document.children[1].children[0].name, "dataset");
    }

    const OP: &str = r#"<d:Op xmlns:d="urn:op"><d:Request/></d:Op>"#;

    fn env11(header: &str, body: &str) -> String {
        format!(
            r#"<s:Envelope xmlns:s="{SOAP11_NS}"><s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"#
        )
    }

    #[test]
    fn a_mandatory_header_block_for_us_is_not_understood() {
        let cases = [
            (
                r#"<w:Security xmlns:w="urn:wsse" s:mustUnderstand="1"/>"#,
                Some("{urn:wsse}Security"),
            ),
            (
                r#"<w:Security xmlns:w="urn:wsse" s:mustUnderstand="0"/>"#,
                None,
            ),
            (r#"<w:Security xmlns:w="urn:wsse"/>"#, None),
            // Not the envelope's attribute.
            (
                r#"<w:Security xmlns:w="urn:wsse" mustUnderstand="1"/>"#,
                None,
            ),
            // For another actor.
            (
                r#"<w:T xmlns:w="urn:t" s:mustUnderstand="1" s:actor="urn:someone-else"/>"#,
                None,
            ),
            (
                r#"<w:T xmlns:w="urn:t" s:mustUnderstand="1" s:actor="http://schemas.xmlsoap.org/soap/actor/next"><w:x/></w:T>"#,
                Some("{urn:t}T"),
            ),
            // A nested element's attribute does not count.
            (
                r#"<w:T xmlns:w="urn:t"><w:x s:mustUnderstand="1"/></w:T>"#,
                None,
            ),
        ];
        for (header, expected) in cases {
            let env = env11(header, OP);
            assert!(unwrap(&env, Limits::default()).is_ok(), "{env}");
            assert_eq!(
                not_understood(&env, SoapVersion::V11)
                    .map(|h| h.clark())
                    .as_deref(),
                expected,
                "{header}"
            );
        }
        let env12 = format!(
            r#"<e:Envelope xmlns:e="{SOAP12_NS}"><e:Header><a:AuditRecord xmlns:a="urn:a" e:mustUnderstand="true" e:role="http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"/></e:Header><e:Body>{OP}</e:Body></e:Envelope>"#
        );
        assert_eq!(
            not_understood(&env12, SoapVersion::V12),
            Some(HeaderBlock {
                ns: "urn:a".into(),
                name: "AuditRecord".into()
            })
        );
        let none = env12.replace("role/ultimateReceiver", "role/none");
        assert_eq!(not_understood(&none, SoapVersion::V12), None);
        let b = HeaderBlock::from_clark("{urn:a}AuditRecord").unwrap();
        assert_eq!(b.clark(), "{urn:a}AuditRecord");
    }

    #[test]
    fn a_body_holds_exactly_one_element_and_no_text() {
        for body in [
            format!("{OP}{OP}"),
            format!("text {OP}"),
            format!("{OP} text"),
            r#"<d:Op xmlns:d="urn:op">x<d:Request/></d:Op>"#.to_string(),
            String::new(),
        ] {
            let e = unwrap(&env11("", &body), Limits::default()).unwrap_err();
            assert_eq!(e.message_id, "MALFORMED_REQUEST", "{body}");
        }
        assert!(unwrap(&env11("", &format!("\n  {OP}\n")), Limits::default()).is_ok());
    }

    #[test]
    fn soap_12_is_recognised_and_other_roots_refused() {
        let env = r#"<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body><Op xmlns="urn:x"><Request/></Op></Body></Envelope>"#;
        assert_eq!(
            unwrap(env, Limits::default()).unwrap().version,
            SoapVersion::V12
        );
        assert!(unwrap("<Envelope><Body/></Envelope>", Limits::default()).is_err());
    }
}
