//! Usage, allowances and spend caps per bill period, on the demo data (SQLite, or
//! PostgreSQL with CMP_TEST_DATABASE_URL). Today is 2026-11-22.
//!
//! Subscription 60272 (SIMO12: base BSIM12 with unlimited minutes and texts and 30GB;
//! bolt-ons DB20G with 20GB and ETV) is billed under agreement 20000004, bill cycle day
//! 28: the period runs 2026-10-28..2026-11-28. Its packages cost 31.99 a period and its
//! services (fixtures/demo/40-subscription-details.json) 2.50 (recurring) and 0.50 (one-off,
//! this period); the demo sets its Full cap SPEND to 45.00 (10.01 left) and records 45
//! minutes, 12 texts and
//! 2048 MB (from DB20G). The catalogue's Partial cap OOB (50.00) applies by default.
//! Out-of-bundle data costs 0.0100 an MB on SIMO12.

use std::sync::Arc;

use actix_web::http::Method;
use chrono::{TimeZone, Utc};
use cmp_core::subscriptions::usage::record_usage;
use cmp_core::Clock;
use cmp_model::messages::{RecordUsageRequest, UsageEvent, UsageType};
use cmp_store::repo::subscriptions::{self as subs, Subscription, SubscriptionPackageRow};
use serde_json::Value;

use crate::helpers::*;

const JSON: [(&str, &str); 1] = [("content-type", "application/json")];

fn sandbox_demo() -> TestApp {
    let mut app = spawn_demo();
    app.state.sandbox = true;
    app
}

async fn record(app: &TestApp, subscription: i64, body: &str) -> Resp {
    app.post_json(&format!("/subscriptions/{subscription}/usage"), body)
        .await
}

async fn data(app: &TestApp, mb: i64) -> Resp {
    record(
        app,
        60272,
        &format!(r#"{{"usage":[{{"type":"Data","quantity":{mb}}}]}}"#),
    )
    .await
}

async fn allowances(app: &TestApp, subscription: i64) -> Vec<Value> {
    let r = app
        .get(
            &format!("/subscriptions/{subscription}/allowances"),
            "application/json",
        )
        .await
        .good()
        .json();
    r["allowance"].as_array().cloned().unwrap_or_default()
}

/// The allowance of service `code`: (used, remaining).
fn allowance(list: &[Value], code: &str) -> (i64, Option<i64>) {
    let a = list
        .iter()
        .find(|a| a["serviceCode"] == code)
        .unwrap_or_else(|| panic!("no allowance {code} in {list:?}"));
    (a["used"].as_i64().unwrap(), a["remaining"].as_i64())
}

/// capCode → remaining.
async fn caps(app: &TestApp) -> Vec<(String, String)> {
    let r = app
        .get("/subscriptions/60272/spendCap", "application/json")
        .await
        .good()
        .json();
    r["cap"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["capCode"].as_str().unwrap().to_string(),
                c["remaining"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

/// "messageId extraInfo" of each field error of a JSON fault.
fn field_errors(r: &Resp) -> Vec<String> {
    r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["messageId"].as_str().unwrap(),
                e["extraInfo"].as_str().unwrap()
            )
        })
        .collect()
}

async fn breach_notices(app: &TestApp) -> Vec<Value> {
    let r = app
        .get("/admin/outbox", "application/json")
        .await
        .good()
        .json();
    r["message"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m["kind"] == "spendCapBreach")
        .collect()
}

#[actix_web::test]
async fn usage_uses_up_the_allowances_then_the_spend_cap_refuses_more() {
    let app = sandbox_demo();
    let list = allowances(&app, 60272).await;
    // Base package first (no purchase identifier), then the bolt-ons.
    let summary: Vec<(Option<i64>, &str, &str)> = list
        .iter()
        .map(|a| {
            (
                a["purchaseIdentifier"].as_i64(),
                a["packageCode"].as_str().unwrap(),
                a["serviceCode"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (None, "BSIM12", "MINUN"),
            (None, "BSIM12", "SMSUN"),
            (None, "BSIM12", "A30GB"),
            (Some(50000011), "DB20G", "DB20GB"),
        ]
    );
    assert_eq!(list[0]["unlimited"], true);
    assert_eq!(list[0]["used"], 45);
    assert!(list[0].get("remaining").is_none() && list[0].get("total").is_none());
    assert_eq!(
        (
            list[3]["total"].as_i64(),
            list[3]["periodStart"].as_str(),
            list[3]["periodEnd"].as_str()
        ),
        (Some(20480), Some("2026-10-28"), Some("2026-11-28"))
    );
    assert_eq!(allowance(&list, "DB20GB"), (2048, Some(18432)));
    assert_eq!(
        caps(&app).await,
        [pair("OOB", "50.00"), pair("SPEND", "10.01")]
    );

    // The bolt-on is drawn first, then the base package's 30GB; nothing is charged.
    let r = data(&app, 18432).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = r.json();
    assert_eq!(
        (
            r["usage"][0]["inBundleQuantity"].as_i64(),
            r["usage"][0]["chargedAmount"].as_str()
        ),
        (Some(18432), Some("0.00"))
    );
    data(&app, 30000).await.good();
    let list = allowances(&app, 60272).await;
    assert_eq!(allowance(&list, "DB20GB"), (20480, Some(0)));
    assert_eq!(allowance(&list, "A30GB"), (30000, Some(720)));

    // 720 MB left in bundle; 280 MB charged at 0.0100.
    let r = data(&app, 1000).await.good().json();
    assert_eq!(
        (
            r["usage"][0]["inBundleQuantity"].as_i64(),
            r["usage"][0]["outOfBundleQuantity"].as_i64(),
            r["usage"][0]["chargedAmount"].as_str(),
            r["totalUnbilledCharges"].as_str()
        ),
        (Some(720), Some(280), Some("2.80"), Some("2.80"))
    );
    assert_eq!(
        caps(&app).await,
        [pair("OOB", "47.20"), pair("SPEND", "7.21")]
    );

    // 8.00 more would bring the Full cap's count (34.99 + 2.80 + 8.00) past 45.00.
    let r = data(&app, 800).await;
    assert_eq!(r.status, 409, "{}", r.body);
    let fault = r.json();
    assert_eq!(fault["details"]["messageId"], "SPEND_CAP_EXCEEDED");
    assert_eq!(fault["errors"][0]["extraInfo"], "usage[0].quantity");
    let text = fault["details"]["messageText"].as_str().unwrap();
    assert!(
        text.contains("spend cap SPEND") && text.contains("7.21"),
        "{text}"
    );
    // Nothing was recorded; the breach notice went to the subscription's mobile number
    // and a workflow event records it.
    assert_eq!(
        caps(&app).await,
        [pair("OOB", "47.20"), pair("SPEND", "7.21")]
    );
    let notices = breach_notices(&app).await;
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(
        (
            notices[0]["channel"].as_str(),
            notices[0]["address"].as_str()
        ),
        (Some("SMS"), Some("447700900124"))
    );
    assert!(notices[0]["text"].as_str().unwrap().contains("SPEND"));
    let events = app
        .get(
            "/workflows?targetType=Subscription&targetId=60272",
            "application/json",
        )
        .await
        .good()
        .json();
    let events = events["workflow"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        (
            events[0]["eventTypeCode"].as_str(),
            events[0]["eventCode"].as_str()
        ),
        (Some("BILL"), Some("SPND"))
    );

    // In-bundle usage still goes through; usage up to the cap exactly too.
    record(&app, 60272, r#"{"usage":[{"type":"SMS","quantity":5}]}"#)
        .await
        .good();
    data(&app, 721).await.good();
    assert_eq!(
        caps(&app).await,
        [pair("OOB", "39.99"), pair("SPEND", "0.00")]
    );
    // Refused again: no second notice in the same period.
    assert_eq!(data(&app, 1).await.status, 409);
    assert_eq!(breach_notices(&app).await.len(), 1);

    let u = app
        .get("/subscriptions/60272/unbilledUsage", "application/json")
        .await
        .good()
        .json();
    assert_eq!(u["periodStart"], "2026-10-28");
    assert_eq!(u["totalUnbilledCharges"], "10.01");
    let days: Vec<(&str, &str, i64, &str, &str)> = u["usage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["date"].as_str().unwrap(),
                x["type"].as_str().unwrap(),
                x["quantity"].as_i64().unwrap(),
                x["unit"].as_str().unwrap(),
                x["chargedAmount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        [
            ("2026-11-22", "Voice", 45, "Minutes", "0.00"),
            ("2026-11-22", "SMS", 17, "SMS", "0.00"),
            ("2026-11-22", "Data", 52201, "MB", "10.01"),
        ]
    );
}

#[actix_web::test]
async fn the_next_bill_period_starts_with_fresh_allowances() {
    let app = spawn_demo();
    data(&app, 40000).await.good();
    let list = allowances(&app, 60272).await;
    assert_eq!(allowance(&list, "DB20GB"), (20480, Some(0)));
    assert_eq!(allowance(&list, "A30GB"), (21568, Some(9152)));

    // The bill cycle day (28) starts the next period.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap());
    let list = allowances(&app, 60272).await;
    assert_eq!(list[3]["periodStart"], "2026-11-28");
    assert_eq!(list[3]["periodEnd"], "2026-12-28");
    assert_eq!(allowance(&list, "DB20GB"), (0, Some(20480)));
    assert_eq!(allowance(&list, "A30GB"), (0, Some(30720)));
    assert_eq!(allowance(&list, "MINUN"), (0, None));
    let u = app
        .get("/subscriptions/60272/unbilledUsage", "application/json")
        .await
        .good()
        .json();
    assert_eq!(
        (
            u["periodStart"].as_str(),
            u["totalUnbilledCharges"].as_str(),
            u["usage"].as_array().map(Vec::len)
        ),
        (Some("2026-11-28"), Some("0.00"), Some(0))
    );
    assert_eq!(
        caps(&app).await,
        // The one-off service (0.50) was charged in the last period only.
        [pair("OOB", "50.00"), pair("SPEND", "10.51")]
    );

    // Usage dated in the closed period is refused; today's draws the new allowance.
    let r = record(
        &app,
        60272,
        r#"{"usage":[{"type":"Data","quantity":10,"dateTime":"2026-11-27T23:00:00Z"}]}"#,
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["messageId"], "DATE_NOT_ALLOWED");
    let r = data(&app, 100).await.good().json();
    assert_eq!(r["periodStart"], "2026-11-28");
    assert_eq!(
        allowance(&allowances(&app, 60272).await, "DB20GB"),
        (100, Some(20380))
    );
}

#[actix_web::test]
async fn usage_the_subscription_or_plan_cannot_take_is_refused() {
    let app = spawn_demo();
    let cases: [(i64, &str, u16, &str); 5] = [
        // PreActive (two-phase sign-up, not activated yet).
        (
            60277,
            r#"{"usage":[{"type":"Voice","quantity":1}]}"#,
            409,
            "SUBSCRIPTION_NOT_ACTIVE",
        ),
        (
            69999999,
            r#"{"usage":[{"type":"Voice","quantity":1}]}"#,
            404,
            "NOT_FOUND",
        ),
        // TAB12 has no voice allowance and no voice rate.
        (
            60278,
            r#"{"usage":[{"type":"Voice","quantity":1}]}"#,
            409,
            "NO_OUT_OF_BUNDLE_RATE",
        ),
        (
            60272,
            r#"{"usage":[{"type":"Data","quantity":1,"dateTime":"2026-11-22T10:00:01Z"}]}"#,
            409,
            "VALIDATION_FAILED",
        ),
        (60272, r#"{"usage":[]}"#, 400, "VALIDATION_FAILED"),
    ];
    for (n, body, status, code) in cases {
        let r = record(&app, n, body).await;
        assert_eq!(
            (r.status, r.json()["details"]["messageId"].as_str()),
            (status, Some(code)),
            "{n} {body}: {}",
            r.body
        );
    }

    // A disconnected subscription (built directly: disconnection is another operation).
    let now = now().naive_utc();
    app.state
        .store
        .write(|c| {
            subs::insert(
                c,
                &Subscription {
                    subscription_number: 60299,
                    account_number: 10000001,
                    agreement_number: 20000004,
                    status: subs::STATUS_DISCONNECTED.into(),
                    price_plan_code: "SIMO12".into(),
                    connected_date: Some(now.date()),
                    disconnected_date: Some(now.date()),
                    user_name: None,
                    cost_centre: None,
                    contract_start: None,
                    contract_term_months: None,
                    created_at: now,
                    last_amended_at: now,
                },
            )?;
            subs::insert_package(
                c,
                &SubscriptionPackageRow {
                    purchase_identifier: 50009999,
                    subscription_number: 60299,
                    package_code: "BSIM12".into(),
                    is_base: true,
                    effective_date: now.date(),
                    expiry_date: Some(now.date()),
                    created_at: now,
                },
            )
        })
        .unwrap();
    let r = record(&app, 60299, r#"{"usage":[{"type":"Voice","quantity":1}]}"#).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(
        r.json()["details"]["messageId"],
        "SUBSCRIPTION_DISCONNECTED"
    );
    let r = app
        .request(
            Method::PUT,
            "/subscriptions/60299/spendCap",
            &JSON,
            r#"{"cap":[{"capCode":"SPEND","amount":"10.00"}]}"#,
        )
        .await;
    assert_eq!(
        r.json()["details"]["messageId"],
        "SUBSCRIPTION_DISCONNECTED"
    );
}

#[actix_web::test]
async fn a_new_cap_replaces_the_current_one_from_its_effective_date() {
    let app = spawn_demo();
    let put = |body: &'static str| {
        let app = &app;
        async move {
            app.request(Method::PUT, "/subscriptions/60272/spendCap", &JSON, body)
                .await
        }
    };
    let r = put(r#"{"cap":[{"capCode":"OOB","amount":"20.00","effectiveDate":"2026-12-01"},{"capCode":"SPEND","amount":"45.50"}]}"#)
        .await
        .good()
        .json();
    let shown: Vec<(&str, &str, &str, &str, Option<&str>)> = r["cap"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["capCode"].as_str().unwrap(),
                c["amount"].as_str().unwrap(),
                c["remaining"].as_str().unwrap(),
                c["effectiveDate"].as_str().unwrap(),
                c["expiryDate"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            // The default (from the catalogue) until the new OOB cap starts.
            ("OOB", "50.00", "50.00", "2026-11-22", Some("2026-12-01")),
            ("OOB", "20.00", "20.00", "2026-12-01", None),
            // SPEND 45.00 of the demo ended today: only the new one shows.
            ("SPEND", "45.50", "10.51", "2026-11-22", None),
        ]
    );
    assert_eq!(r["cap"][0]["capType"], "Partial");
    assert_eq!(r["cap"][2]["capType"], "Full");

    let r = put(r#"{"cap":[{"capCode":"NOPE","amount":"1.00"},{"capCode":"SPEND","amount":"-1.00","effectiveDate":"2026-11-21"}]}"#).await;
    assert_eq!(r.status, 400, "{}", r.body);
    // A negative amount is a schema error (found before the rules are looked at).
    assert_eq!(field_errors(&r), ["OUT_OF_RANGE cap[1].amount"]);
    let r = put(r#"{"cap":[{"capCode":"NOPE","amount":"1.00"},{"capCode":"SPEND","amount":"1.00","effectiveDate":"2026-11-21"}]}"#).await;
    assert_eq!(
        field_errors(&r),
        [
            "UNKNOWN_REFERENCE cap[0].capCode",
            "DATE_NOT_ALLOWED cap[1].effectiveDate"
        ]
    );
}

#[actix_web::test]
async fn the_catalogue_keeps_its_spend_caps_and_one_rate_per_plan_and_type() {
    let app = spawn_demo();
    let text = std::fs::read_to_string(repo_path("fixtures/demo/20-catalogue.json")).unwrap();
    let demo: Value = serde_json::from_str(&text).unwrap();
    let catalogue = demo["operations"][0]["catalogue"].clone();

    let mut doc = catalogue.clone();
    doc["spendCaps"]["spendCap"][1]["capCode"] = "SPEND".into();
    // SIMO5's Data rate made a second Voice rate; SMS on a plan that does not exist.
    doc["outOfBundleRates"]["rate"][2]["usageType"] = "Voice".into();
    doc["outOfBundleRates"]["rate"][4]["pricePlanCode"] = "NOPE".into();
    let r = app
        .request(Method::PUT, "/catalogue", &JSON, &doc.to_string())
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        field_errors(&r),
        [
            "DUPLICATE_CODE spendCaps.spendCap[1].capCode",
            "DUPLICATE_CODE outOfBundleRates.rate[2].usageType",
            "UNKNOWN_REFERENCE outOfBundleRates.rate[4].pricePlanCode",
        ]
    );

    // 60272 carries SPEND (the demo set it): it cannot go; OOB (a default only) can.
    let mut doc = catalogue.clone();
    doc.as_object_mut().unwrap().remove("spendCaps");
    let r = app
        .request(Method::PUT, "/catalogue", &JSON, &doc.to_string())
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["messageId"], "IN_USE");
    let mut doc = catalogue;
    doc["spendCaps"]["spendCap"]
        .as_array_mut()
        .unwrap()
        .remove(1);
    app.request(Method::PUT, "/catalogue", &JSON, &doc.to_string())
        .await
        .good();
    assert_eq!(caps(&app).await, [pair("SPEND", "10.01")]);
}

#[actix_web::test]
async fn concurrent_usage_on_one_subscription_never_overdraws() {
    let app = spawn_demo();
    app.request(
        Method::PUT,
        "/subscriptions/60272/spendCap",
        &JSON,
        r#"{"cap":[{"capCode":"SPEND","amount":"9999.00"},{"capCode":"OOB","amount":"9999.00"}]}"#,
    )
    .await
    .good();
    // 18432 + 30720 MB left in bundle; 8 writers x 10 requests x 1000 MB.
    let ctx = Arc::new(app.context());
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let ctx = ctx.clone();
            std::thread::spawn(move || {
                let mut in_bundle = 0;
                for i in 0..10 {
                    let req = RecordUsageRequest {
                        external_reference: Some(format!("W{w}-{i}")),
                        subscription_number: 60272,
                        usage: vec![UsageEvent {
                            date_time: None,
                            r#type: UsageType::Data,
                            quantity: 1000,
                        }],
                    };
                    let r = record_usage(&ctx, req).expect("rated");
                    in_bundle += r.usage[0].in_bundle_quantity;
                }
                in_bundle
            })
        })
        .collect();
    let in_bundle: i64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(in_bundle, 18432 + 30720);
    let list = allowances(&app, 60272).await;
    assert_eq!(allowance(&list, "DB20GB"), (20480, Some(0)));
    assert_eq!(allowance(&list, "A30GB"), (30720, Some(0)));
    let u = app
        .get("/subscriptions/60272/unbilledUsage", "application/json")
        .await
        .good()
        .json();
    // 80000 - 49152 MB out of bundle at 0.0100.
    assert_eq!(u["totalUnbilledCharges"], "308.48");
}
