//! `GET /schemas/soap/cmp.xsd`: every type of `schemas/*.xsd` in the SOAP dialect, one
//! schema in namespace [`DTO_NS`]. Element names get their first letter upper-cased
//! (`externalReference` → `ExternalReference`); type names stay; facets and enumerations
//! are kept; the `<alias>` misspellings become documentation (the gateway still accepts
//! them, a generated client never sends them).

use std::fmt::Write as _;

use cmp_model::fault::pascal;

use super::model::{Decl, Field, Group, Model, TypeRef};
use super::{esc, GENERATED};

/// The namespace of the SOAP data types (the wrapper elements are in each service's
/// definition namespace; the types they hold are here).
pub const DTO_NS: &str = "http://mdsuk.com/ws/dise3g/cmp/dto";
/// The prefix of [`DTO_NS`] wherever our documents reference its types.
pub const DTO_PREFIX: &str = "cmp";
/// Where it is served.
pub const SOAP_XSD_PATH: &str = "/schemas/soap/cmp.xsd";

/// `xs:date` or `cmp:Integer8`.
pub fn qualified(t: &TypeRef) -> String {
    match t {
        TypeRef::Builtin(b) => format!("xs:{b}"),
        TypeRef::Named(n) => format!("{DTO_PREFIX}:{n}"),
    }
}

fn documentation(out: &mut String, indent: &str, texts: &[String]) {
    if texts.is_empty() {
        return;
    }
    let _ = write!(out, "{indent}<xs:annotation>");
    for t in texts {
        let _ = write!(out, "<xs:documentation>{}</xs:documentation>", esc(t));
    }
    out.push_str("</xs:annotation>\n");
}

fn element(out: &mut String, f: &Field, in_all: bool) {
    let _ = write!(
        out,
        "      <xs:element name=\"{}\" type=\"{}\"",
        esc(&pascal(&f.name)),
        qualified(&f.ty)
    );
    if f.min != 1 {
        let _ = write!(out, " minOccurs=\"{}\"", f.min);
    }
    match f.max {
        Some(1) => {}
        Some(n) if !in_all => {
            let _ = write!(out, " maxOccurs=\"{n}\"");
        }
        None if !in_all => out.push_str(" maxOccurs=\"unbounded\""),
        _ => {}
    }
    let mut docs: Vec<String> = f.doc.iter().cloned().collect();
    if !f.aliases.is_empty() {
        let names: Vec<String> = f.aliases.iter().map(|a| pascal(a).into_owned()).collect();
        docs.push(format!("Also accepted as {}.", names.join(", ")));
    }
    if docs.is_empty() {
        out.push_str("/>\n");
    } else {
        out.push_str(">\n");
        documentation(out, "        ", &docs);
        out.push_str("      </xs:element>\n");
    }
}

/// The schema text.
pub fn soap_xsd(m: &Model) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<!-- {GENERATED} The data types of the SOAP ports: the types of schemas/*.xsd with\n     PascalCase element names (the REST documents use lowerCamel). -->"
    );
    let _ = writeln!(
        out,
        "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:{DTO_PREFIX}=\"{DTO_NS}\" targetNamespace=\"{DTO_NS}\" elementFormDefault=\"unqualified\" attributeFormDefault=\"unqualified\">"
    );
    for file in &m.files {
        if file.decls.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n  <!-- {} -->", esc(&file.name));
        for d in &file.decls {
            match d {
                Decl::Simple(n) => {
                    let s = &m.simple[n];
                    let _ = writeln!(out, "  <xs:simpleType name=\"{}\">", esc(n));
                    documentation(&mut out, "    ", &s.doc.iter().cloned().collect::<Vec<_>>());
                    if s.facets.is_empty() {
                        let _ =
                            writeln!(out, "    <xs:restriction base=\"{}\"/>", qualified(&s.base));
                    } else {
                        let _ =
                            writeln!(out, "    <xs:restriction base=\"{}\">", qualified(&s.base));
                        for (facet, v) in &s.facets {
                            let _ = writeln!(out, "      <xs:{facet} value=\"{}\"/>", esc(v));
                        }
                        out.push_str("    </xs:restriction>\n");
                    }
                    out.push_str("  </xs:simpleType>\n");
                }
                Decl::Complex(n) => {
                    let c = &m.complex[n];
                    let _ = writeln!(out, "  <xs:complexType name=\"{}\">", esc(n));
                    documentation(&mut out, "    ", &c.doc.iter().cloned().collect::<Vec<_>>());
                    // XSD 1.0: the children of xs:all occur at most once. A type with a
                    // repeated child is published as a sequence (the gateway takes any
                    // order either way).
                    let group = match c.group {
                        Group::All if c.fields.iter().any(|f| f.repeated() || f.min > 1) => {
                            Group::Sequence
                        }
                        g => g,
                    };
                    let _ = writeln!(out, "    <xs:{}>", group.xs());
                    for f in &c.fields {
                        element(&mut out, f, group == Group::All);
                    }
                    let _ = writeln!(out, "    </xs:{}>", group.xs());
                    out.push_str("  </xs:complexType>\n");
                }
            }
        }
    }
    out.push_str("</xs:schema>\n");
    out
}
