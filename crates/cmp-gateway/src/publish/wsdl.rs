//! `GET /ws/dise3g/services/{Svc}Port?wsdl`: a WSDL 1.1 document/literal description of
//! one SOAP service of the registry, written from the registry rows and the schemas.
//!
//! - wrapper elements `{Op}` (holding the registry's child, typed by the request
//!   document's type) and `{Op}Response` (holding `Result`, typed by the response
//!   document's type) in `http://mdsuk.com/ws/dise3g/{svc}/definition`, qualified;
//! - every alias is an operation too (the 7.3.8 names, e.g. QueryAgreementsByCustomerLevel),
//!   answered with `{Alias}Response` as the gateway does;
//! - the four CMP faults as elements of `http://mdsuk.com/ws/dise3g/fault/definition`;
//! - the data types imported from `/schemas/soap/cmp.xsd` by absolute URL;
//! - a SOAP 1.1 binding and port (and a SOAP 1.2 one on the same address).

use std::fmt::Write as _;

use cmp_model::soap::FAULT_NS;
use cmp_model::FaultKind;

use super::model::Model;
use super::xsd::{DTO_NS, DTO_PREFIX, SOAP_XSD_PATH};
use super::{esc, BASE_URL, GENERATED};
use crate::registry::{soap_namespace, Operation};

const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
const SOAP11_BINDING_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
const SOAP12_BINDING_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";
const HTTP_TRANSPORT: &str = "http://schemas.xmlsoap.org/soap/http";

/// The faults every operation declares, in the 7.3.8 order.
pub const FAULTS: [FaultKind; 4] = [
    FaultKind::System,
    FaultKind::Security,
    FaultKind::Validation,
    FaultKind::ServiceUnavailable,
];

/// `agreement` → `Agreement`.
pub fn capitalised(service: &str) -> String {
    cmp_model::fault::pascal(service).into_owned()
}

/// The port name of a service: `AgreementPort`.
pub fn port_name(service: &str) -> String {
    format!("{}Port", capitalised(service))
}

/// Every SOAP service of the registry, in registry order.
pub fn services(ops: &[Operation]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for s in ops.iter().filter_map(|o| o.soap.as_ref()) {
        if !out.contains(&s.service) {
            out.push(s.service);
        }
    }
    out
}

/// The service a port name (`AgreementPort`, any case) stands for.
pub fn service_of_port(ops: &[Operation], port: &str) -> Option<&'static str> {
    let stem = port.strip_suffix("Port")?;
    services(ops)
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(stem))
}

/// One WSDL operation: a name the gateway answers to on this service.
struct WsdlOp<'a> {
    name: &'a str,
    op: &'a Operation,
    child: &'a str,
    request_type: String,
    response_type: String,
}

fn wsdl_ops<'a>(m: &Model, ops: &'a [Operation], service: &str) -> Vec<WsdlOp<'a>> {
    let mut out = Vec::new();
    for op in ops {
        let Some(soap) = op.soap.as_ref().filter(|s| s.service == service) else {
            continue;
        };
        let binding = crate::registry::soap_binding(op);
        let (Some(req), Some(resp)) = (
            m.roots.get(binding.request_root),
            m.roots.get(binding.response_root),
        ) else {
            log::error!("{}: its document roots are not in the schemas", op.name);
            continue;
        };
        for name in std::iter::once(&op.name).chain(op.aliases) {
            out.push(WsdlOp {
                name,
                op,
                child: soap.child,
                request_type: req.ty.clone(),
                response_type: resp.ty.clone(),
            });
        }
    }
    out
}

/// The WSDL of `service`, with [`BASE_URL`] standing for `scheme://host`.
pub fn wsdl(m: &Model, ops: &[Operation], service: &str) -> String {
    let svc = capitalised(service);
    let def_ns = soap_namespace(service);
    let port = port_name(service);
    let xsd_url = format!("{BASE_URL}{SOAP_XSD_PATH}");
    let address = format!("{BASE_URL}/ws/dise3g/services/{port}");
    let list = wsdl_ops(m, ops, service);
    let mut o = String::with_capacity(16 * 1024);

    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        o,
        "<!-- {GENERATED} The {svc} service of the CMP gateway (SOAP 1.1 and 1.2, document/literal). -->"
    );
    let _ = writeln!(
        o,
        "<wsdl:definitions name=\"{svc}Service\" targetNamespace=\"{def_ns}\"\n    xmlns:wsdl=\"{WSDL_NS}\" xmlns:soap=\"{SOAP11_BINDING_NS}\" xmlns:soap12=\"{SOAP12_BINDING_NS}\"\n    xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:tns=\"{def_ns}\"\n    xmlns:fault=\"{FAULT_NS}\" xmlns:{DTO_PREFIX}=\"{DTO_NS}\">"
    );
    let _ = writeln!(
        o,
        "  <wsdl:documentation>CMP {svc} service. Every operation is also served as REST (see /openapi.json); the data types are {}.</wsdl:documentation>",
        esc(&xsd_url)
    );

    // --- types -------------------------------------------------------------------------
    o.push_str("  <wsdl:types>\n");
    let _ = writeln!(
        o,
        "    <xs:schema targetNamespace=\"{FAULT_NS}\" elementFormDefault=\"qualified\">"
    );
    let _ = writeln!(
        o,
        "      <xs:import namespace=\"{DTO_NS}\" schemaLocation=\"{}\"/>",
        esc(&xsd_url)
    );
    for k in FAULTS {
        let ty = m
            .roots
            .get(k.rest_element())
            .map_or("CmpFault", |r| r.ty.as_str());
        let _ = writeln!(
            o,
            "      <xs:element name=\"{}\" type=\"{DTO_PREFIX}:{ty}\"/>",
            k.element()
        );
    }
    o.push_str("    </xs:schema>\n");
    let _ = writeln!(
        o,
        "    <xs:schema targetNamespace=\"{def_ns}\" elementFormDefault=\"qualified\">"
    );
    let _ = writeln!(
        o,
        "      <xs:import namespace=\"{DTO_NS}\" schemaLocation=\"{}\"/>",
        esc(&xsd_url)
    );
    let mut responses = std::collections::BTreeSet::new();
    for w in &list {
        let _ = writeln!(
            o,
            "      <xs:element name=\"{n}\">\n        <xs:complexType><xs:sequence><xs:element name=\"{c}\" type=\"{DTO_PREFIX}:{t}\"/></xs:sequence></xs:complexType>\n      </xs:element>",
            n = w.name,
            c = w.child,
            t = w.request_type
        );
        // `{Op}Request` wrappers answer `{Op}Response`, which `Op` may declare already.
        let response = cmp_model::render::soap_response_element(w.name);
        if !responses.insert(response.clone()) {
            continue;
        }
        let _ = writeln!(
            o,
            "      <xs:element name=\"{response}\">\n        <xs:complexType><xs:sequence><xs:element name=\"Result\" type=\"{DTO_PREFIX}:{t}\"/></xs:sequence></xs:complexType>\n      </xs:element>",
            t = w.response_type
        );
    }
    o.push_str("    </xs:schema>\n  </wsdl:types>\n\n");

    // --- messages ----------------------------------------------------------------------
    for w in &list {
        let _ = writeln!(
            o,
            "  <wsdl:message name=\"{n}Request\"><wsdl:part name=\"parameters\" element=\"tns:{n}\"/></wsdl:message>",
            n = w.name
        );
        let _ = writeln!(
            o,
            "  <wsdl:message name=\"{n}Response\"><wsdl:part name=\"parameters\" element=\"tns:{r}\"/></wsdl:message>",
            n = w.name,
            r = cmp_model::render::soap_response_element(w.name)
        );
    }
    for k in FAULTS {
        let _ = writeln!(
            o,
            "  <wsdl:message name=\"{f}\"><wsdl:part name=\"{f}\" element=\"fault:{f}\"/></wsdl:message>",
            f = k.element()
        );
    }

    // --- portType ----------------------------------------------------------------------
    let _ = writeln!(o, "\n  <wsdl:portType name=\"{svc}PortType\">");
    for w in &list {
        let _ = writeln!(o, "    <wsdl:operation name=\"{}\">", w.name);
        let _ = writeln!(
            o,
            "      <wsdl:documentation>{}</wsdl:documentation>",
            esc(&describe(w))
        );
        let _ = writeln!(
            o,
            "      <wsdl:input message=\"tns:{n}Request\"/>\n      <wsdl:output message=\"tns:{n}Response\"/>",
            n = w.name
        );
        for k in FAULTS {
            let _ = writeln!(
                o,
                "      <wsdl:fault name=\"{f}\" message=\"tns:{f}\"/>",
                f = k.element()
            );
        }
        o.push_str("    </wsdl:operation>\n");
    }
    o.push_str("  </wsdl:portType>\n");

    // --- bindings ----------------------------------------------------------------------
    for (binding, prefix, op_attrs) in [
        ("SOAPBinding", "soap", " soapAction=\"\""),
        (
            "SOAP12Binding",
            "soap12",
            " soapAction=\"\" soapActionRequired=\"false\"",
        ),
    ] {
        let _ = writeln!(
            o,
            "\n  <wsdl:binding name=\"{svc}{binding}\" type=\"tns:{svc}PortType\">\n    <{prefix}:binding style=\"document\" transport=\"{HTTP_TRANSPORT}\"/>"
        );
        for w in &list {
            let _ = writeln!(
                o,
                "    <wsdl:operation name=\"{n}\">\n      <{prefix}:operation{op_attrs} style=\"document\"/>\n      <wsdl:input><{prefix}:body use=\"literal\"/></wsdl:input>\n      <wsdl:output><{prefix}:body use=\"literal\"/></wsdl:output>",
                n = w.name
            );
            for k in FAULTS {
                let _ = writeln!(
                    o,
                    "      <wsdl:fault name=\"{f}\"><{prefix}:fault name=\"{f}\" use=\"literal\"/></wsdl:fault>",
                    f = k.element()
                );
            }
            o.push_str("    </wsdl:operation>\n");
        }
        o.push_str("  </wsdl:binding>\n");
    }

    // --- service -----------------------------------------------------------------------
    let _ = writeln!(
        o,
        "\n  <wsdl:service name=\"{port}\">\n    <wsdl:port name=\"{port}\" binding=\"tns:{svc}SOAPBinding\"><soap:address location=\"{address}\"/></wsdl:port>\n    <wsdl:port name=\"{port}Soap12\" binding=\"tns:{svc}SOAP12Binding\"><soap12:address location=\"{address}\"/></wsdl:port>\n  </wsdl:service>"
    );
    o.push_str("</wsdl:definitions>\n");
    o
}

fn describe(w: &WsdlOp) -> String {
    let op = w.op;
    let mut s = if w.name == op.name {
        format!("CMP {}", op.name)
    } else {
        format!("CMP {} (the 7.3.8 name of {})", w.name, op.name)
    };
    let _ = write!(
        s,
        ": {} in {}, {} in Result. Role {}. Also POST /ws/{} ({} → {})",
        w.child,
        w.request_type,
        w.response_type,
        op.role.as_str(),
        op.name,
        op.document.request_root,
        op.document.response_root
    );
    if let Some(r) = &op.rest {
        let _ = write!(s, " and {} {}", super::method_name(r.method), r.path);
    }
    s.push('.');
    s
}
