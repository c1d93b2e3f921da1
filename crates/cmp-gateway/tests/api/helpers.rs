//! `spawn_app()` builds the same `App` as `serve`, on a fresh database guarded by
//! `TestDb`, with a clock that stands still at [`NOW`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::http::Method;
use actix_web::{test, App};
use chrono::{DateTime, TimeZone, Utc};
use cmp_core::{Context, FixedClock};
use cmp_gateway::{configure, load, AppState};
use cmp_store::TestDb;

/// The tests' "now": 2026-11-22T10:00:00Z.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const AGREEMENT_PORT: &str = "/ws/dise3g/services/AgreementPort";

pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

pub struct TestApp {
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    // Dropped last: the store's pool must close before the database goes.
    _db: Arc<TestDb>,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// Asserts a 2xx answer and returns self.
    pub fn good(self) -> Self {
        assert!(
            (200..300).contains(&self.status),
            "expected success, got {}: {}",
            self.status,
            self.body
        );
        self
    }
    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }
}

/// An app on an empty (migrated) database.
pub fn spawn_app() -> TestApp {
    let db = TestDb::new();
    let clock = Arc::new(FixedClock::new(now()));
    let state = AppState::new(db.store(), clock.clone());
    TestApp {
        state,
        clock,
        _db: Arc::new(db),
    }
}

/// The demo's customer structure (accounts, agreements) without its catalogue, for tests
/// that bring their own fixed catalogue.
pub fn spawn_structure() -> TestApp {
    let app = spawn_app();
    for f in [
        "fixtures/demo/00-reference.json",
        "fixtures/demo/10-structure.json",
    ] {
        load::load_path(&app.context(), &repo_path(f)).expect("structure loads");
    }
    app
}

/// The small fixed catalogue of exact-answer tests (fixtures/test/catalogue-small.json).
pub fn small_catalogue() -> String {
    std::fs::read_to_string(repo_path("fixtures/test/catalogue-small.json")).unwrap()
}

/// An app on a freshly loaded demo database (fixtures/demo).
pub fn spawn_demo() -> TestApp {
    let app = spawn_app();
    load::load_path(&app.context(), &repo_path("fixtures/demo")).expect("demo data loads");
    app
}

impl TestApp {
    /// Another gateway process on the same database: its own state (catalogue snapshot,
    /// metrics), the same store and clock.
    pub fn second_gateway(&self) -> TestApp {
        TestApp {
            state: AppState::new(self.state.store.clone(), self.clock.clone()),
            clock: self.clock.clone(),
            _db: self._db.clone(),
        }
    }

    pub fn context(&self) -> Context {
        self.state.context("test")
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Resp {
        self.request_bytes(method, path, headers, body.as_bytes().to_vec())
            .await
    }

    pub async fn request_bytes(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Resp {
        let app = test::init_service(App::new().configure(configure(self.state.clone()))).await;
        let mut req = test::TestRequest::default().method(method).uri(path);
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let resp = test::call_service(&app, req.set_payload(body).to_request()).await;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = test::read_body(resp).await;
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn post_xml(&self, path: &str, body: &str) -> Resp {
        self.request(
            Method::POST,
            path,
            &[("content-type", "application/xml")],
            body,
        )
        .await
    }
    pub async fn post_json(&self, path: &str, body: &str) -> Resp {
        self.request(
            Method::POST,
            path,
            &[("content-type", "application/json")],
            body,
        )
        .await
    }
    /// A SOAP 1.1 envelope to a port.
    pub async fn post_soap(&self, path: &str, envelope: &str) -> Resp {
        self.request(
            Method::POST,
            path,
            &[("content-type", "text/xml; charset=utf-8")],
            envelope,
        )
        .await
    }
    pub async fn get(&self, path: &str, accept: &str) -> Resp {
        self.request(Method::GET, path, &[("accept", accept)], "")
            .await
    }
}

/// A SOAP 1.1 envelope around `<def:{op}><def:{child}>{inner}</def:{child}></def:{op}>`.
pub fn soap_envelope(service: &str, op: &str, child: &str, inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap-env:Envelope xmlns:soap-env="{SOAP11}"><soap-env:Body><ns0:{op} xmlns:ns0="http://mdsuk.com/ws/dise3g/{service}/definition"><ns0:{child}>{inner}</ns0:{child}></ns0:{op}></soap-env:Body></soap-env:Envelope>"#
    )
}

/// The text of the first element named `name` (any prefix) in an XML answer.
pub fn xml_text<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("{name}>");
    let start = xml
        .find(&format!("<{open}"))
        .or_else(|| xml.find(&format!(":{open}")))?
        + open.len()
        + 1;
    let end = xml[start..].find("</")? + start;
    Some(&xml[start..end])
}

/// Every text of elements named `name`.
pub fn xml_texts<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    xml.match_indices(&open)
        .filter_map(|(i, _)| {
            let s = i + open.len();
            xml[s..].find(&close).map(|e| &xml[s..s + e])
        })
        .collect()
}

/// GetSubscription's `subscription`, in JSON (asserts success).
pub async fn subscription(app: &TestApp, n: i64) -> serde_json::Value {
    app.get(&format!("/subscriptions/{n}"), "application/json")
        .await
        .good()
        .json()["subscription"]
        .clone()
}
