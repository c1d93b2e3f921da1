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
    Field(String, Edit),
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

/// One seed: (class, base fixture, change).
type Spec = (&'static str, &'static str, Change);

/// The seeds of one dialect (`xml`, `json`, `soap`, or `get` for query and path
/// parameters). The body dialects share the CreateAgreement seeds, with SOAP's
/// PascalCase names and JSON's raw number tokens.
fn specs(dialect: &str) -> Vec<Spec> {
    if dialect == "get" {
        return get_specs();
    }
    let soap = dialect == "soap";
    let json = dialect == "json";
    let (base, dated): (&'static str, &'static str) = match dialect {
        "xml" => (
            "CreateAgreement/success.xml",
            "CreateAgreement/date-with-zone.xml",
        ),
        "json" => (
            "CreateAgreement/success.json",
            "CreateAgreement/date-with-zone.json",
        ),
        _ => ("CreateAgreement/success.soap.xml", ""),
    };
    let name = |n: &str| {
        if soap {
            cmp_model::fault::pascal(n).into_owned()
        } else {
            n.to_string()
        }
    };
    let num = |v: &str| if json { r(v) } else { t(v) };
    let ext = name("externalReference");
    let cycle = name("billingCycle");
    let mut v: Vec<Spec> = vec![
        // Not a whole number: JSON reads 3.0 as 3 (as JSON Schema's integer), XML refuses it.
        (
            "wrong-type-float",
            base,
            Field(cycle.clone(), num(if json { "3.5" } else { "3.0" })),
        ),
        (
            "boundary-long",
            base,
            Field(ext.clone(), t(&"A".repeat(4096))),
        ),
        ("forbidden-u0000", base, Field(ext.clone(), t("CA\u{0}1"))),
        (
            "forbidden-ufffe",
            base,
            Field(ext.clone(), t("CA\u{fffe}1")),
        ),
        ("non-ascii-string", base, Field(ext.clone(), t("日本😀é"))),
        ("duplicated-element", base, Field(cycle.clone(), Repeat)),
    ];
    if !json {
        v.push((
            "wrong-type-child-element",
            base,
            Field(cycle.clone(), r(if soap { "<X>1</X>" } else { "<x>1</x>" })),
        ));
        v.push((
            "forbidden-charref-0",
            base,
            Field(ext.clone(), r("CA&#0;1")),
        ));
        v.push((
            "forbidden-charref-x1",
            base,
            Field(ext.clone(), r("CA&#x1;1")),
        ));
    }
    if soap {
        let update = "UpdateAgreement/capture-current-date.soap.xml";
        let date = "<NextExpectedInvoiceDate>2026-12-20é01:00</NextExpectedInvoiceDate>";
        v.extend([
            (
                "huge-number",
                update,
                Field("AgreementNumber".into(), t(HUGE)),
            ),
            (
                "removed-element",
                update,
                Field("AgreementNumber".into(), Remove),
            ),
            ("non-ascii-date", base, Body(envelope("", date))),
            (
                "non-ascii-date-time",
                update,
                Field("LastAmendedDate".into(), t("2026-11-2日T10:00:00")),
            ),
            (
                "must-understand-header",
                base,
                Body(envelope(MUST_UNDERSTAND, "")),
            ),
        ]);
        return v;
    }
    v.extend([
        (
            "wrong-type-exponent",
            base,
            Field(cycle.clone(), num("1e-1")),
        ),
        ("huge-number", base, Field("accountCode".into(), num(HUGE))),
        ("boundary-empty", base, Field(ext.clone(), t(""))),
        (
            "forbidden-c0-u0001",
            base,
            Field(ext.clone(), t("CA\u{1}1")),
        ),
        (
            "forbidden-uffff",
            base,
            Field(ext.clone(), t("CA\u{ffff}1")),
        ),
        (
            "non-ascii-date",
            dated,
            Field("nextExpectedInvoiceDate".into(), t("2026-12-20é01:00")),
        ),
        ("removed-element", base, Field("accountCode".into(), Remove)),
    ]);
    if json {
        let deep = format!(
            "{{\"agreementData\":{}1{}}}",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        v.extend([
            ("wrong-type-object", base, Field(cycle.clone(), r("{}"))),
            ("wrong-type-array", base, Field(cycle, r("[]"))),
            (
                "forbidden-lone-surrogate",
                base,
                Field(ext, r("\"CA\\ud8001\"")),
            ),
            ("deep-nesting", base, Body(deep)),
            ("empty-object", base, Body("{}".into())),
        ]);
    } else {
        let deep = format!(
            "<createAgreement><agreementData>{}1{}</agreementData></createAgreement>",
            "<x>".repeat(5000),
            "</x>".repeat(5000)
        );
        v.extend([
            ("deep-nesting", base, Body(deep)),
            ("self-closing-root", base, Body("<createAgreement/>".into())),
        ]);
    }
    v
}

const HUGE: &str = "99999999999999999999999999999999999999";

/// GET query and path parameters, and a self-closing GetCatalogue document.
fn get_specs() -> Vec<Spec> {
    let account = "GetAccount/resource-route-query-parameter.json";
    let agreement = "QueryAgreement/resource-route.json";
    vec![
        (
            "query-non-ascii",
            account,
            Field("?externalReference".into(), t("GA-日本😀")),
        ),
        (
            "query-forbidden-u0000",
            account,
            Field("?externalReference".into(), r("GA%00Q")),
        ),
        (
            "query-forbidden-u0000-xml",
            "GetAccount/resource-route.xml",
            Path("/accounts/10000003?externalReference=GA%00Q".into()),
        ),
        (
            "query-invalid-utf8",
            account,
            Field("?externalReference".into(), r("GA%ED%A0%80")),
        ),
        (
            "query-deep-dotted-name",
            "QueryWorkflows/by-target.json",
            Path(format!("/workflows?{}=1", vec!["a"; 5000].join("."))),
        ),
        (
            "path-non-ascii",
            agreement,
            Field("/{1}".into(), t("2000000日")),
        ),
        ("path-huge-number", agreement, Field("/{1}".into(), t(HUGE))),
        (
            "self-closing-root-get-catalogue",
            "GetAccount/success.xml",
            Body(String::new()),
        ),
    ]
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
                .find(|x| shape.name(x).ends_with(name.as_str()))
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
            let expect = (target == Target::App)
                .then(|| expectation(d, class))
                .flatten();
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
