//! The CMP gateway: actix-web routes for REST XML, REST JSON and SOAP over one model,
//! built from the operation registry ([`registry::OPERATIONS`]).

// A Fault is large, but it is only ever the error path: boxing it would cost every
// operation an allocation for nothing on success.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod charset;
pub mod cli;
pub mod console;
pub mod dispatch;
pub mod health;
pub mod load;
pub mod metrics;
pub mod negotiate;
pub mod publish;
pub mod registry;
pub mod respond;
pub mod sandbox;
pub mod scheduler;
pub mod screening;
pub mod synthetic;

use std::sync::Arc;

use actix_web::{guard, web};
use cmp_core::Clock;
use cmp_model::Limits;
use cmp_store::Store;

use registry::{Method, OPERATIONS};

/// Default `--max-uri`: the longest request target (path and query) in bytes.
pub const DEFAULT_MAX_URI: usize = 8 * 1024;
/// Default `--max-header-bytes`: the largest header block in bytes.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 32 * 1024;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub limits: Limits,
    /// Largest accepted body, in bytes (1 MiB by default).
    pub max_body: usize,
    /// Longest an operation may take before the client gets a 503 (30 s by default).
    pub request_timeout: std::time::Duration,
    /// Longest the body of a request may take to arrive before the client gets a 408 and
    /// the connection closes (30 s by default). The request head has its own limit, set on
    /// the server (`serve --header-timeout`).
    pub body_timeout: std::time::Duration,
    /// Longest request target (path and query) in bytes: 414 beyond (8 KiB by default).
    pub max_uri: usize,
    /// Largest header block in bytes: 431 beyond (32 KiB by default).
    pub max_header_bytes: usize,
    /// Serve the sandbox routes (test clock, reset).
    pub sandbox: bool,
    pub metrics: Arc<metrics::Metrics>,
    /// The product catalogue snapshot every request reads.
    pub catalogue: Arc<cmp_core::catalogue::CatalogueCache>,
}

impl AppState {
    /// A context for work outside a request (fixtures, the scheduler), sharing the
    /// catalogue snapshot.
    pub fn context(&self, request_id: &str) -> cmp_core::Context {
        cmp_core::Context {
            catalogue: self.catalogue.clone(),
            ..cmp_core::Context::new(self.store.clone(), self.clock.clone(), request_id)
        }
    }

    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        AppState {
            store,
            clock,
            limits: Limits::default(),
            max_body: 1024 * 1024,
            request_timeout: std::time::Duration::from_secs(30),
            body_timeout: std::time::Duration::from_secs(30),
            max_uri: DEFAULT_MAX_URI,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            sandbox: false,
            metrics: Arc::default(),
            catalogue: Arc::default(),
        }
    }
}

/// A GET route that answers HEAD too (the same answer; the server sends no body).
pub fn get_or_head() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// Registers every route on an actix `App` (the server and the tests build the same one).
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let sandbox = state.sandbox;
        let (max_uri, max_header_bytes) = (state.max_uri, state.max_header_bytes);
        // First: any request whose head breaks a limit, on any path, gets its fault here.
        let oversized = guard::fn_guard(move |ctx| {
            dispatch::head_limit(ctx.head(), max_uri, max_header_bytes).is_some()
        });
        cfg.app_data(web::Data::new(state))
            // A scope with an empty prefix matches every path without a pattern (a
            // `/{any:.*}` resource ran its regex on every request).
            .service(
                web::scope("")
                    .guard(oversized)
                    .default_service(web::to(dispatch::oversized)),
            )
            .route("/health/live", get_or_head().to(health::live))
            .route("/health/ready", get_or_head().to(health::ready))
            .route("/metrics", get_or_head().to(metrics::metrics))
            .configure(publish::routes)
            .configure(console::routes(sandbox))
            .service(
                web::resource("/ws/dise3g/services/{port}")
                    .route(web::post().to(dispatch::soap))
                    .default_service(web::to(dispatch::method_not_allowed("POST".into()))),
            )
            // The 7.3.8 group and corporate WSDLs name /axis/services/{Svc}Port.
            .service(
                web::resource("/axis/services/{port}")
                    .route(web::post().to(dispatch::soap))
                    .default_service(web::to(dispatch::method_not_allowed("POST".into()))),
            )
            .service(
                web::resource("/ws/{operation}")
                    .route(web::post().to(dispatch::document))
                    .default_service(web::to(dispatch::method_not_allowed("POST".into()))),
            );
        // REST routes, grouped by path so that a path with several methods is one resource.
        let sandbox_ops: &'static [registry::Operation] = if sandbox {
            registry::SANDBOX_OPERATIONS
        } else {
            &[]
        };
        let ops = || OPERATIONS.iter().chain(sandbox_ops);
        let mut paths: Vec<&'static str> = ops()
            .filter_map(|op| op.rest.as_ref().map(|r| r.path))
            .collect();
        paths.sort();
        paths.dedup();
        for path in paths {
            let on_path = || ops().filter(|op| op.rest.as_ref().is_some_and(|r| r.path == path));
            let mut allow: Vec<String> = on_path()
                .filter_map(|op| op.rest.as_ref().map(|r| publish::method_name(r.method)))
                .collect();
            if allow.iter().any(|m| m == "GET") {
                allow.push("HEAD".into());
            }
            let mut res = web::resource(path)
                .default_service(web::to(dispatch::method_not_allowed(allow.join(", "))));
            for op in on_path() {
                let method = match op.rest.as_ref().map(|r| r.method) {
                    Some(Method::Get) => get_or_head(),
                    Some(Method::Post) => web::post(),
                    Some(Method::Put) => web::put(),
                    Some(Method::Patch) => web::patch(),
                    Some(Method::Delete) => web::delete(),
                    None => continue,
                };
                res = res.route(
                    method.to(move |req, payload, state| dispatch::rest(op, req, payload, state)),
                );
            }
            cfg.service(res);
        }
        cfg.default_service(web::to(dispatch::not_found));
    }
}
