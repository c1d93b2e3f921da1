//! Sandbox mode: the test clock runs scheduled actions; reset restores the fixtures.

use actix_web::http::Method;

use crate::helpers::*;

fn sandbox_app() -> TestApp {
    cmp_gateway::load::reload_on_reset(repo_path("fixtures/demo"));
    let mut app = spawn_demo();
    app.state.sandbox = true;
    app
}

#[actix_web::test]
async fn moving_the_clock_applies_due_bill_cycle_changes() {
    let app = sandbox_app();
    let json = [("content-type", "application/json")];
    app.request(
        Method::PATCH,
        "/agreements/20000003",
        &json,
        r#"{"billingCycle":2}"#,
    )
    .await
    .good();
    let clock = app
        .get("/admin/clock", "application/json")
        .await
        .good()
        .json();
    assert_eq!(clock["now"], "2026-11-22T10:00:00.000000Z");

    let r = app
        .request(
            Method::PUT,
            "/admin/clock",
            &json,
            r#"{"now":"2026-12-15T00:00:00Z"}"#,
        )
        .await
        .good()
        .json();
    assert_eq!(
        (r["now"].as_str(), r["appliedActions"].as_i64()),
        (Some("2026-12-15T00:00:00.000000Z"), Some(1))
    );
    let a = app
        .get("/agreements/20000003", "application/json")
        .await
        .json();
    assert_eq!(
        (
            a["agreement"]["billingCycle"].as_i64(),
            a["agreement"]["nextExpectedInvoiceDate"].as_str()
        ),
        (Some(2), Some("2027-01-02"))
    );
}

#[actix_web::test]
async fn reset_puts_the_demo_data_back() {
    let app = sandbox_app();
    app.post_json(
        "/agreements",
        r#"{"agreementData":{"accountCode":10000001}}"#,
    )
    .await
    .good();
    let r = app
        .request(
            Method::POST,
            "/admin/reset",
            &[("accept", "application/xml")],
            "",
        )
        .await
        .good();
    assert_eq!(xml_text(&r.body, "operations"), Some("53"));
    let again = app
        .post_json(
            "/agreements",
            r#"{"agreementData":{"accountCode":10000001}}"#,
        )
        .await
        .good()
        .json();
    assert_eq!(again["agreementNumber"], 20000009);
}

/// The clock never moves backwards, nor past a time whose derived dates the gateway could
/// not write and read back; a reset with `now` is the one way back.
#[actix_web::test]
async fn the_clock_moves_forwards_only_and_a_reset_may_start_again_earlier() {
    let app = sandbox_app();
    let json = [("content-type", "application/json")];
    let put = |now: &'static str| {
        let app = &app;
        async move {
            app.request(
                Method::PUT,
                "/admin/clock",
                &json,
                &format!(r#"{{"now":"{now}"}}"#),
            )
            .await
        }
    };
    // Standing still is allowed; a second back is not.
    put("2026-11-22T10:00:00Z").await.good();
    let r = put("2026-11-22T09:59:59Z").await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["messageId"], "CLOCK_BACKWARDS");
    assert_eq!(r.json()["errors"][0]["extraInfo"], "now");
    let r = put("9999-01-01T00:00:00Z").await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["messageId"], "OUT_OF_RANGE");
    put("9998-12-31T23:59:59Z").await.good();
    // Nothing moved back; a reset with `now` starts again earlier, with the demo data.
    let clock = app.get("/admin/clock", "application/json").await.json();
    assert_eq!(clock["now"], "9998-12-31T23:59:59.000000Z");
    let r = app
        .request(
            Method::POST,
            "/admin/reset",
            &json,
            r#"{"now":"2026-11-01T08:00:00Z"}"#,
        )
        .await
        .good();
    assert_eq!(r.json()["operations"], 53);
    let clock = app.get("/admin/clock", "application/json").await.json();
    assert_eq!(clock["now"], "2026-11-01T08:00:00.000000Z");
    app.get("/subscriptions/60272", "application/json")
        .await
        .good();
}

#[actix_web::test]
async fn without_sandbox_mode_there_are_no_admin_routes() {
    let app = spawn_demo();
    assert_eq!(
        app.get("/admin/clock", "application/json").await.status,
        404
    );
    assert_eq!(
        app.request(Method::POST, "/admin/reset", &[], "")
            .await
            .status,
        404
    );
}

/// The sandbox console is a page over the admin JSON API (GET/PUT /admin/clock,
/// GET /admin/outbox, GET /admin/audit, POST /admin/reset); the calls it makes answer.
#[actix_web::test]
async fn the_sandbox_console_is_served_with_the_api_it_calls() {
    let app = sandbox_app();
    let page = app.get("/admin/console", "text/html").await.good();
    assert!(page.content_type().starts_with("text/html"));
    assert!(page.body.contains("/docs/assets/admin.js"));
    let js = app.get("/docs/assets/admin.js", "*/*").await.good().body;
    for call in [
        "\"GET\", \"/admin/clock\"",
        "\"PUT\", \"/admin/clock\"",
        "\"GET\", \"/admin/outbox\"",
        "`/admin/audit${query}`",
        "\"POST\", \"/admin/reset\"",
    ] {
        assert!(js.contains(call), "{call}");
    }
    app.get("/admin/outbox", "application/json").await.good();
    app.get("/admin/audit?entity=agreement", "application/json")
        .await
        .good();
}
