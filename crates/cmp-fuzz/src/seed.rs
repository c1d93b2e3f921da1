//! The regression corpus seeds: one file per hostile class and target, made from the
//! contract fixtures by a named single-field or structural edit
//! (`cmp-fuzz seed-corpus` writes them; `corpus/README.md` lists the classes).

use std::path::Path;

use cmp_gateway::registry;

use crate::fixtures::{self, Fixture};
use crate::input::Request;
use crate::mutate::{Edit, Shape};
use crate::run::Target;

/// What to do to a fixture request.
enum Change {
    /// Edit the field whose name ends with the given one.
    Field(&'static str, Edit),
    /// Replace the whole body.
    Body(String),
    /// Replace the path (and query).
    Path(String),
}

use Change::*;
use Edit::{Raw, Remove, Repeat, Text};

fn t(s: &str) -> Edit {
    Text(s.to_string())
}
fn r(s: &str) -> Edit {
    Raw(s.to_string())
}

/// (class, base fixture, change) for one dialect.
fn specs(dialect: &str) -> Vec<(&'static str, &'static str, Change)> {
    let deep_xml = format!(
        "<createAgreement><agreementData>{}1{}</agreementData></createAgreement>",
        "<x>".repeat(5000),
        "</x>".repeat(5000)
    );
    let deep_json = format!("{{\"agreementData\":{}1{}}}", "[".repeat(5000), "]".repeat(5000));
    match dialect {
        "xml" => vec![
            ("wrong-type-float", "CreateAgreement/success.xml", Field("billingCycle", t("3.0"))),
            ("wrong-type-exponent", "CreateAgreement/success.xml", Field("billingCycle", t("1e1"))),
            ("wrong-type-child-element", "CreateAgreement/success.xml", Field("billingCycle", r("<x>1</x>"))),
            ("huge-number", "CreateAgreement/success.xml", Field("accountCode", t("99999999999999999999999999999999999999"))),
            ("boundary-empty", "CreateAgreement/success.xml", Field("externalReference", t(""))),
            ("boundary-long", "CreateAgreement/success.xml", Field("externalReference", t(&"A".repeat(4096)))),
            ("forbidden-u0000", "CreateAgreement/success.xml", Field("externalReference", t("CA\u{0}1"))),
            ("forbidden-c0-u0001", "CreateAgreement/success.xml", Field("externalReference", t("CA\u{1}1"))),
            ("forbidden-ufffe", "CreateAgreement/success.xml", Field("externalReference", t("CA\u{fffe}1"))),
            ("forbidden-uffff", "CreateAgreement/success.xml", Field("externalReference", t("CA\u{ffff}1"))),
            ("forbidden-charref-0", "CreateAgreement/success.xml", Field("externalReference", r("CA&#0;1"))),
            ("forbidden-charref-x1", "CreateAgreement/success.xml", Field("externalReference", r("CA&#x1;1"))),
            ("non-ascii-string", "CreateAgreement/success.xml", Field("externalReference", t("日本😀é"))),
            ("non-ascii-date", "CreateAgreement/date-with-zone.xml", Field("nextExpectedInvoiceDate", t("2026-12-20é01:00"))),
            ("deep-nesting", "CreateAgreement/success.xml", Body(deep_xml)),
            ("duplicated-element", "CreateAgreement/success.xml", Field("billingCycle", Repeat)),
            ("removed-element", "CreateAgreement/success.xml", Field("accountCode", Remove)),
            ("self-closing-root", "CreateAgreement/success.xml", Body("<createAgreement/>".into())),
        ],
        "json" => vec![
            ("wrong-type-float", "CreateAgreement/success.json", Field("billingCycle", r("3.0"))),
            ("wrong-type-exponent", "CreateAgreement/success.json", Field("billingCycle", r("1e1"))),
            ("wrong-type-object", "CreateAgreement/success.json", Field("billingCycle", r("{}"))),
            ("wrong-type-array", "CreateAgreement/success.json", Field("billingCycle", r("[]"))),
            ("huge-number", "CreateAgreement/success.json", Field("accountCode", r("99999999999999999999999999999999999999"))),
            ("boundary-empty", "CreateAgreement/success.json", Field("externalReference", t(""))),
            ("boundary-long", "CreateAgreement/success.json", Field("externalReference", t(&"A".repeat(4096)))),
            ("forbidden-u0000", "CreateAgreement/success.json", Field("externalReference", t("CA\u{0}1"))),
            ("forbidden-c0-u0001", "CreateAgreement/success.json", Field("externalReference", t("CA\u{1}1"))),
            ("forbidden-ufffe", "CreateAgreement/success.json", Field("externalReference", t("CA\u{fffe}1"))),
            ("forbidden-uffff", "CreateAgreement/success.json", Field("externalReference", t("CA\u{ffff}1"))),
            ("forbidden-lone-surrogate", "CreateAgreement/success.json", Field("externalReference", r("\"CA\\ud8001\""))),
            ("non-ascii-string", "CreateAgreement/success.json", Field("externalReference", t("日本😀é"))),
            ("non-ascii-date", "CreateAgreement/date-with-zone.json", Field("nextExpectedInvoiceDate", t("2026-12-20é01:00"))),
            ("deep-nesting", "CreateAgreement/success.json", Body(deep_json)),
            ("duplicated-element", "CreateAgreement/success.json", Field("billingCycle", Repeat)),
            ("removed-element", "CreateAgreement/success.json", Field("accountCode", Remove)),
            ("empty-object", "CreateAgreement/success.json", Body("{}".into())),
        ],
        "soap" => vec![
            ("wrong-type-float", "CreateAgreement/success.soap.xml", Field("BillingCycle", t("3.0"))),
            ("wrong-type-child-element", "CreateAgreement/success.soap.xml", Field("BillingCycle", r("<X>1</X>"))),
            ("huge-number", "UpdateAgreement/capture-current-date.soap.xml", Field("AgreementNumber", t("99999999999999999999999999999999999999"))),
            ("boundary-long", "CreateAgreement/success.soap.xml", Field("ExternalReference", t(&"A".repeat(4096)))),
            ("forbidden-u0000", "CreateAgreement/success.soap.xml", Field("ExternalReference", t("CA\u{0}1"))),
            ("forbidden-ufffe", "CreateAgreement/success.soap.xml", Field("ExternalReference", t("CA\u{fffe}1"))),
            ("forbidden-charref-0", "CreateAgreement/success.soap.xml", Field("ExternalReference", r("CA&#0;1"))),
            ("forbidden-charref-x1", "CreateAgreement/success.soap.xml", Field("ExternalReference", r("CA&#x1;1"))),
            ("non-ascii-string", "CreateAgreement/success.soap.xml", Field("ExternalReference", t("日本😀é"))),
            ("non-ascii-date", "CreateAgreement/success.soap.xml", Body(envelope("", "<NextExpectedInvoiceDate>2026-12-20é01:00</NextExpectedInvoiceDate>"))),
            ("non-ascii-date-time", "UpdateAgreement/capture-current-date.soap.xml", Field("LastAmendedDate", t("2026-11-2日T10:00:00"))),
            ("duplicated-element", "CreateAgreement/success.soap.xml", Field("BillingCycle", Repeat)),
            ("removed-element", "UpdateAgreement/capture-current-date.soap.xml", Field("AgreementNumber", Remove)),
            ("must-understand-header", "CreateAgreement/success.soap.xml", Body(envelope(MUST_UNDERSTAND, ""))),
        ],
        _ => vec![
            ("query-non-ascii", "GetAccount/resource-route-query-parameter.json", Field("?externalReference", t("GA-日本😀"))),
            ("query-forbidden-u0000", "GetAccount/resource-route-query-parameter.json", Field("?externalReference", r("GA%00Q"))),
            ("query-forbidden-u0000-xml", "GetAccount/resource-route.xml", Path("/accounts/10000003?externalReference=GA%00Q".into())),
            ("query-invalid-utf8", "GetAccount/resource-route-query-parameter.json", Field("?externalReference", r("GA%ED%A0%80"))),
            ("query-deep-dotted-name", "QueryWorkflows/by-target.json", Path(format!("/workflows?{}=1", vec!["a"; 5000].join(".")))),
            ("path-non-ascii", "QueryAgreement/resource-route.json", Field("/{1}", t("2000000日"))),
            ("path-huge-number", "QueryAgreement/resource-route.json", Field("/{1}", t("99999999999999999999999999999999999999"))),
            ("self-closing-root-get-catalogue", "GetAccount/success.xml", Body(String::new())),
        ],
    }
}

/// A SOAP header the gateway does not understand, marked mustUnderstand.
const MUST_UNDERSTAND: &str = r#"<soap-env:Header><x:Security xmlns:x="urn:unknown" soap-env:mustUnderstand="1"/></soap-env:Header>"#;

/// A SOAP 1.1 CreateAgreement for account 10000004 with `header` and `extra` fields.
fn envelope(header: &str, extra: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">{header}<soap-env:Body><ns0:CreateAgreement xmlns:ns0="http://mdsuk.com/ws/dise3g/agreement/definition"><ns0:AgreementData><ExternalReference>CA-SEED</ExternalReference><AgreementData><BillingCycle>10</BillingCycle><InvoiceConsolidationLevel>Account</InvoiceConsolidationLevel><AccountCode>10000004</AccountCode><BillingMedia>PAPER</BillingMedia>{extra}</AgreementData></ns0:AgreementData></ns0:CreateAgreement></soap-env:Body></soap-env:Envelope>"#
    )
}

fn find<'a>(all: &'a [Fixture], label: &str) -> &'a Fixture {
    all.iter()
        .find(|f| f.label() == label)
        .unwrap_or_else(|| panic!("no fixture {label}"))
}

fn change(f: &Fixture, c: &Change) -> Request {
    let shape = Shape::of(&f.request, registry::by_name(f.operation));
    match c {
        Field(name, edit) => {
            let field = shape
                .fields()
                .into_iter()
                .find(|x| shape.name(x).ends_with(name))
                .unwrap_or_else(|| panic!("{}: no field {name}", f.label()));
            shape.apply(&field, edit)
        }
        Body(b) => Request {
            body: b.clone().into_bytes(),
            ..f.request.clone()
        }
        .renegotiated(),
        Path(p) => Request {
            path: p.clone(),
            ..f.request.clone()
        }
        .renegotiated(),
    }
}

/// What the gateway must answer a seed of `class` in `dialect` with, beyond the oracle.
fn expectation(dialect: &str, class: &str) -> Option<&'static str> {
    let xml = dialect == "xml" || dialect == "soap";
    Some(match class {
        "non-ascii-string" | "query-non-ascii" | "self-closing-root-get-catalogue" => "success",
        "self-closing-root" => "fault MANDATORY",
        c if c.starts_with("forbidden-") && !xml && c != "forbidden-lone-surrogate" => return None,
        "boundary-empty" | "query-forbidden-u0000" | "query-forbidden-u0000-xml" => return None,
        _ => "fault",
    })
}

/// The seed inputs of a target: (file name, bytes, for the app what it must answer).
pub fn seeds(target: Target) -> Vec<(String, Vec<u8>, Option<&'static str>)> {
    let all = fixtures::load();
    let mut out = Vec::new();
    let dialects: &[&str] = match target {
        Target::Xml => &["xml"],
        Target::Json => &["json"],
        Target::Soap => &["soap"],
        Target::App => &["xml", "json", "soap", "get"],
    };
    for d in dialects {
        for (class, base, c) in specs(d) {
            let f = find(&all, base);
            let mut req = change(f, &c);
            let bytes = match target {
                Target::App => {
                    if class == "self-closing-root-get-catalogue" {
                        // POST /ws/GetCatalogue with a self-closing root.
                        req = Request {
                            path: "/ws/GetCatalogue".into(),
                            method: "POST".into(),
                            headers: vec![("content-type".into(), "application/xml".into())],
                            body: b"<getCatalogue/>".to_vec(),
                            ..req
                        }
                        .renegotiated();
                    }
                    req.to_bytes()
                }
                Target::Json => {
                    let mut v = b"createAgreement\n".to_vec();
                    v.extend_from_slice(&req.body);
                    v
                }
                _ => req.body,
            };
            let name = match target {
                Target::App => format!("{d}-{class}.bin"),
                _ => format!("{class}.bin"),
            };
            let expect = (target == Target::App).then(|| expectation(d, class)).flatten();
            out.push((name, bytes, expect));
        }
    }
    out
}

/// Writes the seeds of every target under `corpus/<target>/`, except those parked
/// under `corpus/pending/<target>/` (known product bugs, not replayed until fixed).
pub fn write_all(corpus: &Path) -> std::io::Result<usize> {
    let mut n = 0;
    for t in Target::ALL {
        let dir = corpus.join(t.name());
        std::fs::create_dir_all(&dir)?;
        for (name, bytes, expect) in seeds(t) {
            if corpus.join("pending").join(t.name()).join(&name).exists() {
                continue;
            }
            let path = dir.join(name);
            std::fs::write(&path, bytes)?;
            if let Some(e) = expect {
                std::fs::write(path.with_extension("expect"), format!("{e}\n"))?;
            }
            n += 1;
        }
    }
    Ok(n)
}
