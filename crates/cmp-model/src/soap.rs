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
    let wrapper = body.children.remove(0);
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
