//! The decoder targets: bytes → `cmp_model::{xml,json,soap}` → Node → the generated
//! decode of every document root, and what a decoded value renders back to.

use cmp_gateway::registry;
use cmp_model::codec::Reader;
use cmp_model::messages as m;
use cmp_model::soap::{self, SoapVersion};
use cmp_model::{json, render, xml, Encode, Limits, Node};

use crate::oracle::{json_error, xml_error, Finding};

/// A decoded value rendered in each dialect.
pub struct Rendered {
    pub xml: String,
    pub json: String,
    pub soap: String,
}

/// The generated decoder of one document type (`messages::DOCUMENT_TYPES`).
pub type Decoder = fn(&Node, &mut Reader) -> Option<Box<dyn Encode>>;

/// Decodes `node` as document `root` with `f`; `Some` when it decodes with no error,
/// rendered in each dialect.
fn render_as(root: &'static str, f: Decoder, node: &Node) -> Option<Rendered> {
    let mut r = Reader::new(root);
    let v = f(node, &mut r)?;
    if r.error_count() > 0 {
        return None;
    }
    Some(Rendered {
        xml: render::xml(root, v.as_ref()),
        json: render::json(v.as_ref()),
        soap: render::soap(SoapVersion::V11, "urn:fuzz", "Op", v.as_ref()),
    })
}

/// Every document root with its decoder, from the generated tables (so a new schema
/// root is fuzzed with no edit here).
pub fn roots() -> Vec<(&'static str, Decoder)> {
    static ROOTS: std::sync::OnceLock<Vec<(&'static str, Decoder)>> = std::sync::OnceLock::new();
    ROOTS.get_or_init(find_roots).clone()
}

fn find_roots() -> Vec<(&'static str, Decoder)> {
    m::ROOTS
        .iter()
        .filter_map(|(root, ty, _)| {
            m::DOCUMENT_TYPES
                .iter()
                .find(|(name, _)| name == ty)
                .map(|(_, f)| (*root, *f))
        })
        .collect()
}

fn decoder(root: &str) -> Option<(&'static str, Decoder)> {
    roots().into_iter().find(|(r, _)| *r == root)
}

/// What a decoded value writes must be read again: XML and SOAP by a conforming XML 1.0
/// parser, JSON by serde_json; and the XML and JSON it writes decode back to themselves.
fn check_rendered(root: &'static str, f: Decoder, r: &Rendered) -> Result<(), Finding> {
    if let Err(e) = roxmltree::Document::parse(&r.xml) {
        return Err(xml_error("render-xml", &e, &r.xml));
    }
    if let Err(e) = roxmltree::Document::parse(&r.soap) {
        return Err(xml_error("render-soap", &e, &r.soap));
    }
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&r.json) {
        return Err(json_error("render-json", &e, &r.json));
    }
    let again = xml::parse(&r.xml, Limits::default(), false)
        .ok()
        .and_then(|n| render_as(root, f, &n));
    read_back("roundtrip-xml", root, &r.xml, again.map(|a| a.xml))?;
    let again = json::parse(&r.json, root, &[], Limits::default())
        .ok()
        .and_then(|n| render_as(root, f, &n));
    read_back("roundtrip-json", root, &r.json, again.map(|a| a.json))
}

/// `written`, read back and written again, must be `written`.
fn read_back(
    oracle: &'static str,
    root: &str,
    written: &str,
    again: Option<String>,
) -> Result<(), Finding> {
    if again.as_deref() == Some(written) || writes_an_empty_container(written) {
        return Ok(());
    }
    let class = if again.is_none() {
        "does not decode again"
    } else {
        "decodes to another value"
    };
    Err(Finding::new(
        oracle,
        format!(
            "{root}: {} read back as {:?}",
            clip(written),
            again.map(|a| clip(&a))
        ),
    )
    .with_class(class))
}

/// A container decoded from children that were all blank is present and empty (an update
/// relies on it: `personalDetails{lastName:""}` asks to erase a name), and writes as an
/// empty element that reads back as absent. Accepted (docs/decisions.md, "A container of
/// blank children"), so not a finding.
fn writes_an_empty_container(written: &str) -> bool {
    if written.contains(":{}") {
        return true;
    }
    written.match_indices("></").any(|(i, _)| {
        let open = &written[..i];
        let name = open.rsplit('<').next().unwrap_or_default();
        let close = &written[i + 3..];
        !name.is_empty()
            && !name.starts_with('/')
            && close.starts_with(name)
            && close[name.len()..].starts_with('>')
    })
}

pub fn clip(s: &str) -> String {
    const MAX: usize = 300;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}

/// Decodes a tree as `first` (the document it claims to be) and then as every other
/// root, checking what each successful decode renders.
fn decode_every_root(node: &mut Node, first: Option<&str>) -> Result<usize, Finding> {
    let mut decoded = 0;
    let mut all = roots();
    if let Some(i) = first.and_then(|f| all.iter().position(|(r, _)| *r == f)) {
        all.swap(0, i);
    }
    for (root, f) in all {
        node.name = root.to_string();
        if let Some(r) = render_as(root, f, node) {
            decoded += 1;
            check_rendered(root, f, &r)?;
        }
    }
    Ok(decoded)
}

/// The `xml` target: REST XML (and, with namespaces kept, the way SOAP reads it).
pub fn xml_input(bytes: &[u8]) -> Result<(), Finding> {
    let text = String::from_utf8_lossy(bytes);
    let _ = xml::parse(&text, Limits::default(), true);
    let Ok(mut node) = xml::parse(&text, Limits::default(), false) else {
        return Ok(());
    };
    let root = node.name.clone();
    decode_every_root(&mut node, Some(&root)).map(drop)
}

/// The `json` target. The first line names the document root the body is read as
/// (`json::parse` unwraps a body wrapped in its root name); the rest is the JSON.
pub fn json_input(bytes: &[u8]) -> Result<(), Finding> {
    let text = String::from_utf8_lossy(bytes);
    let (first, body) = text.split_once('\n').unwrap_or(("createAgreement", &text));
    let (root, aliases): (&str, &[&str]) =
        match m::ROOTS.iter().find(|(r, _, _)| *r == first.trim()) {
            Some((r, _, a)) => (r, a),
            None => ("createAgreement", &[]),
        };
    let Ok(mut node) = json::parse(body, root, aliases, Limits::default()) else {
        return Ok(());
    };
    decode_every_root(&mut node, Some(root)).map(drop)
}

/// The `soap` target: an envelope, dispatched the way the gateway does it.
pub fn soap_input(bytes: &[u8]) -> Result<(), Finding> {
    let text = String::from_utf8_lossy(bytes);
    let Ok(req) = soap::unwrap(&text, Limits::default()) else {
        return Ok(());
    };
    let service = req
        .namespace
        .strip_prefix("http://mdsuk.com/ws/dise3g/")
        .and_then(|s| s.strip_suffix("/definition"))
        .unwrap_or("");
    let root = registry::by_soap(service, &req.namespace, &req.operation)
        .map(|op| op.document.request_root);
    let mut node = req.document;
    if let Some((root, f)) = root.and_then(decoder) {
        node.name = root.to_string();
        if let Some(r) = render_as(root, f, &node) {
            check_rendered(root, f, &r)?;
        }
    }
    decode_every_root(&mut node, root).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_root_has_a_decoder() {
        assert_eq!(roots().len(), m::ROOTS.len());
    }

    #[test]
    fn a_good_document_decodes_and_renders_back() {
        let x = b"<createAgreement><externalReference>R&amp;1</externalReference><agreementData><billingCycle>3</billingCycle><groupCode>ACMEGP</groupCode></agreementData></createAgreement>";
        let node = xml::parse(std::str::from_utf8(x).unwrap(), Limits::default(), false).unwrap();
        let (root, f) = decoder("createAgreement").unwrap();
        let r = render_as(root, f, &node).expect("decodes");
        assert!(r.xml.contains("R&amp;1"));
        check_rendered(root, f, &r).unwrap();
        xml_input(x).unwrap();
        json_input(
            b"createAgreement\n{\"agreementData\":{\"billingCycle\":3,\"groupCode\":\"ACMEGP\"}}",
        )
        .unwrap();
    }
}
