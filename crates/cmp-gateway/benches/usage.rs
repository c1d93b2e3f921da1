//! `cargo bench -p cmp-gateway --bench usage`: how many usage records a second RecordUsage
//! rates, in process, on the demo data. SQLite (a temporary file) by default;
//! `CMP_TEST_DATABASE_URL=postgres://…` runs it on a fresh PostgreSQL schema instead.
//! Measures; asserts nothing but success.
//!
//! Each request rates its records against subscription 60272 in one transaction (the row
//! lock, the period's totals and allowance draws read, the records written in multi-row
//! INSERTs). The mix is voice, texts and data: the allowances run out early, after that
//! data is charged out of bundle, under spend caps set high enough never to bite.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{test, App};
use chrono::{TimeZone, Utc};
use cmp_core::subscriptions::spend_caps::set_subscription_spend_cap;
use cmp_core::subscriptions::usage::record_usage;
use cmp_core::{Context, FixedClock};
use cmp_gateway::{configure, load, AppState};
use cmp_model::messages::{
    NewSpendCap, RecordUsageRequest, SetSubscriptionSpendCapRequest, UsageEvent, UsageType,
};
use cmp_model::Decimal;
use cmp_store::TestDb;

const SUBSCRIPTION: i64 = 60272;

fn events(n: usize) -> Vec<UsageEvent> {
    (0..n)
        .map(|i| {
            let (t, quantity) = match i % 3 {
                0 => (UsageType::Voice, 3),
                1 => (UsageType::Sms, 1),
                _ => (UsageType::Data, 250),
            };
            UsageEvent {
                date_time: None,
                r#type: t,
                quantity,
            }
        })
        .collect()
}

fn report(name: &str, records: usize, requests: usize, elapsed: Duration) {
    let s = elapsed.as_secs_f64();
    println!(
        "{name:<52} {:>9.0} records/s  {:>9.1} µs/request  ({requests} requests, {records} records)",
        records as f64 / s,
        s * 1e6 / requests as f64
    );
}

fn core_calls(ctx: &Context) {
    for (per_request, requests) in [(1, 2_000), (10, 500), (100, 100), (1_000, 20)] {
        let t = Instant::now();
        for i in 0..requests {
            let req = RecordUsageRequest {
                external_reference: Some(format!("BENCH-{per_request}-{i}")),
                subscription_number: SUBSCRIPTION,
                usage: events(per_request),
            };
            let r = record_usage(ctx, req).expect("usage is rated");
            std::hint::black_box(r);
        }
        report(
            &format!("RecordUsage (core), {per_request} per request"),
            per_request * requests,
            requests,
            t.elapsed(),
        );
    }
}

fn http_calls(state: AppState) {
    let body = |n: usize| {
        let items: Vec<String> = events(n)
            .iter()
            .map(|e| {
                format!(
                    r#"{{"type":"{}","quantity":{}}}"#,
                    e.r#type.as_str(),
                    e.quantity
                )
            })
            .collect();
        format!(r#"{{"usage":[{}]}}"#, items.join(","))
    };
    actix_web::rt::System::new().block_on(async move {
        let app = test::init_service(App::new().configure(configure(state))).await;
        for (per_request, requests) in [(1, 1_000), (100, 50)] {
            let payload = body(per_request);
            let t = Instant::now();
            for _ in 0..requests {
                let req = test::TestRequest::post()
                    .uri(&format!("/subscriptions/{SUBSCRIPTION}/usage"))
                    .insert_header(("content-type", "application/json"))
                    .set_payload(payload.clone())
                    .to_request();
                let resp = test::call_service(&app, req).await;
                assert!(resp.status().is_success(), "{}", resp.status());
                std::hint::black_box(test::read_body(resp).await);
            }
            report(
                &format!("POST /subscriptions/{{id}}/usage (JSON), {per_request} per request"),
                per_request * requests,
                requests,
                t.elapsed(),
            );
        }
    });
}

fn main() {
    // `cargo test --benches` runs benches once with --bench absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let db = TestDb::new();
    let store = db.store();
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
    ));
    let ctx = Context::new(store.clone(), clock.clone(), "bench");
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo");
    load::load_path(&ctx, &demo).expect("demo data loads");
    let high = "999999999.00".parse::<Decimal>().unwrap();
    set_subscription_spend_cap(
        &ctx,
        SetSubscriptionSpendCapRequest {
            external_reference: None,
            subscription_number: SUBSCRIPTION,
            cap: ["SPEND", "OOB"]
                .map(|code| NewSpendCap {
                    cap_code: code.into(),
                    amount: high,
                    effective_date: None,
                })
                .into(),
        },
    )
    .expect("caps set");
    let backend = if std::env::var("CMP_TEST_DATABASE_URL").is_ok_and(|u| !u.trim().is_empty()) {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("RecordUsage on {backend}, subscription {SUBSCRIPTION}");
    core_calls(&ctx);
    http_calls(AppState::new(store, clock));
}
