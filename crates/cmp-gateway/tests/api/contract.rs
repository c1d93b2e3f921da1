//! Contract fixtures: every request file under `fixtures/requests/<Operation>/` is sent to
//! an app on a freshly loaded demo database and its answer is compared with the expected
//! file next to it (layout: `fixtures/requests/README.md`). Every mismatch of every case
//! is collected and reported in one failure at the end.
//!
//! Comparison rules:
//! - XML and SOAP answers (`<case>.response.xml`, `<case>.response.soap.xml`): both sides
//!   are trimmed and every whitespace-only run between `>` and `<` is removed, then the
//!   strings must be equal. Expected files may be pretty-printed; everything else (the XML
//!   declaration, prefixes, namespaces, element text) must match exactly.
//! - JSON answers (`<case>.response.json`): equal as parsed JSON values.
//! - Always: the status (meta `status`, default 200); the answer's Content-Type belongs to
//!   the expected file's dialect; every REST answer carries `Vary: Accept` (WIRE.md §2);
//!   each meta `responseHeaders` entry equals the answer's header.
//! - Round trip, for 2xx REST answers: the answer decoded into its generated type and
//!   rendered in the other dialect, read back and rendered again, gives the answer again;
//!   and when a case has both an XML and a JSON request, both answers hold the same model.
//!
//! `CMP_CONTRACT_WRITE=1` writes expected files that are missing (never overwrites) from
//! the actual answers; the run still fails so that every new file gets reviewed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use actix_web::http::Method;
use cmp_gateway::registry::{self, Operation};
use cmp_model::fault::pascal;
use cmp_model::messages as m;
use cmp_model::{json, render, xml, Encode, Limits, Node};
use serde_json::Value;

use crate::helpers::*;

const FIXTURES: &str = "fixtures/requests";
const WRITE_ENV: &str = "CMP_CONTRACT_WRITE";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Dialect {
    Xml,
    Json,
    Soap,
}

impl Dialect {
    fn request_suffix(self) -> &'static str {
        match self {
            Dialect::Xml => ".xml",
            Dialect::Json => ".json",
            Dialect::Soap => ".soap.xml",
        }
    }

    fn response_suffix(self) -> &'static str {
        match self {
            Dialect::Xml => ".response.xml",
            Dialect::Json => ".response.json",
            Dialect::Soap => ".response.soap.xml",
        }
    }

    /// The Content-Type a request file is sent with.
    fn content_type(self) -> &'static str {
        match self {
            Dialect::Xml => "application/xml",
            Dialect::Json => "application/json",
            Dialect::Soap => "text/xml; charset=utf-8",
        }
    }

    /// The Accept of a request without a body (a GET): the file's dialect names the answer
    /// wanted, since there is no request format to fall back on.
    fn accept(self) -> &'static str {
        match self {
            Dialect::Xml => "application/xml",
            Dialect::Json => "application/json",
            Dialect::Soap => "text/xml",
        }
    }

    /// Whether an answer with this Content-Type is in this dialect.
    fn answers_with(self, content_type: &str) -> bool {
        let accepted: &[&str] = match self {
            Dialect::Xml => &["application/xml", "text/xml"],
            Dialect::Json => &["application/json"],
            Dialect::Soap => &["text/xml", "application/soap+xml"],
        };
        accepted.iter().any(|t| content_type.starts_with(t))
    }

    /// The REST dialect of an answer.
    fn of_answer(content_type: &str) -> Dialect {
        if content_type.starts_with("application/json") {
            Dialect::Json
        } else {
            Dialect::Xml
        }
    }
}

/// What a file in an operation's directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Request(Dialect),
    Expected(Dialect),
    Meta,
}

/// `name` and role of a fixture file. Longer suffixes first: `x.soap.xml` is the SOAP
/// request of case `x`, not the XML request of case `x.soap`; case names have no dot.
fn classify(file: &str) -> Option<(&str, Role)> {
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

/// `<case>.meta.json`: shared by every request file of the case.
struct Meta {
    status: u16,
    method: Method,
    path: Option<String>,
    /// Added to (or replacing) the default headers; `None` (JSON null) removes one.
    headers: Vec<(String, Option<String>)>,
    response_headers: Vec<(String, String)>,
}

impl Default for Meta {
    fn default() -> Self {
        Meta {
            status: 200,
            method: Method::POST,
            path: None,
            headers: Vec::new(),
            response_headers: Vec::new(),
        }
    }
}

fn read_meta(path: &Path) -> Result<Meta, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let obj = value.as_object().ok_or("not a JSON object")?;
    let mut meta = Meta::default();
    for (key, v) in obj {
        let bad = || format!("bad value for {key}: {v}");
        match key.as_str() {
            "status" => meta.status = v.as_u64().and_then(|s| s.try_into().ok()).ok_or_else(bad)?,
            "method" => {
                let s = v.as_str().ok_or_else(bad)?;
                meta.method = Method::from_bytes(s.as_bytes()).map_err(|_| bad())?;
            }
            "path" => meta.path = Some(v.as_str().ok_or_else(bad)?.to_string()),
            "headers" => {
                for (name, value) in v.as_object().ok_or_else(bad)? {
                    let value = match value {
                        Value::Null => None,
                        Value::String(s) => Some(s.clone()),
                        _ => return Err(bad()),
                    };
                    meta.headers.push((name.to_ascii_lowercase(), value));
                }
            }
            "responseHeaders" => {
                for (name, value) in v.as_object().ok_or_else(bad)? {
                    let value = value.as_str().ok_or_else(bad)?.to_string();
                    meta.response_headers
                        .push((name.to_ascii_lowercase(), value));
                }
            }
            "description" => {}
            // A misspelt key would silently test less.
            _ => return Err(format!("unknown key {key}")),
        }
    }
    Ok(meta)
}

struct Case {
    operation: &'static Operation,
    dir: PathBuf,
    name: String,
    requests: Vec<Dialect>,
    expected: Vec<Dialect>,
    meta: Meta,
}

impl Case {
    fn file(&self, suffix: &str) -> PathBuf {
        self.dir.join(format!("{}{}", self.name, suffix))
    }

    fn label(&self, d: Dialect) -> String {
        format!(
            "{}/{}{}",
            self.operation.name,
            self.name,
            d.request_suffix()
        )
    }

    /// The expected file of a request: the one in its own dialect, else (a REST request
    /// answered in the other REST dialect, by Accept) the other REST one, unless a
    /// request of that other dialect owns it.
    fn expected_for(&self, d: Dialect) -> Option<Dialect> {
        if self.expected.contains(&d) {
            return Some(d);
        }
        let other = match d {
            Dialect::Xml => Dialect::Json,
            Dialect::Json => Dialect::Xml,
            Dialect::Soap => return None,
        };
        (self.expected.contains(&other) && !self.requests.contains(&other)).then_some(other)
    }

    fn url(&self, d: Dialect) -> Result<String, String> {
        if let Some(p) = &self.meta.path {
            return Ok(p.clone());
        }
        match (d, &self.operation.soap) {
            (Dialect::Soap, Some(s)) => {
                Ok(format!("/ws/dise3g/services/{}Port", pascal(s.service)))
            }
            (Dialect::Soap, None) => Err(format!("{} has no SOAP binding", self.operation.name)),
            _ => Ok(format!("/ws/{}", self.operation.name)),
        }
    }

    /// The response root: a resource route may have its own messages (GET /agreements/{n}).
    fn response_root(&self) -> &'static str {
        let resource_route = self
            .meta
            .path
            .as_deref()
            .is_some_and(|p| !p.starts_with("/ws/"));
        let binding = resource_route
            .then(|| self.operation.rest_binding())
            .flatten();
        binding.unwrap_or(&self.operation.document).response_root
    }
}

/// Every case under [`FIXTURES`]; anything that is not a well-formed case is a problem.
fn discover(problems: &mut Vec<String>) -> Vec<Case> {
    let mut cases = Vec::new();
    for dir in sorted_entries(&repo_path(FIXTURES))
        .into_iter()
        .filter(|p| p.is_dir())
    {
        let dir_name = file_name(&dir);
        let Some(operation) = registry::OPERATIONS.iter().find(|op| op.name == dir_name) else {
            problems.push(format!("{dir_name}: not an operation of the registry"));
            continue;
        };
        let mut files: BTreeMap<String, Vec<Role>> = BTreeMap::new();
        for f in sorted_entries(&dir) {
            match classify(&file_name(&f)) {
                Some((name, role)) => files.entry(name.to_string()).or_default().push(role),
                None => problems.push(format!(
                    "{dir_name}/{}: not a fixture file name",
                    file_name(&f)
                )),
            }
        }
        for (name, roles) in files {
            cases.push(Case::new(operation, &dir, name, &roles, problems));
        }
    }
    cases
}

impl Case {
    /// The case `name` of an operation's directory, from the roles of its files.
    fn new(
        operation: &'static Operation,
        dir: &Path,
        name: String,
        roles: &[Role],
        problems: &mut Vec<String>,
    ) -> Case {
        let mut case = Case {
            operation,
            dir: dir.to_path_buf(),
            name,
            requests: roles
                .iter()
                .filter_map(|r| match r {
                    Role::Request(d) => Some(*d),
                    _ => None,
                })
                .collect(),
            expected: roles
                .iter()
                .filter_map(|r| match r {
                    Role::Expected(d) => Some(*d),
                    _ => None,
                })
                .collect(),
            meta: Meta::default(),
        };
        let at = format!("{}/{}", operation.name, case.name);
        if roles.contains(&Role::Meta) {
            match read_meta(&case.file(".meta.json")) {
                Ok(meta) => case.meta = meta,
                Err(e) => problems.push(format!("{at}.meta.json: {e}")),
            }
        }
        if case.requests.is_empty() {
            problems.push(format!("{at}: no request file"));
        }
        let used: Vec<Dialect> = case
            .requests
            .iter()
            .filter_map(|d| case.expected_for(*d))
            .collect();
        for d in case.expected.iter().filter(|d| !used.contains(d)) {
            problems.push(format!("{at}{}: no request uses it", d.response_suffix()));
        }
        case
    }
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    v.sort();
    v
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// Sends one request file to a fresh demo app.
async fn send(case: &Case, d: Dialect) -> Result<Resp, String> {
    let path = case.file(d.request_suffix());
    let body = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    // An empty request file is a request without a body: no Content-Type to send.
    let mut headers: Vec<(String, Option<String>)> = if body.trim().is_empty() {
        vec![("accept".into(), Some(d.accept().into()))]
    } else {
        vec![("content-type".into(), Some(d.content_type().into()))]
    };
    for (name, value) in &case.meta.headers {
        headers.retain(|(n, _)| n != name);
        headers.push((name.clone(), value.clone()));
    }
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .filter_map(|(n, v)| v.as_deref().map(|v| (n.as_str(), v)))
        .collect();
    let url = case.url(d)?;
    let app = spawn_demo();
    let body = if body.trim().is_empty() { "" } else { &body };
    Ok(app
        .request(case.meta.method.clone(), &url, &headers, body)
        .await)
}

/// Trimmed, with every whitespace-only run between `>` and `<` removed.
fn normalise_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s.trim();
    while let Some(i) = rest.find('>') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let blank = rest.len() - rest.trim_start().len();
        if rest[blank..].starts_with('<') {
            rest = &rest[blank..];
        }
    }
    out.push_str(rest);
    out
}

/// Whether two bodies in dialect `d` are the same answer (the rules at the top).
fn same_body(d: Dialect, expected: &str, actual: &str) -> bool {
    match d {
        Dialect::Json => match (
            serde_json::from_str::<Value>(expected),
            serde_json::from_str::<Value>(actual),
        ) {
            (Ok(e), Ok(a)) => e == a,
            _ => false,
        },
        _ => normalise_xml(expected) == normalise_xml(actual),
    }
}

/// Decodes `node` as the generated type of document `root`, whatever the type: from the
/// generated tables (`messages::ROOTS` names each root's type, `DOCUMENT_TYPES` decodes
/// it), so a new response needs no line here.
fn decode_root(root: &'static str, node: &Node) -> Result<Box<dyn Encode>, String> {
    let ty = m::ROOTS
        .iter()
        .find(|(r, _, _)| *r == root)
        .map(|(_, ty, _)| *ty)
        .ok_or_else(|| format!("{root} is no document root of the schemas"))?;
    let decode = m::DOCUMENT_TYPES
        .iter()
        .find(|(t, _)| *t == ty)
        .map(|(_, f)| *f)
        .ok_or_else(|| format!("no decoder for {ty}"))?;
    let mut r = cmp_model::codec::Reader::new(root);
    match decode(node, &mut r) {
        Some(v) if r.error_count() == 0 => Ok(v),
        _ => Err(format!("does not decode ({} errors)", r.error_count())),
    }
}

/// A REST answer read back into its model and rendered in both dialects: (XML, JSON).
fn reread(d: Dialect, root: &'static str, body: &str) -> Result<(String, String), String> {
    let node = match d {
        Dialect::Json => json::parse(body, root, &[], Limits::default()),
        _ => xml::parse(body, Limits::default(), false),
    }
    .map_err(|e| format!("{d:?} does not parse back: {}", e.message))?;
    if node.name != root {
        return Err(format!(
            "the root is {}, the operation answers {root}",
            node.name
        ));
    }
    let model = decode_root(root, &node)?;
    Ok((
        render::xml(root, model.as_ref()),
        render::json(model.as_ref()),
    ))
}

/// The round trip of a 2xx REST answer (rules at the top); returns its two renderings.
fn round_trip(answer: Dialect, root: &'static str, body: &str) -> Result<(String, String), String> {
    let (x, j) = reread(answer, root, body)?;
    let (own, other_dialect, other) = match answer {
        Dialect::Json => (&j, Dialect::Xml, &x),
        _ => (&x, Dialect::Json, &j),
    };
    if !same_body(answer, own, body) {
        return Err(format!("re-rendered as {answer:?} it differs:\n    {own}"));
    }
    let again = reread(other_dialect, root, other)?;
    if again != (x.clone(), j.clone()) {
        return Err(format!(
            "rendered as {other_dialect:?} and read back it differs:\n    {other}\n    {again:?}"
        ));
    }
    Ok((x, j))
}

/// Writes a missing expected file from the actual answer (CMP_CONTRACT_WRITE).
fn write_expected(case: &Case, d: Dialect, resp: &Resp) -> String {
    let dialect = match d {
        Dialect::Soap => Dialect::Soap,
        _ => Dialect::of_answer(resp.content_type()),
    };
    let text = match serde_json::from_str::<Value>(&resp.body) {
        Ok(v) if dialect == Dialect::Json => serde_json::to_string_pretty(&v).unwrap_or_default(),
        _ => resp.body.clone(),
    };
    let path = case.file(dialect.response_suffix());
    let shown = format!("{FIXTURES}/{}/{}", case.operation.name, file_name(&path));
    match std::fs::write(&path, text + "\n") {
        Ok(()) => format!("wrote {shown}: review it against the spec"),
        Err(e) => format!("could not write {shown}: {e}"),
    }
}

/// Every mismatch of one answer, in words.
fn check(case: &Case, d: Dialect, resp: &Resp) -> Vec<String> {
    let mut out = Vec::new();
    if resp.status != case.meta.status {
        out.push(format!(
            "status: expected {}, got {}",
            case.meta.status, resp.status
        ));
    }
    let ct = resp.content_type();
    match case.expected_for(d) {
        Some(e) => {
            if !e.answers_with(ct) {
                out.push(format!("Content-Type {ct:?} is not {e:?}"));
            }
            let path = case.file(e.response_suffix());
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            if !same_body(e, &expected, &resp.body) {
                out.push(format!(
                    "body ({}):\n    expected: {}\n    actual:   {}",
                    file_name(&path),
                    compact(e, &expected),
                    resp.body
                ));
            }
        }
        None if std::env::var_os(WRITE_ENV).is_some() => out.push(write_expected(case, d, resp)),
        None => out.push(format!(
            "no expected file (actual: {} {})",
            resp.status, resp.body
        )),
    }
    if d != Dialect::Soap && resp.header("vary") != Some("Accept") {
        out.push(format!(
            "Vary: expected Accept, got {:?}",
            resp.header("vary")
        ));
    }
    for (name, want) in &case.meta.response_headers {
        if resp.header(name) != Some(want.as_str()) {
            out.push(format!(
                "header {name}: expected {want:?}, got {:?}",
                resp.header(name)
            ));
        }
    }
    out
}

/// An expected body on one line, for the report.
fn compact(d: Dialect, s: &str) -> String {
    match (d, serde_json::from_str::<Value>(s)) {
        (Dialect::Json, Ok(v)) => v.to_string(),
        _ => normalise_xml(s),
    }
}

/// Runs every request of a case; returns one report entry per failing request.
async fn run_case(case: &Case) -> Vec<String> {
    let mut failures = Vec::new();
    // The model each successful REST request answered, to compare XML with JSON.
    let mut models: Vec<(Dialect, (String, String))> = Vec::new();
    for &d in &case.requests {
        let resp = match send(case, d).await {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: {e}", case.label(d)));
                continue;
            }
        };
        let mut problems = check(case, d, &resp);
        if d != Dialect::Soap && (200..300).contains(&resp.status) {
            let answer = Dialect::of_answer(resp.content_type());
            match round_trip(answer, case.response_root(), &resp.body) {
                Ok(model) => models.push((d, model)),
                Err(e) => problems.push(format!("round trip: {e}")),
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}", case.label(d), problems.join("\n  ")));
        }
    }
    if let [(d1, a), (d2, b)] = models.as_slice() {
        if a != b {
            failures.push(format!(
                "{}/{}: the {d1:?} and {d2:?} requests answered different models \
                 (the variants of one case must ask the same thing):\n    {a:?}\n    {b:?}",
                case.operation.name, case.name
            ));
        }
    }
    failures
}

#[actix_web::test]
async fn every_fixture_request_gets_its_expected_answer() {
    let mut failures = Vec::new();
    let cases = discover(&mut failures);
    let requests: usize = cases.iter().map(|c| c.requests.len()).sum();
    // Guard: a moved or empty directory must not pass by testing nothing.
    assert!(requests > 0, "no contract cases under {FIXTURES}");
    for case in &cases {
        failures.extend(run_case(case).await);
    }
    eprintln!("contract: {requests} requests in {} cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} contract failure(s) out of {requests} requests:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
