//! The whole gateway in process: the same actix `App` as `serve` (like the API tests'
//! `spawn_app`), on a fresh `TestDb` (`CMP_TEST_DATABASE_URL` selects PostgreSQL) with
//! the demo data, the clock standing still at 2026-11-22T10:00:00Z.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Service;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, Uri};
use actix_web::{test, App};
use chrono::{TimeZone, Utc};
use cmp_core::FixedClock;
use cmp_gateway::{configure, load, AppState};
use cmp_store::TestDb;

use crate::input::Request;
use crate::oracle::{Answer, Finding};

type Pending = Pin<Box<dyn Future<Output = Result<Answer, Finding>>>>;
type SendFn = Box<dyn Fn(&Request, Duration) -> Option<Pending>>;

pub struct AppHarness {
    runner: actix_web::rt::SystemRunner,
    send: SendFn,
    pub state: AppState,
    // Dropped last: the store's pool must close before the database goes.
    _db: Arc<TestDb>,
}

impl AppHarness {
    /// A gateway on a fresh database loaded with `fixtures/demo`.
    pub fn demo() -> AppHarness {
        let db = TestDb::new();
        let clock = Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
        ));
        let state = AppState::new(db.store(), clock);
        load::load_path(
            &state.context("fuzz"),
            &crate::fixtures::repo_root().join("fixtures/demo"),
        )
        .expect("the demo data loads");
        let runner = actix_web::rt::System::new();
        let app_state = state.clone();
        let send = runner.block_on(async move {
            let svc = Rc::new(test::init_service(App::new().configure(configure(app_state))).await);
            let send: SendFn = Box::new(move |req: &Request, limit: Duration| {
                let svc = svc.clone();
                let built = build(req)?;
                Some(Box::pin(async move {
                    let call = async {
                        let resp = svc
                            .call(built.to_request())
                            .await
                            .map_err(|e| Finding::new("service-error", e.to_string()))?;
                        let status = resp.status().as_u16();
                        let content_type = resp
                            .headers()
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string();
                        let body =
                            actix_web::body::to_bytes(resp.into_body())
                                .await
                                .map_err(|e| {
                                    Finding::new("service-error", format!("reading the body: {e}"))
                                })?;
                        Ok(Answer {
                            status,
                            content_type,
                            body: body.to_vec(),
                        })
                    };
                    match actix_web::rt::time::timeout(limit, call).await {
                        Ok(r) => r,
                        Err(_) => Err(Finding::new("hang", format!("no answer within {limit:?}"))),
                    }
                }) as Pending)
            });
            send
        });
        AppHarness {
            runner,
            send,
            state,
            _db: Arc::new(db),
        }
    }

    /// Sends one request. `Ok(None)`: not a request a client could send (a bad URI,
    /// method or header value), so nothing to check.
    pub fn send(&self, req: &Request, limit: Duration) -> Result<Option<Answer>, Finding> {
        match (self.send)(req, limit) {
            Some(fut) => self.runner.block_on(fut).map(Some),
            None => Ok(None),
        }
    }
}

/// The actix test request for `req`, if it is one HTTP can carry.
fn build(req: &Request) -> Option<test::TestRequest> {
    let method = Method::from_bytes(req.method.as_bytes()).ok()?;
    Uri::try_from(req.path.as_str()).ok()?;
    let mut t = test::TestRequest::default().method(method).uri(&req.path);
    for (n, v) in &req.headers {
        let name = HeaderName::from_bytes(n.as_bytes()).ok()?;
        let value = HeaderValue::from_str(v).ok()?;
        t = t.insert_header((name, value));
    }
    Some(t.set_payload(req.body.clone()))
}
