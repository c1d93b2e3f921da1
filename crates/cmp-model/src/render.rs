//! Responses and faults in each dialect, written from the same model.

use crate::codec::{Encode, Sink};
use crate::fault::{pascal, Fault, PathStyle};
use crate::json::JsonSink;
use crate::soap::{envelope, HeaderBlock, SoapVersion, FAULT_NS};
use crate::xml::{escape_into, XmlSink};
use crate::Code;

const XML_DECL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// REST XML: `<root>…</root>`.
pub fn xml(root: &'static str, doc: &dyn Encode) -> String {
    let mut out = String::with_capacity(512);
    out.push_str(XML_DECL);
    let mut sink = XmlSink {
        out: &mut out,
        pascal: false,
    };
    sink.open(root);
    doc.encode_fields(&mut sink);
    sink.close(root);
    out
}

/// REST JSON: the root's content as an object.
pub fn json(doc: &dyn Encode) -> String {
    let mut out = String::with_capacity(256);
    let mut sink = JsonSink::new(&mut out);
    doc.encode_fields(&mut sink);
    sink.finish();
    out
}

/// SOAP: `<def:{operation}Response><def:Result>…</def:Result></def:{operation}Response>`.
pub fn soap(version: SoapVersion, namespace: &str, operation: &str, doc: &dyn Encode) -> String {
    let mut out = String::with_capacity(768);
    let response = soap_response_element(operation);
    envelope(version, &mut out, |out| {
        out.push_str("<def:");
        out.push_str(&response);
        out.push_str(" xmlns:def=\"");
        escape_into(out, namespace);
        out.push_str("\"><def:Result>");
        doc.encode_fields(&mut XmlSink { out, pascal: true });
        out.push_str("</def:Result></def:");
        out.push_str(&response);
        out.push('>');
    });
    out
}

/// The SOAP response wrapper of a request wrapper: `{Op}Response`; a wrapper named
/// `{Op}Request` (the 7.3.8 structure service) answers `{Op}Response` too.
pub fn soap_response_element(operation: &str) -> String {
    format!(
        "{}Response",
        operation.strip_suffix("Request").unwrap_or(operation)
    )
}

/// The fault's content: `details` and the field `errors`. `soap_root` names the
/// request's SOAP wrapper for error paths.
fn fault_fields(f: &Fault, style: PathStyle, soap_root: &str, sink: &mut dyn Sink) {
    if style != PathStyle::Soap {
        if let Some(r) = &f.external_reference {
            sink.text("externalReference", r);
        }
    }
    sink.open("details");
    sink.text("messageId", f.message_id.as_str());
    sink.text("messageText", &f.text_in(style));
    if let Some(x) = &f.extra_info {
        sink.text("extraInfo", x);
    }
    sink.close("details");
    if f.errors.is_empty() {
        return;
    }
    // JSON has a plain array of errors (WIRE.md §4); XML a wrapper of repeated <error>.
    if style == PathStyle::Json {
        sink.open_list("errors", f.errors.len());
    } else {
        sink.open("errors");
    }
    for e in &f.errors {
        sink.open("error");
        sink.text("messageId", e.message_id.as_str());
        sink.text("messageText", &e.render_text(style));
        sink.text("extraInfo", &e.render_path(style, soap_root));
        sink.close("error");
    }
    if style == PathStyle::Json {
        sink.close_list("errors");
    } else {
        sink.close("errors");
    }
}

pub fn fault_xml(f: &Fault) -> String {
    let mut out = String::with_capacity(512);
    out.push_str(XML_DECL);
    let root = f.kind().rest_element();
    let mut sink = XmlSink {
        out: &mut out,
        pascal: false,
    };
    sink.open(root);
    fault_fields(f, PathStyle::Xml, "", &mut sink);
    sink.close(root);
    out
}

pub fn fault_json(f: &Fault) -> String {
    let mut out = String::with_capacity(512);
    let mut sink = JsonSink::new(&mut out);
    sink.text("fault", f.kind().element());
    fault_fields(f, PathStyle::Json, "", &mut sink);
    sink.finish();
    out
}

/// A SOAP fault with the CMP fault element in its detail. `soap_root` is the request's
/// `Operation/Child` path, for the error paths.
pub fn fault_soap(version: SoapVersion, f: &Fault, soap_root: &str) -> String {
    if f.message_id == Code::MustUnderstand {
        return must_understand_soap(version, f);
    }
    let mut out = String::with_capacity(768);
    envelope(version, &mut out, |out| {
        let client = f.kind().client_fault();
        let mut detail = String::new();
        detail.push_str("<f:");
        detail.push_str(f.kind().element());
        detail.push_str(" xmlns:f=\"");
        detail.push_str(FAULT_NS);
        detail.push_str("\">");
        fault_fields(
            f,
            PathStyle::Soap,
            soap_root,
            &mut XmlSink {
                out: &mut detail,
                pascal: true,
            },
        );
        detail.push_str("</f:");
        detail.push_str(f.kind().element());
        detail.push('>');
        match version {
            SoapVersion::V11 => {
                out.push_str("<soapenv:Fault><faultcode>");
                out.push_str(if client {
                    "soapenv:Client"
                } else {
                    "soapenv:Server"
                });
                out.push_str("</faultcode><faultstring>");
                escape_into(out, &f.text_in(PathStyle::Soap));
                out.push_str("</faultstring><detail>");
                out.push_str(&detail);
                out.push_str("</detail></soapenv:Fault>");
            }
            SoapVersion::V12 => {
                out.push_str("<soapenv:Fault><soapenv:Code><soapenv:Value>");
                out.push_str(if client {
                    "soapenv:Sender"
                } else {
                    "soapenv:Receiver"
                });
                out.push_str(
                    "</soapenv:Value></soapenv:Code><soapenv:Reason><soapenv:Text xml:lang=\"en\">",
                );
                escape_into(out, &f.text_in(PathStyle::Soap));
                out.push_str("</soapenv:Text></soapenv:Reason><soapenv:Detail>");
                out.push_str(&detail);
                out.push_str("</soapenv:Detail></soapenv:Fault>");
            }
        }
    });
    out
}

/// A `MustUnderstand` fault (SOAP 1.1 §4.4.1, SOAP 1.2 §5.4.8): faultcode / Code
/// `MustUnderstand`, the reason, and no `detail` (SOAP 1.1 keeps `detail` for errors of
/// the Body). SOAP 1.2 names the block in a `NotUnderstood` header block; `extraInfo`
/// holds its `{namespace}name` ([`HeaderBlock::clark`]).
fn must_understand_soap(version: SoapVersion, f: &Fault) -> String {
    let block = f.extra_info.as_deref().and_then(HeaderBlock::from_clark);
    let mut out = String::with_capacity(512);
    out.push_str(XML_DECL);
    out.push_str("<soapenv:Envelope xmlns:soapenv=\"");
    out.push_str(version.ns());
    out.push_str("\">");
    if let (SoapVersion::V12, Some(b)) = (version, &block) {
        out.push_str("<soapenv:Header><soapenv:NotUnderstood xmlns:nu=\"");
        escape_into(&mut out, &b.ns);
        out.push_str("\" qname=\"nu:");
        escape_into(&mut out, &b.name);
        out.push_str("\"/></soapenv:Header>");
    }
    out.push_str("<soapenv:Body><soapenv:Fault>");
    match version {
        SoapVersion::V11 => {
            out.push_str("<faultcode>soapenv:MustUnderstand</faultcode><faultstring>");
            escape_into(&mut out, &f.message_text);
            out.push_str("</faultstring>");
        }
        SoapVersion::V12 => {
            out.push_str(
                "<soapenv:Code><soapenv:Value>soapenv:MustUnderstand</soapenv:Value></soapenv:Code>\
                 <soapenv:Reason><soapenv:Text xml:lang=\"en\">",
            );
            escape_into(&mut out, &f.message_text);
            out.push_str("</soapenv:Text></soapenv:Reason>");
        }
    }
    out.push_str("</soapenv:Fault></soapenv:Body></soapenv:Envelope>");
    out
}

/// `Operation/Child`: the SOAP root of error paths.
pub fn soap_root(operation: &str, child: &str) -> String {
    format!("{}/{}", operation, pascal(child))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::FieldError;

    fn fault() -> Fault {
        Fault::validation(vec![FieldError::on(
            crate::Code::Mandatory,
            crate::FieldPath::root("queryX").child("accountIdentifier"),
            "is mandatory",
        )])
        .with_external_reference(Some("R&1".into()))
    }

    #[test]
    fn rest_xml_faults_follow_the_wire_example() {
        assert_eq!(
            fault_xml(&fault()),
            format!(
                "{XML_DECL}<validationFault><externalReference>R&amp;1</externalReference><details><messageId>VALIDATION_FAILED</messageId>\
                 <messageText>1 error in the request</messageText></details><errors><error><messageId>MANDATORY</messageId>\
                 <messageText>accountIdentifier is mandatory</messageText><extraInfo>queryX/accountIdentifier</extraInfo></error></errors></validationFault>"
            )
        );
    }

    #[test]
    fn json_faults_name_their_kind_and_list_errors() {
        let j: serde_json::Value = serde_json::from_str(&fault_json(&fault())).unwrap();
        assert_eq!(j["fault"], "ValidationFault");
        assert_eq!(j["errors"][0]["extraInfo"], "accountIdentifier");
    }

    #[test]
    fn must_understand_faults_name_the_block() {
        let f = Fault {
            extra_info: Some("{urn:wsse}Security".into()),
            ..Fault::new(Code::MustUnderstand, "Security <not understood>")
        };
        let s11 = fault_soap(SoapVersion::V11, &f, "Q/R");
        assert!(s11.contains("<faultcode>soapenv:MustUnderstand</faultcode><faultstring>Security &lt;not understood&gt;</faultstring>"), "{s11}");
        assert!(!s11.contains("detail") && !s11.contains("Header"), "{s11}");
        let s12 = fault_soap(SoapVersion::V12, &f, "Q/R");
        assert!(s12.contains(r#"<soapenv:Header><soapenv:NotUnderstood xmlns:nu="urn:wsse" qname="nu:Security"/></soapenv:Header>"#), "{s12}");
        assert!(
            s12.contains("<soapenv:Value>soapenv:MustUnderstand</soapenv:Value>"),
            "{s12}"
        );
        for s in [s11, s12] {
            assert!(
                crate::xml::parse(&s, crate::Limits::default(), true).is_ok(),
                "{s}"
            );
        }
    }

    #[test]
    fn no_stored_value_makes_an_xml_answer_ill_formed() {
        let f = Fault::validation(vec![FieldError::new(
            Code::UnknownElement,
            vec![
                crate::fault::PathSeg::new("q"),
                crate::fault::PathSeg::owned("a\u{1}\u{0}b"),
            ],
            "is not a known element",
        )])
        .with_external_reference(Some("R\u{0}\u{1b}\u{FFFE}".into()));
        for s in [
            fault_xml(&f),
            fault_soap(SoapVersion::V11, &f, "Q/R\u{1}"),
            fault_soap(SoapVersion::V12, &f, "Q/R"),
        ] {
            assert!(!crate::text::has_forbidden_character(&s), "{s:?}");
            assert!(
                crate::xml::parse(&s, crate::Limits::default(), true).is_ok(),
                "{s}"
            );
            assert!(s.contains('\u{FFFD}'));
        }
        let j: serde_json::Value = serde_json::from_str(&fault_json(&f)).unwrap();
        assert_eq!(j["externalReference"], "R\u{0}\u{1b}\u{FFFE}");
    }

    #[test]
    fn soap_faults_carry_the_cmp_detail() {
        let s = fault_soap(SoapVersion::V11, &fault(), "QueryX/Request");
        assert!(s.contains("<faultcode>soapenv:Client</faultcode>"));
        assert!(s.contains(r#"<f:ValidationFault xmlns:f="http://mdsuk.com/ws/dise3g/fault/definition"><Details><MessageId>"#));
        assert!(s.contains("<ExtraInfo>QueryX/Request/AccountIdentifier</ExtraInfo>"));
        assert!(!s.contains("ExternalReference"));
        let s12 = fault_soap(SoapVersion::V12, &Fault::unavailable(), "Q/R");
        assert!(s12.contains("<soapenv:Value>soapenv:Receiver</soapenv:Value>"));
    }
}
