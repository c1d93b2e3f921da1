//! The subscription life cycle over the API alone, in JSON (SQLite, or PostgreSQL with
//! CMP_TEST_DATABASE_URL), on the demo data; today is 2026-11-22.
//!
//! Subscription 60271 (SIMO5, 8.00 a month) has a 12-month contract from 2026-02-01: in
//! contract until 2027-02-01; SIMO5's early-upgrade period is 2 months (it ends
//! 2026-12-01) and its notice period 30 days (a change takes effect 2026-12-22 at the
//! earliest). 60275 is on agreement price plan AGR01; 60272 (SIMO12) is billed under
//! agreement 20000004.

use actix_web::http::Method;
use serde_json::Value;

use crate::helpers::*;

const JSON: [(&str, &str); 1] = [("content-type", "application/json")];

fn sandbox_demo() -> TestApp {
    let mut app = spawn_demo();
    app.state.sandbox = true;
    app
}

async fn change_plan(app: &TestApp, n: i64, body: &str) -> Resp {
    app.post_json(&format!("/subscriptions/{n}/pricePlanChange"), body)
        .await
}

async fn delete(app: &TestApp, path: &str) -> Resp {
    app.request(Method::DELETE, path, &JSON, "").await
}

/// Asserts a 409 rule fault with `code` whose text contains `reason`.
fn refused(r: &Resp, code: &str, reason: &str) {
    assert_eq!(r.status, 409, "{}", r.body);
    let f = r.json();
    assert_eq!(f["details"]["messageId"], code, "{}", r.body);
    let text = f["details"]["messageText"].as_str().unwrap_or_default();
    assert!(text.contains(reason), "{text:?} does not say {reason:?}");
}

/// The bolt-on package codes GetSubscription lists.
fn bolt_ons(sub: &Value) -> Vec<String> {
    sub["packages"]["package"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|p| p["packageCode"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn set_clock(app: &TestApp, now: &str) -> Value {
    app.request(
        Method::PUT,
        "/admin/clock",
        &JSON,
        &format!(r#"{{"now":"{now}"}}"#),
    )
    .await
    .good()
    .json()
}

/// (eventTypeCode, eventCode) of the subscription's workflow events, oldest first.
async fn events(app: &TestApp, n: i64) -> Vec<(String, String)> {
    let r = app
        .get(
            &format!("/workflows?targetType=Subscription&targetId={n}"),
            "application/json",
        )
        .await
        .good()
        .json();
    let mut list: Vec<(i64, String, String)> = r["workflow"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["eventNumber"].as_i64().unwrap(),
                e["eventTypeCode"].as_str().unwrap().to_string(),
                e["eventCode"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    list.sort();
    list.into_iter().map(|(_, t, c)| (t, c)).collect()
}

fn ev(t: &str, c: &str) -> (String, String) {
    (t.to_string(), c.to_string())
}

#[actix_web::test]
async fn a_whole_life_through_the_api() {
    let app = sandbox_demo();

    // Pre-created (two-phase sign-up) on SIMO5.
    let created = app
        .post_json(
            "/accounts/10000001/subscriptions",
            r#"{"pricePlanCode":"SIMO5","activate":false,
                "managedSerialNumbers":{"managedSerialNumber":[{"enumerationId":1,"networkSerialNumber":"8944100030199990001"}]}}"#,
        )
        .await
        .good()
        .json();
    let n = created["subscriptionNumber"].as_i64().unwrap();
    let s = subscription(&app, n).await;
    assert_eq!(s["status"], "PreActive");
    assert!(s.get("connectedDate").is_none());

    // Usage is refused until it is active; activation twice is refused.
    let r = app
        .post_json(
            &format!("/subscriptions/{n}/usage"),
            r#"{"usage":[{"type":"Data","quantity":1}]}"#,
        )
        .await;
    refused(&r, "SUBSCRIPTION_NOT_ACTIVE", "");

    // Activation: with a contract that started on 2025-12-01 for 12 months (it ends
    // 2026-12-01, so it is in its early-upgrade period already).
    let path = format!("/subscriptions/{n}/activation");
    let a = app
        .post_json(
            &path,
            r#"{"contract":{"contractNumber":"C-2025-77","termMonths":12,"startDate":"2025-12-01"}}"#,
        )
        .await
        .good()
        .json();
    let event = a["eventNumber"].as_i64().unwrap();
    assert!(event > 0);
    refused(
        &app.post_json(&path, "{}").await,
        "NOT_PRE_ACTIVE",
        "is Active, not PreActive",
    );
    let s = subscription(&app, n).await;
    assert_eq!(s["status"], "Active");
    assert_eq!(s["connectedDate"], "2026-11-22");
    assert_eq!(s["contract"]["startDate"], "2025-12-01");
    assert_eq!(s["contract"]["endDate"], "2026-12-01");
    assert_eq!(s["contract"]["termMonths"], 12);
    assert_eq!(s["contract"]["contractNumber"], "C-2025-77");
    assert_eq!(s["basePackage"]["code"], "BSIMO5");
    // The provisioning request went to the network, carrying the workflow event.
    let outbox = app
        .get("/admin/outbox", "application/json")
        .await
        .good()
        .json();
    let provisioning: Vec<&Value> = outbox["message"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "provisioning")
        .collect();
    assert_eq!(provisioning.len(), 1);
    assert_eq!(provisioning[0]["address"], "8944100030199990001");
    assert!(provisioning[0]["text"]
        .as_str()
        .unwrap()
        .contains(&format!("ACTIVATE subscription={n} serial=8944100030199990001 pricePlan=SIMO5 date=2026-11-22 event={event}")));
    assert_eq!(events(&app, n).await, [ev("PROV", "ACTV")]);

    // A data bolt-on (1GB), retained by SIMO12, and an international one (INTIND), which
    // SIMO12 does not retain.
    let db1g = app
        .post_json(
            &format!("/subscriptions/{n}/packages"),
            r#"{"packageCode":"DB1G"}"#,
        )
        .await
        .good()
        .json()["purchaseIdentifier"]
        .as_i64()
        .unwrap();
    app.post_json(
        &format!("/subscriptions/{n}/packages"),
        r#"{"packageCode":"INTIND"}"#,
    )
    .await
    .good();
    assert_eq!(bolt_ons(&subscription(&app, n).await), ["DB1G", "INTIND"]);

    // Usage: DB1G's 1GB and the base's 5GB are used up, then 40.00 of out-of-bundle
    // data (0.01 an MB); 20.00 more would pass the default Partial cap OOB (50.00).
    let usage = format!("/subscriptions/{n}/usage");
    app.post_json(&usage, r#"{"usage":[{"type":"Data","quantity":6144}]}"#)
        .await
        .good();
    let allowances = app
        .get(
            &format!("/subscriptions/{n}/allowances"),
            "application/json",
        )
        .await
        .good()
        .json();
    let data: Vec<&Value> = allowances["allowance"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["unit"] == "MB")
        .collect();
    assert_eq!(data.len(), 2, "{allowances}");
    assert!(data.iter().all(|a| a["remaining"] == 0), "{allowances}");
    let bolt_on = data.iter().find(|a| a["packageCode"] == "DB1G").unwrap();
    assert_eq!(bolt_on["purchaseIdentifier"], db1g);
    app.post_json(&usage, r#"{"usage":[{"type":"Data","quantity":4000}]}"#)
        .await
        .good();
    let r = app
        .post_json(&usage, r#"{"usage":[{"type":"Data","quantity":2000}]}"#)
        .await;
    refused(&r, "SPEND_CAP_EXCEEDED", "spend cap OOB");
    let unbilled = app
        .get(
            &format!("/subscriptions/{n}/unbilledUsage"),
            "application/json",
        )
        .await
        .good()
        .json();
    assert_eq!(unbilled["totalUnbilledCharges"], "40.00");
    let caps = app
        .get(&format!("/subscriptions/{n}/spendCap"), "application/json")
        .await
        .good()
        .json();
    let oob = caps["cap"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["capCode"] == "OOB")
        .unwrap()
        .clone();
    assert_eq!(oob["remaining"], "10.00");

    // A plan change to SIMO12: not now (the notice period of 30 days), but from
    // 2026-12-22, pending until then.
    let r = change_plan(&app, n, r#"{"pricePlanCode":"SIMO12"}"#).await;
    refused(
        &r,
        "PLAN_CHANGE_NOT_ALLOWED",
        "effectiveDate is before the notice period of 30 days ends (2026-12-22)",
    );
    let r = change_plan(
        &app,
        n,
        r#"{"pricePlanCode":"SIMO12","effectiveDate":"2026-12-22"}"#,
    )
    .await
    .good()
    .json();
    assert_eq!(
        (r["status"].as_str(), r["effectiveDate"].as_str()),
        (Some("Pending"), Some("2026-12-22"))
    );
    let s = subscription(&app, n).await;
    assert_eq!(s["pricePlanCode"], "SIMO5");
    assert_eq!(s["pendingPricePlanChange"]["pricePlanCode"], "SIMO12");
    assert_eq!(s["pendingPricePlanChange"]["effectiveDate"], "2026-12-22");

    // The clock moves to the day: the change applies before the clock answers.
    let clock = set_clock(&app, "2026-12-22T09:00:00Z").await;
    assert_eq!(clock["appliedActions"], 1);
    let s = subscription(&app, n).await;
    assert_eq!(s["pricePlanCode"], "SIMO12");
    assert!(s.get("pendingPricePlanChange").is_none());
    assert_eq!(s["basePackage"]["code"], "BSIM12");
    assert_eq!(s["basePackage"]["effectiveDate"], "2026-12-22");
    // DB1G retained, INTIND ended, SIMO12's default XSPAM added.
    assert_eq!(bolt_ons(&s), ["DB1G", "XSPAM"]);
    // SIMO12's 12-month contract starts with it.
    assert_eq!(s["contract"]["startDate"], "2026-12-22");
    assert_eq!(s["contract"]["endDate"], "2027-12-22");
    // Moving the clock again applies nothing more.
    assert_eq!(
        set_clock(&app, "2026-12-22T10:00:00Z").await["appliedActions"],
        0
    );

    // Termination fees on three dates: in contract (10 months left, rounded up, x 15.00),
    // in the last month (1 month), out of contract (none).
    let fees = |date: &'static str| {
        let app = &app;
        async move {
            app.get(
                &format!("/subscriptions/{n}/terminationFees?terminationDate={date}"),
                "application/json",
            )
            .await
            .good()
            .json()
        }
    };
    let f = fees("2027-03-10").await;
    assert_eq!(
        (f["remainingMonths"].as_i64(), f["totalAmount"].as_str()),
        (Some(10), Some("150.00"))
    );
    assert_eq!(f["fee"][0]["code"], "ETF");
    assert_eq!(f["fee"][0]["description"], "Early termination fee");
    assert_eq!(f["fee"][0]["amount"], "150.00");
    assert_eq!(f["contractEndDate"], "2027-12-22");
    let f = fees("2027-12-01").await;
    assert_eq!(
        (f["remainingMonths"].as_i64(), f["totalAmount"].as_str()),
        (Some(1), Some("15.00"))
    );
    let f = fees("2028-01-05").await;
    assert_eq!(
        (f["remainingMonths"].as_i64(), f["totalAmount"].as_str()),
        (Some(0), Some("0.00"))
    );
    assert!(f["fee"].as_array().is_none_or(|l| l.is_empty()), "{f}");

    // A disconnection on 2027-01-15, pending; cancelled; cancelled again: refused.
    let disconnection = format!("/subscriptions/{n}/disconnection");
    let d = app
        .post_json(
            &disconnection,
            r#"{"disconnectionDate":"2027-01-15","reasonCode":"CUSREQ"}"#,
        )
        .await
        .good()
        .json();
    assert_eq!(
        (
            d["status"].as_str(),
            d["disconnectionDate"].as_str(),
            d["terminationFee"].as_str()
        ),
        (Some("Pending"), Some("2027-01-15"), Some("180.00"))
    );
    assert_eq!(
        subscription(&app, n).await["pendingDisconnectionDate"],
        "2027-01-15"
    );
    let c = delete(&app, &disconnection).await.good().json();
    assert_eq!(c["status"], "Cancelled");
    let s = subscription(&app, n).await;
    assert!(s.get("pendingDisconnectionDate").is_none());
    assert_eq!(s["status"], "Active");
    refused(
        &delete(&app, &disconnection).await,
        "NO_PENDING_DISCONNECTION",
        "has no disconnection pending",
    );

    // Disconnected now: 12 months left of SIMO12's contract, 180.00 recorded.
    let d = app
        .post_json(&disconnection, r#"{"reasonCode":"CUSREQ"}"#)
        .await
        .good()
        .json();
    assert_eq!(
        (
            d["status"].as_str(),
            d["disconnectionDate"].as_str(),
            d["terminationFee"].as_str()
        ),
        (Some("Applied"), Some("2026-12-22"), Some("180.00"))
    );
    let s = subscription(&app, n).await;
    assert_eq!(s["status"], "Disconnected");
    assert_eq!(s["disconnectedDate"], "2026-12-22");
    assert!(bolt_ons(&s).is_empty(), "bolt-ons end: {s}");
    refused(
        &app.post_json(&disconnection, "{}").await,
        "SUBSCRIPTION_DISCONNECTED",
        "is disconnected",
    );
    let listed = app
        .get(
            "/subscriptions?accountId=10000001&status=Disconnected",
            "application/json",
        )
        .await
        .good()
        .json();
    assert_eq!(listed["subscription"][0]["subscriptionNumber"], n);
    assert_eq!(
        events(&app, n).await,
        [
            ev("PROV", "ACTV"),
            ev("BILL", "SPND"),
            ev("BILL", "PPCH"),
            ev("BILL", "TERM"),
            ev("PROV", "DISC")
        ]
    );
}

// ---- ChangePricePlan: one test per refusal rule of release notes 3.7.1.3 ----

#[actix_web::test]
async fn no_plan_change_on_a_disconnected_subscription() {
    let app = spawn_demo();
    app.post_json(
        "/subscriptions/60271/disconnection",
        r#"{"suppressTerminationFees":true}"#,
    )
    .await
    .good();
    let r = change_plan(&app, 60271, r#"{"pricePlanCode":"SIMO12"}"#).await;
    refused(
        &r,
        "PLAN_CHANGE_NOT_ALLOWED",
        "subscriptionNumber is disconnected",
    );
}

#[actix_web::test]
async fn no_plan_change_on_an_agreement_price_plan() {
    let app = spawn_demo();
    let r = change_plan(&app, 60275, r#"{"pricePlanCode":"BUS12"}"#).await;
    refused(
        &r,
        "PLAN_CHANGE_NOT_ALLOWED",
        "subscriptionNumber is part of agreement price plan AGR01",
    );
}

#[actix_web::test]
async fn no_plan_change_while_the_agreement_waits_for_its_new_bill_cycle() {
    let app = spawn_demo();
    app.request(
        Method::PATCH,
        "/agreements/20000004",
        &JSON,
        r#"{"billingCycle":5}"#,
    )
    .await
    .good();
    let r = change_plan(&app, 60272, r#"{"pricePlanCode":"SIMO5"}"#).await;
    refused(
        &r,
        "PLAN_CHANGE_NOT_ALLOWED",
        "is billed under agreement 20000004, which has a bill cycle change pending (to day 5 on 2026-12-28)",
    );
}

#[actix_web::test]
async fn no_plan_change_to_a_plan_that_is_not_compatible() {
    let app = spawn_demo();
    let r = change_plan(&app, 60272, r#"{"pricePlanCode":"BUS12"}"#).await;
    refused(
        &r,
        "PLAN_CHANGE_NOT_ALLOWED",
        "pricePlanCode is not compatible with the subscription's price plan SIMO12",
    );
    assert_eq!(r.json()["errors"][0]["extraInfo"], "pricePlanCode");
}

#[actix_web::test]
async fn no_plan_change_to_a_plan_that_is_not_eligible() {
    let app = spawn_demo();
    // SIMO1M is compatible with SIMO12 but sold only through MYACCOUNT and WEBSHOP.
    let r = change_plan(
        &app,
        60272,
        r#"{"pricePlanCode":"SIMO1M","eligibilityRules":{"salesChannel":"RETAIL"}}"#,
    )
    .await;
    refused(
        &r,
        "PLAN_CHANGE_NOT_ALLOWED",
        "pricePlanCode is not eligible on 2026-11-22 for this request",
    );
}

#[actix_web::test]
async fn no_plan_change_on_or_before_the_end_of_the_early_upgrade_period() {
    let app = spawn_demo();
    let r = change_plan(
        &app,
        60271,
        r#"{"pricePlanCode":"SIMO12","effectiveDate":"2026-12-01"}"#,
    )
    .await;
    refused(
        &r,
        "PLAN_CHANGE_NOT_ALLOWED",
        "effectiveDate is on or before the end of the early-upgrade period (2026-12-01): the subscription is in contract until 2027-02-01",
    );
    assert_eq!(r.json()["errors"][0]["extraInfo"], "effectiveDate");
}

#[actix_web::test]
async fn no_plan_change_before_the_notice_period_ends() {
    let app = spawn_demo();
    let r = change_plan(
        &app,
        60271,
        r#"{"pricePlanCode":"SIMO12","effectiveDate":"2026-12-21"}"#,
    )
    .await;
    refused(
        &r,
        "PLAN_CHANGE_NOT_ALLOWED",
        "effectiveDate is before the notice period of 30 days ends (2026-12-22): the subscription is in contract until 2027-02-01",
    );
    // From the day the notice period ends, it is pending.
    let ok = change_plan(
        &app,
        60271,
        r#"{"pricePlanCode":"SIMO12","effectiveDate":"2026-12-22"}"#,
    )
    .await
    .good()
    .json();
    assert_eq!(ok["status"], "Pending");
}

#[actix_web::test]
async fn one_pending_plan_change_at_a_time_and_it_can_be_cancelled() {
    let app = spawn_demo();
    let body = r#"{"pricePlanCode":"SIMO12","effectiveDate":"2026-12-22","boltOnPackages":{"packageCode":["INT300"]}}"#;
    change_plan(&app, 60271, body).await.good();
    let s = subscription(&app, 60271).await;
    assert_eq!(
        s["pendingPricePlanChange"]["boltOnPackages"]["packageCode"][0],
        "INT300"
    );
    refused(
        &change_plan(&app, 60271, body).await,
        "PLAN_CHANGE_NOT_ALLOWED",
        "subscriptionNumber has a change to price plan SIMO12 pending on 2026-12-22: cancel it first",
    );
    let c = delete(&app, "/subscriptions/60271/pricePlanChange")
        .await
        .good()
        .json();
    assert_eq!(c["status"], "Cancelled");
    assert!(subscription(&app, 60271)
        .await
        .get("pendingPricePlanChange")
        .is_none());
    refused(
        &delete(&app, "/subscriptions/60271/pricePlanChange").await,
        "NO_PENDING_PLAN_CHANGE",
        "has no price plan change pending",
    );
}

#[actix_web::test]
async fn an_immediate_plan_change_out_of_contract_swaps_the_packages() {
    let app = spawn_demo();
    // SIMO30 has no contract terms. INT100 is retained by SIMO12, RUSA is not.
    let n = app
        .post_json(
            "/accounts/10000001/subscriptions",
            r#"{"pricePlanCode":"SIMO30"}"#,
        )
        .await
        .good()
        .json()["subscriptionNumber"]
        .as_i64()
        .unwrap();
    for code in ["INT100", "RUSA"] {
        app.post_json(
            &format!("/subscriptions/{n}/packages"),
            &format!(r#"{{"packageCode":"{code}"}}"#),
        )
        .await
        .good();
    }
    assert!(subscription(&app, n).await.get("contract").is_none());
    let r = change_plan(
        &app,
        n,
        r#"{"pricePlanCode":"SIMO12","boltOnPackages":{"packageCode":["ETV"]}}"#,
    )
    .await
    .good()
    .json();
    assert_eq!(
        (r["status"].as_str(), r["effectiveDate"].as_str()),
        (Some("Applied"), Some("2026-11-22"))
    );
    let s = subscription(&app, n).await;
    assert_eq!(s["pricePlanCode"], "SIMO12");
    assert_eq!(s["basePackage"]["code"], "BSIM12");
    // Retained INT100; RUSA ended; SIMO12's default XSPAM and the ETV asked for bought.
    assert_eq!(bolt_ons(&s), ["INT100", "XSPAM", "ETV"]);
    assert_eq!(s["contract"]["startDate"], "2026-11-22");
    assert_eq!(s["contract"]["termMonths"], 12);
    // A bolt-on the new plan does not offer is refused, naming it.
    let r = change_plan(
        &app,
        n,
        r#"{"pricePlanCode":"SIMO5","effectiveDate":"2027-10-01","boltOnPackages":{"packageCode":["ETV"]}}"#,
    )
    .await;
    refused(
        &r,
        "PACKAGE_NOT_COMPATIBLE",
        "is not a bolt-on offered on price plan SIMO5",
    );
}
