//! The contract fixtures as the OpenAPI document's examples (issue 13, item 2).
//!
//! The fixtures (`fixtures/requests/<Operation>/<case>.*`, layout in
//! `fixtures/requests/README.md`) are read, never copied: `build.rs` compiles the files
//! into the binary ([`Examples::compiled`]) and [`Examples::read_dir`] reads a directory
//! the same way, so a new case shows up in the document with no other edit.
//!
//! Each case becomes named examples (the case's name, its meta `description`) on the
//! operation it is sent to: `POST /ws/{Operation}` by default, the resource route when
//! the meta's `path` is one. Request files go under the request body (or, for a request
//! without a body, the path and query parameters), expected answers under the answer's
//! status, in their dialect; a JSON or XML example the case has no file for is the other
//! file decoded into the generated type and rendered again (when it decodes). SOAP files
//! go into the document operation's description and `x-cmp-soap`, with the port address.
//! Order: the case `sample` (the guide's sample request) first, then answers that succeed,
//! then faults, each by name.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use cmp_model::messages as msg;
use cmp_model::{json, render, xml, Encode, Limits, Node};
use serde_json::{json, Value};

use super::wsdl::port_name;
use crate::registry::{Binding, Operation};

mod compiled {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dialect {
    Xml,
    Json,
    Soap,
}

impl Dialect {
    fn media(self) -> &'static str {
        match self {
            Dialect::Xml => "application/xml",
            Dialect::Json => "application/json",
            Dialect::Soap => "text/xml",
        }
    }
}

/// What a fixture file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Request(Dialect),
    Expected(Dialect),
    Meta,
}

/// `name` and role of a fixture file. Longer suffixes first: `x.soap.xml` is the SOAP
/// request of case `x`, not the XML request of case `x.soap`; case names have no dot.
pub fn classify(file: &str) -> Option<(&str, Role)> {
    const SUFFIXES: [(&str, Role); 7] = [
        (".meta.json", Role::Meta),
        (".response.soap.xml", Role::Expected(Dialect::Soap)),
        (".response.xml", Role::Expected(Dialect::Xml)),
        (".response.json", Role::Expected(Dialect::Json)),
        (".soap.xml", Role::Request(Dialect::Soap)),
        (".xml", Role::Request(Dialect::Xml)),
        (".json", Role::Request(Dialect::Json)),
    ];
    SUFFIXES.iter().find_map(|(suffix, role)| {
        let name = file.strip_suffix(suffix)?;
        (!name.is_empty() && !name.contains('.')).then_some((name, *role))
    })
}

/// One case of an operation's fixture directory.
#[derive(Debug, Clone, Default)]
pub struct Case {
    pub operation: String,
    pub name: String,
    pub description: Option<String>,
    pub status: u16,
    /// Upper case; POST by default.
    pub method: String,
    /// The request's path and query, when not the default one.
    pub path: Option<String>,
    pub requests: BTreeMap<Dialect, String>,
    pub responses: BTreeMap<Dialect, String>,
}

impl Case {
    fn order(&self) -> (bool, bool, &str) {
        (self.name != "sample", self.status >= 400, &self.name)
    }

    fn title(&self) -> Value {
        let mut e = json!({ "summary": format!("{} ({})", self.name, self.status) });
        if let Some(d) = &self.description {
            e["description"] = d.clone().into();
        }
        e
    }
}

/// Every case, by operation and in publication order.
#[derive(Debug, Default)]
pub struct Examples {
    pub cases: Vec<Case>,
}

impl Examples {
    /// The fixtures compiled into the gateway.
    pub fn compiled() -> &'static Examples {
        static CELL: OnceLock<Examples> = OnceLock::new();
        CELL.get_or_init(|| Examples::from_files(compiled::FIXTURE_FILES.iter().copied()))
    }

    /// The fixtures under `dir` (`<Operation>/<file>`), read as [`Examples::compiled`] is.
    pub fn read_dir(dir: &Path) -> std::io::Result<Examples> {
        let mut files = Vec::new();
        for op in std::fs::read_dir(dir)? {
            let op = op?.path();
            if !op.is_dir() {
                continue;
            }
            let op_name = op
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            for f in std::fs::read_dir(&op)? {
                let f = f?.path();
                if f.is_file() {
                    let name = f
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned();
                    files.push((format!("{op_name}/{name}"), std::fs::read_to_string(&f)?));
                }
            }
        }
        Ok(Examples::from_files(
            files.iter().map(|(n, t)| (n.as_str(), t.as_str())),
        ))
    }

    /// Cases from (`<Operation>/<file name>`, text) pairs; files that are no fixture
    /// (a README) are left out, and a meta that does not read leaves the defaults.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Examples {
        let mut by_case: BTreeMap<(String, String), Case> = BTreeMap::new();
        for (path, text) in files {
            let Some((op, file)) = path.split_once('/') else {
                continue;
            };
            let Some((name, role)) = classify(file) else {
                continue;
            };
            let case = by_case
                .entry((op.to_string(), name.to_string()))
                .or_insert_with(|| Case {
                    operation: op.to_string(),
                    name: name.to_string(),
                    status: 200,
                    method: "POST".into(),
                    ..Case::default()
                });
            match role {
                Role::Request(d) => {
                    case.requests.insert(d, text.to_string());
                }
                Role::Expected(d) => {
                    case.responses.insert(d, text.to_string());
                }
                Role::Meta => read_meta(case, text),
            }
        }
        let mut cases: Vec<Case> = by_case
            .into_values()
            .filter(|c| !c.requests.is_empty())
            .collect();
        cases.sort_by(|a, b| (&a.operation, a.order()).cmp(&(&b.operation, b.order())));
        Examples { cases }
    }

    pub fn of<'a>(&'a self, operation: &'a str) -> impl Iterator<Item = &'a Case> + 'a {
        self.cases.iter().filter(move |c| c.operation == operation)
    }
}

fn read_meta(case: &mut Case, text: &str) {
    let Ok(Value::Object(meta)) = serde_json::from_str::<Value>(text) else {
        return;
    };
    if let Some(s) = meta.get("status").and_then(Value::as_u64) {
        case.status = u16::try_from(s).unwrap_or(200);
    }
    if let Some(s) = meta.get("method").and_then(Value::as_str) {
        case.method = s.to_ascii_uppercase();
    }
    case.path = meta.get("path").and_then(Value::as_str).map(String::from);
    case.description = meta
        .get("description")
        .and_then(Value::as_str)
        .map(String::from);
}

/// Decodes `node` as the generated type of document `root`.
fn decode_root(root: &'static str, node: &Node) -> Option<Box<dyn Encode>> {
    let ty = msg::ROOTS.iter().find(|(r, _, _)| *r == root)?.1;
    let decode = msg::DOCUMENT_TYPES.iter().find(|(t, _)| *t == ty)?.1;
    let mut r = cmp_model::codec::Reader::new(root);
    decode(node, &mut r).filter(|_| r.error_count() == 0)
}

/// `text` (a `from` body of document `root`) in the other REST dialect, when it decodes.
fn convert(root: &'static str, aliases: &[&str], from: Dialect, text: &str) -> Option<String> {
    let node = match from {
        Dialect::Json => json::parse(text, root, aliases, Limits::default()).ok()?,
        Dialect::Xml => xml::parse(text, Limits::default(), false).ok()?,
        Dialect::Soap => return None,
    };
    if node.name != root && !aliases.contains(&node.name.as_str()) {
        return None;
    }
    let model = decode_root(root, &node)?;
    Some(match from {
        Dialect::Json => render::xml(root, model.as_ref()),
        _ => render::json(model.as_ref()),
    })
}

/// The example value of a body: JSON parsed (a body that does not parse stays text).
fn value(d: Dialect, text: &str) -> Value {
    match d {
        Dialect::Json => serde_json::from_str(text).unwrap_or_else(|_| text.into()),
        _ => text.into(),
    }
}

/// The REST bodies of a request or an answer, with the dialect a file is missing for
/// converted from the other: (dialect, text, converted).
fn rest_bodies(
    files: &BTreeMap<Dialect, String>,
    root: &'static str,
    aliases: &[&str],
    convert_missing: bool,
) -> Vec<(Dialect, String, bool)> {
    let mut out = Vec::new();
    for (d, other) in [(Dialect::Json, Dialect::Xml), (Dialect::Xml, Dialect::Json)] {
        if let Some(t) = files.get(&d) {
            out.push((d, t.clone(), false));
        } else if let Some(t) = files.get(&other).filter(|_| convert_missing) {
            if let Some(c) = convert(root, aliases, other, t) {
                out.push((d, c, true));
            }
        }
    }
    out
}

/// `/accounts/10000001/agreements?x=1` against `/accounts/{accountId}/agreements`: the
/// path parameters and the query, or `None` when the path is not the route's.
fn match_route(template: &str, path: &str) -> Option<Vec<(String, String, &'static str)>> {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut out = Vec::new();
    for (t, p) in t.iter().zip(&p) {
        match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            Some(name) => out.push((name.to_string(), p.to_string(), "path")),
            None if t == p => {}
            None => return None,
        }
    }
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        out.push((k.to_string(), v.replace('+', " "), "query"));
    }
    Some(out)
}

/// Adds every case of `examples` to `doc` (the OpenAPI document of `ops`).
pub fn add(doc: &mut Value, ops: &[&Operation], examples: &Examples) {
    let shared = doc["components"]["responses"].clone();
    let schemas = doc["components"]["schemas"].clone();
    for op in ops {
        for case in examples.of(op.name) {
            add_case(doc, &shared, &schemas, op, case);
        }
    }
    // The rules the fault cases show, listed on their operation.
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for o in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(Value::as_object_mut)
    {
        let Some(Value::Array(rules)) = o.remove(RULES) else {
            continue;
        };
        let mut text = o
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        text += "\n\nRefused, as the contract cases show:\n";
        for r in rules.iter().filter_map(Value::as_str) {
            text += &format!("\n- {r}");
        }
        o.insert("description".into(), text.into());
    }
}

/// Where [`add_case`] gathers an operation's fault cases until [`add`] lists them.
const RULES: &str = "x-cmp-rules";

fn add_case(doc: &mut Value, shared: &Value, shared_schemas: &Value, op: &Operation, case: &Case) {
    let document = format!("/ws/{}", op.name);
    let rest = case
        .path
        .as_deref()
        .filter(|p| !p.starts_with("/ws/"))
        .and_then(|p| {
            let r = op.rest.as_ref()?;
            let method = super::method_name(r.method);
            (method == case.method).then_some(())?;
            Some((r.path, method, match_route(r.path, p)?))
        });
    let (path, method, binding, params): (&str, String, &Binding, Vec<_>) = match rest {
        Some((path, method, params)) => (
            path,
            method,
            op.rest_binding().unwrap_or(&op.document),
            params,
        ),
        None => (&document, "POST".into(), &op.document, Vec::new()),
    };
    let Some(o) = doc["paths"]
        .get_mut(path)
        .and_then(|item| item.get_mut(method.to_ascii_lowercase()))
    else {
        return;
    };
    if case.requests.contains_key(&Dialect::Soap) || case.responses.contains_key(&Dialect::Soap) {
        add_soap(o, op, case);
    }
    if let (true, Some(d)) = (case.status >= 400, &case.description) {
        let rule = format!("{}: {d} (example `{}`)", case.status, case.name);
        match o.get_mut(RULES).and_then(Value::as_array_mut) {
            Some(rules) => rules.push(rule.into()),
            None => o[RULES] = json!([rule]),
        }
    }
    let title = case.title();
    // A fault case's request goes with its answer, not among the request examples: a
    // tester (schemathesis) sends every request example as a valid request, and a client
    // reads them as requests that succeed.
    let fault = case.status >= 400;
    let mut fault_requests: BTreeMap<Dialect, Value> = BTreeMap::new();
    // The request: a body, or the parameters of a request without one.
    if let Some(body) = o.get_mut("requestBody") {
        for (d, text, converted) in rest_bodies(
            &case.requests,
            binding.request_root,
            binding.request_aliases,
            true,
        ) {
            if text.trim().is_empty() {
                continue;
            }
            if fault {
                fault_requests.insert(d, value(d, &text));
                continue;
            }
            let mut e = title.clone();
            e["value"] = value(d, &text);
            if converted {
                mark_converted(&mut e, d);
            }
            body["content"][d.media()]["examples"][case.name.as_str()] = e;
        }
    }
    let mut fault_params = serde_json::Map::new();
    if let Some(Value::Array(declared)) = o.get_mut("parameters") {
        for (name, v, place) in &params {
            if let Some(p) = declared
                .iter_mut()
                .find(|p| p["name"] == name.as_str() && p["in"] == *place)
            {
                let v = param_value(shared_schemas, &p["schema"], v);
                if fault {
                    fault_params.insert(name.clone(), v);
                    continue;
                }
                let mut e = title.clone();
                e["value"] = v;
                p["examples"][case.name.as_str()] = e;
            }
        }
    }
    // The answer, under its status.
    let status = case.status.to_string();
    let responses = &mut o["responses"];
    if let Some(r) = responses.get(&status).and_then(|r| r["$ref"].as_str()) {
        let name = r.rsplit('/').next().unwrap_or_default();
        responses[status.as_str()] = shared[name].clone();
    }
    if responses.get(&status).is_none() {
        // A status the operation does not declare: a fault body still has its schema.
        responses[status.as_str()] = if case.status >= 400 {
            json!({
                "description": format!("Status {status}: a fault."),
                "content": {
                    "application/json": { "schema": { "$ref": "#/components/schemas/JsonFault" } },
                    "application/xml": { "schema": { "$ref": "#/components/schemas/CmpFault" } },
                },
            })
        } else {
            json!({ "description": format!("Status {status}.") })
        };
    }
    let answer = &mut responses[status.as_str()];
    for (d, text, converted) in rest_bodies(
        &case.responses,
        binding.response_root,
        &[],
        case.status < 300,
    ) {
        let mut e = title.clone();
        e["value"] = value(d, &text);
        if converted {
            mark_converted(&mut e, d);
        }
        if fault {
            with_request(&mut e, d, &fault_requests, &fault_params, case);
        }
        answer["content"][d.media()]["examples"][case.name.as_str()] = e;
    }
}

/// A fault answer's example carries the request that gets it (`x-cmp-request`: the body
/// in the answer's dialect, else in the other, and the path and query values), also shown
/// in its description for the console.
fn with_request(
    e: &mut Value,
    d: Dialect,
    bodies: &BTreeMap<Dialect, Value>,
    params: &serde_json::Map<String, Value>,
    case: &Case,
) {
    let mut request = serde_json::Map::new();
    let mut text = String::new();
    if let Some((bd, body)) = bodies.get_key_value(&d).or_else(|| bodies.iter().next()) {
        request.insert("mediaType".into(), bd.media().into());
        request.insert("body".into(), body.clone());
        let shown = match body {
            Value::String(s) => s.clone(),
            v => serde_json::to_string_pretty(v).unwrap_or_default(),
        };
        text += &format!("\n\nRequest ({}):\n\n```\n{shown}\n```", bd.media());
    }
    if !params.is_empty() {
        request.insert("parameters".into(), Value::Object(params.clone()));
        text += &format!(
            "\n\nRequest: `{} {}`",
            case.method,
            case.path.as_deref().unwrap_or_default()
        );
    }
    if request.is_empty() {
        return;
    }
    let description = e["description"].as_str().unwrap_or_default().to_string();
    e["description"] = (description + &text).trim_start().to_string().into();
    e["x-cmp-request"] = Value::Object(request);
}

/// An example rendered from the other dialect's file says so.
fn mark_converted(e: &mut Value, d: Dialect) {
    let from = if d == Dialect::Json { "XML" } else { "JSON" };
    let summary = e["summary"].as_str().unwrap_or_default().to_string();
    e["summary"] = format!("{summary}, rendered from the {from} file").into();
    e["x-cmp-converted"] = true.into();
}

/// A parameter's example: a number when its schema is an integer.
fn param_value(schemas: &Value, schema: &Value, v: &str) -> Value {
    let schema = match schema["$ref"].as_str() {
        Some(r) => &schemas[r.rsplit('/').next().unwrap_or_default()],
        None => schema,
    };
    match (schema["type"].as_str(), v.parse::<i64>()) {
        (Some("integer"), Ok(n)) => n.into(),
        _ => v.into(),
    }
}

/// A SOAP case: its envelope and answer under `x-cmp-soap`, the first one in the
/// description too, with the port's address.
fn add_soap(o: &mut Value, op: &Operation, case: &Case) {
    let Some(soap) = &op.soap else {
        return;
    };
    let port = format!("/ws/dise3g/services/{}", port_name(soap.service));
    let first = o.get("x-cmp-soap").is_none();
    if first {
        o["x-cmp-soap"] = json!({ "port": port, "wsdl": format!("{port}?wsdl"), "examples": {} });
    }
    let request = case.requests.get(&Dialect::Soap);
    let response = case.responses.get(&Dialect::Soap);
    let mut e = case.title();
    e["request"] = request.cloned().into();
    e["response"] = response.cloned().into();
    o["x-cmp-soap"]["examples"][case.name.as_str()] = e;
    if let (true, Some(request)) = (first, request) {
        let mut text = format!(
            "\n\n**SOAP**: `POST {port}` (`Content-Type: text/xml`, WSDL at `{port}?wsdl`). \
             Sample envelope (case `{}`):\n\n```xml\n{}\n```",
            case.name,
            request.trim()
        );
        if let Some(r) = response {
            text += &format!("\n\nAnswer ({}):\n\n```xml\n{}\n```", case.status, r.trim());
        }
        let desc = o["description"].as_str().unwrap_or_default().to_string();
        o["description"] = (desc + &text).into();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_with_their_parameters() {
        let m = match_route("/a/{x}/b", "/a/1/b?c=2&d").unwrap();
        assert_eq!(
            m,
            vec![
                ("x".into(), "1".into(), "path"),
                ("c".into(), "2".into(), "query"),
                ("d".into(), "".into(), "query"),
            ]
        );
        assert!(match_route("/a/{x}/b", "/a/1/c").is_none());
    }

    #[test]
    fn the_sample_comes_first_then_successes_then_faults() {
        let e = Examples::from_files([
            ("Op/a-fault.xml", "<x/>"),
            ("Op/a-fault.meta.json", r#"{"status": 400}"#),
            ("Op/b-ok.xml", "<x/>"),
            ("Op/sample.xml", "<x/>"),
            ("Op/README.md", "not a fixture"),
        ]);
        let names: Vec<&str> = e.of("Op").map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["sample", "b-ok", "a-fault"]);
    }

    #[test]
    fn every_compiled_fixture_is_read() {
        let e = Examples::compiled();
        assert!(e
            .of("QueryCompatiblePackages")
            .next()
            .is_some_and(|c| c.name == "sample"));
    }

    /// Adding a case directory's files is the only edit a new example needs.
    #[test]
    fn a_new_fixture_file_adds_an_example() {
        let dir = tempfile::tempdir().unwrap();
        let op = dir.path().join("QueryCompatiblePackages");
        std::fs::create_dir(&op).unwrap();
        let doc = |dir: &Path| {
            let p = super::super::published();
            let ops = super::super::operations(false);
            super::super::openapi::openapi(&p.model, &ops, &Examples::read_dir(dir).unwrap())
        };
        let body = "/paths/~1ws~1QueryCompatiblePackages/post/requestBody/content";
        assert!(doc(dir.path())
            .pointer(&format!("{body}/application~1xml/examples"))
            .is_none());

        let request = "<queryCompatiblePackages><externalReference>new-case</externalReference>\
                       <subscriptionNumber>60272</subscriptionNumber></queryCompatiblePackages>";
        std::fs::write(op.join("brand-new.xml"), request).unwrap();
        std::fs::write(
            op.join("brand-new.meta.json"),
            r#"{"status": 404, "description": "new"}"#,
        )
        .unwrap();
        std::fs::write(
            op.join("brand-new.response.json"),
            r#"{"fault": "validationFault"}"#,
        )
        .unwrap();
        std::fs::write(op.join("brand-new-ok.xml"), request).unwrap();
        std::fs::write(
            op.join("brand-new-ok.meta.json"),
            r#"{"status": 200, "description": "new success"}"#,
        )
        .unwrap();
        let d = doc(dir.path());
        let xml = d
            .pointer(&format!("{body}/application~1xml/examples/brand-new-ok"))
            .unwrap();
        assert_eq!(xml["value"], request);
        assert_eq!(xml["description"], "new success");
        // The JSON request is the XML one decoded and rendered again.
        let json = d
            .pointer(&format!(
                "{body}/application~1json/examples/brand-new-ok/value"
            ))
            .unwrap();
        assert_eq!(json["externalReference"], "new-case");
        // A fault case's request is not a request example: it goes with its answer, under
        // its status (the shared response inlined to carry it).
        assert!(d
            .pointer(&format!("{body}/application~1xml/examples/brand-new"))
            .is_none());
        let answer = "/paths/~1ws~1QueryCompatiblePackages/post/responses/404";
        let fault = d
            .pointer(&format!(
                "{answer}/content/application~1json/examples/brand-new"
            ))
            .unwrap();
        assert_eq!(fault["value"]["fault"], "validationFault");
        // With the request in the answer's dialect (here rendered from the XML file).
        assert_eq!(fault["x-cmp-request"]["mediaType"], "application/json");
        assert_eq!(
            fault["x-cmp-request"]["body"]["externalReference"],
            "new-case"
        );
        assert!(
            fault["description"].as_str().unwrap().contains("new-case"),
            "{fault}"
        );
        assert!(d
            .pointer(&format!("{answer}/content/application~1json/schema"))
            .is_some());
        // The rule the fault case shows is listed on the operation.
        let text = d["paths"]["/ws/QueryCompatiblePackages"]["post"]["description"]
            .as_str()
            .unwrap();
        assert!(text.contains("- 404: new (example `brand-new`)"), "{text}");
    }

    #[test]
    fn soap_cases_show_their_envelope_and_port() {
        let p = super::super::published();
        let doc: Value = serde_json::from_str(&p.openapi[0]).unwrap();
        let o = &doc["paths"]["/ws/CreateAgreement"]["post"];
        assert_eq!(o["x-cmp-soap"]["port"], "/ws/dise3g/services/AgreementPort");
        assert!(
            o["description"]
                .as_str()
                .unwrap()
                .contains("soapenv:Envelope")
                || o["description"].as_str().unwrap().contains("Envelope")
        );
    }
}
