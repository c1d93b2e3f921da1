//! The contract fixture requests (`fixtures/requests/<Operation>/<case>.{xml,json,soap.xml}`
//! with their `.meta.json`) as [`Request`]s, sent the way the contract runner sends them.

use std::path::{Path, PathBuf};

use cmp_gateway::registry;
use cmp_model::fault::pascal;
use serde_json::Value;

use crate::input::{Dialect, Request};

/// One request file of a contract case.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub operation: &'static str,
    pub case: String,
    /// The file's dialect (`.xml`, `.json`, `.soap.xml`), not necessarily the answer's.
    pub file_dialect: Dialect,
    pub request: Request,
}

impl Fixture {
    pub fn label(&self) -> String {
        let ext = match self.file_dialect {
            Dialect::Xml => "xml",
            Dialect::Json => "json",
            Dialect::Soap => "soap.xml",
        };
        format!("{}/{}.{ext}", self.operation, self.case)
    }
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Every request file under `fixtures/requests`, in a fixed order.
pub fn load() -> Vec<Fixture> {
    let mut out = Vec::new();
    for dir in sorted(&repo_root().join("fixtures/requests")) {
        let Some(op) = dir
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| registry::OPERATIONS.iter().find(|o| o.name == n))
        else {
            continue;
        };
        for f in sorted(&dir) {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if name.contains(".response.") || name.ends_with(".meta.json") {
                continue;
            }
            let (case, d) = if let Some(c) = name.strip_suffix(".soap.xml") {
                (c, Dialect::Soap)
            } else if let Some(c) = name.strip_suffix(".xml") {
                (c, Dialect::Xml)
            } else if let Some(c) = name.strip_suffix(".json") {
                (c, Dialect::Json)
            } else {
                continue;
            };
            if case.contains('.') {
                continue;
            }
            let body = std::fs::read(&f).unwrap_or_default();
            let meta = dir.join(format!("{case}.meta.json"));
            let meta: Value = std::fs::read_to_string(meta)
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or(Value::Null);
            out.push(Fixture {
                operation: op.name,
                case: case.to_string(),
                file_dialect: d,
                request: request(op, d, &meta, body),
            });
        }
    }
    out
}

/// The request as `contract.rs` sends it.
fn request(op: &registry::Operation, d: Dialect, meta: &Value, body: Vec<u8>) -> Request {
    let empty = body.iter().all(u8::is_ascii_whitespace);
    let mut headers: Vec<(String, String)> = if empty {
        let accept = match d {
            Dialect::Xml => "application/xml",
            Dialect::Json => "application/json",
            Dialect::Soap => "text/xml",
        };
        vec![("accept".into(), accept.into())]
    } else {
        let ct = match d {
            Dialect::Xml => "application/xml",
            Dialect::Json => "application/json",
            Dialect::Soap => "text/xml; charset=utf-8",
        };
        vec![("content-type".into(), ct.into())]
    };
    if let Some(h) = meta.get("headers").and_then(Value::as_object) {
        for (n, v) in h {
            let n = n.to_ascii_lowercase();
            headers.retain(|(k, _)| *k != n);
            if let Some(v) = v.as_str() {
                headers.push((n, v.to_string()));
            }
        }
    }
    let method = meta
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("POST")
        .to_string();
    let path = match (meta.get("path").and_then(Value::as_str), d, &op.soap) {
        (Some(p), _, _) => p.to_string(),
        (None, Dialect::Soap, Some(s)) => format!("/ws/dise3g/services/{}Port", pascal(s.service)),
        _ => format!("/ws/{}", op.name),
    };
    let body = if empty { Vec::new() } else { body };
    Request {
        dialect: Request::expected_dialect(&method, &path, &headers, &body),
        method,
        path,
        headers,
        body,
    }
}
