//! Self-care: one-time passwords, UpdateContactDetails, workflow events, the outbox.

use actix_web::http::Method;
use chrono::TimeDelta;
use cmp_core::Clock;
use cmp_store::repo::customers;
use serde_json::{json, Value};

use crate::helpers::*;

const JSON: [(&str, &str); 1] = [("content-type", "application/json")];
const XML: [(&str, &str); 1] = [("content-type", "application/xml")];
const WORKFLOW_PORT: &str = "/ws/dise3g/services/WorkflowPort";

/// The structure (no demo catalogue), the small catalogue with workflow reference data,
/// sandbox routes on.
async fn base() -> TestApp {
    let mut app = spawn_structure();
    app.state.sandbox = true;
    let mut cat: Value = serde_json::from_str(&small_catalogue()).unwrap();
    cat["referenceData"]["workflowEventTypes"] = json!({"eventType": [
        {"typeCode": "CARE", "description": "Customer care",
         "eventCode": [{"code": "NOTE", "description": "Note"}, {"code": "CMPL", "description": "Complaint"}]}
    ]});
    cat["referenceData"]["reasonCodes"] =
        json!({"reasonCode": [{"code": "CUSREQ", "description": "Customer request"}]});
    app.request(Method::PUT, "/catalogue", &JSON, &cat.to_string())
        .await
        .good();
    app
}

/// `base` plus subscription 40000001 on account 10000001 (Jane Smith), MSISDN 447700900555.
async fn with_subscription() -> TestApp {
    let app = base().await;
    let r = app
        .post_json(
            "/accounts/10000001/subscriptions",
            r#"{"pricePlanCode":"P10","identities":{"identity":[{"identityType":"MSISDN","identityValue":"447700900555"}]}}"#,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    app
}

/// Generates an OTP; returns its reference, the answer and the code (read from the outbox).
async fn generate(app: &TestApp, body: &str) -> (String, Value, String) {
    let r = app.post_json("/oneTimePasswords", body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json();
    let outbox = app
        .get("/admin/outbox", "application/json")
        .await
        .good()
        .json();
    let last = outbox["message"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let text = last["text"].as_str().unwrap();
    let code: String = text
        .split_whitespace()
        .find(|w| {
            w.trim_end_matches('.').len() == 6
                && w.trim_end_matches('.').bytes().all(|b| b.is_ascii_digit())
        })
        .unwrap()
        .trim_end_matches('.')
        .to_string();
    (v["otpReference"].as_str().unwrap().to_string(), v, code)
}

async fn verify(app: &TestApp, reference: &str, password: &str) -> Value {
    let r = app
        .post_json(
            &format!("/oneTimePasswords/{reference}/verification"),
            &json!({ "password": password }).to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn wrong(code: &str) -> &'static str {
    if code == "000000" {
        "111111"
    } else {
        "000000"
    }
}

const FOR_SUBSCRIPTION: &str =
    r#"{"subscriptionNumber":40000001,"deliveryChannel":"SMS","purpose":"login"}"#;

#[actix_web::test]
async fn otp_verifies_once_and_goes_to_the_subscriptions_msisdn() {
    let app = with_subscription().await;
    let (reference, answer, code) = generate(&app, FOR_SUBSCRIPTION).await;
    assert_eq!(answer["deliveredTo"], "********0555");
    assert_eq!(answer["expiresAt"], "2026-11-22T10:05:00.000000Z");
    let outbox = app
        .get("/admin/outbox", "application/json")
        .await
        .good()
        .json();
    assert_eq!(outbox["message"][0]["address"], "447700900555");
    assert_eq!(outbox["message"][0]["channel"], "SMS");
    let v = verify(&app, &reference, &code).await;
    assert_eq!(
        (v["verified"].as_bool(), v["attemptsRemaining"].as_i64()),
        (Some(true), Some(3)),
        "{v}"
    );
    assert!(v.get("reason").is_none());
    let again = verify(&app, &reference, &code).await;
    assert_eq!(
        (again["verified"].as_bool(), again["reason"].as_str()),
        (Some(false), Some("Used"))
    );
}

#[actix_web::test]
async fn three_wrong_passwords_lock_the_otp() {
    let app = with_subscription().await;
    let (reference, _, code) = generate(&app, FOR_SUBSCRIPTION).await;
    for left in [2, 1, 0] {
        let v = verify(&app, &reference, wrong(&code)).await;
        assert_eq!(
            (
                v["verified"].as_bool(),
                v["attemptsRemaining"].as_i64(),
                v["reason"].as_str()
            ),
            (Some(false), Some(left), Some("Wrong"))
        );
    }
    let v = verify(&app, &reference, &code).await;
    assert_eq!(
        (v["verified"].as_bool(), v["reason"].as_str()),
        (Some(false), Some("Locked"))
    );
}

#[actix_web::test]
async fn an_expired_otp_is_not_verified() {
    let app = with_subscription().await;
    let (reference, _, code) = generate(&app, FOR_SUBSCRIPTION).await;
    app.clock.set(now() + TimeDelta::minutes(5));
    let v = verify(&app, &reference, &code).await;
    assert_eq!(
        (v["verified"].as_bool(), v["reason"].as_str()),
        (Some(false), Some("Expired"))
    );
}

#[actix_web::test]
async fn an_otp_generated_by_one_gateway_is_verified_by_another() {
    let app = with_subscription().await;
    let mut other = app.second_gateway();
    other.state.sandbox = true;
    let (reference, _, code) = generate(&app, FOR_SUBSCRIPTION).await;
    let v = verify(&other, &reference, wrong(&code)).await;
    assert_eq!(v["attemptsRemaining"], 2);
    let v = verify(&other, &reference, &code).await;
    assert_eq!(
        (v["verified"].as_bool(), v["attemptsRemaining"].as_i64()),
        (Some(true), Some(2))
    );
    let v = verify(&app, &reference, &code).await;
    assert_eq!(v["reason"], "Used");
}

#[actix_web::test]
async fn otp_generation_is_rate_limited_per_subscription() {
    let app = with_subscription().await;
    for _ in 0..5 {
        app.post_json("/oneTimePasswords", FOR_SUBSCRIPTION)
            .await
            .good();
    }
    let r = app.post_json("/oneTimePasswords", FOR_SUBSCRIPTION).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(
        r.json()["details"]["messageId"],
        "RATE_LIMITED",
        "{}",
        r.body
    );
    // Another target is not limited; an hour later this one is free again.
    app.post_json(
        "/oneTimePasswords",
        r#"{"accountNumber":10000001,"deliveryChannel":"Email"}"#,
    )
    .await
    .good();
    app.clock.set(now() + TimeDelta::minutes(61));
    app.post_json("/oneTimePasswords", FOR_SUBSCRIPTION)
        .await
        .good();
}

#[actix_web::test]
async fn an_account_email_otp_goes_to_the_accounts_primary_address() {
    let app = base().await;
    app.request(
        actix_web::http::Method::PATCH,
        "/accounts/10000001/emailAddresses/1",
        &[("content-type", "application/json")],
        r#"{"address":"billing.desk@example.org"}"#,
    )
    .await
    .good();
    let (_, v, _) = generate(
        &app,
        r#"{"accountNumber":10000001,"deliveryChannel":"Email"}"#,
    )
    .await;
    assert_eq!(v["deliveredTo"], "b***@example.org");
    let out = app.get("/admin/outbox", "application/json").await.good();
    assert_eq!(
        out.json()["message"][0]["address"],
        "billing.desk@example.org"
    );
}

#[actix_web::test]
async fn otp_for_an_account_goes_to_the_customers_email_or_mobile_masked() {
    let app = base().await;
    let (_, v, _) = generate(
        &app,
        r#"{"accountNumber":10000001,"deliveryChannel":"Email"}"#,
    )
    .await;
    assert_eq!(v["deliveredTo"], "j***@example.com");
    let (_, v, code) = generate(
        &app,
        r#"{"accountNumber":10000001,"deliveryChannel":"SMS"}"#,
    )
    .await;
    assert_eq!(v["deliveredTo"], "*******0123");
    // The code is in the outbox's text only, never in the answer.
    let out = app.get("/admin/outbox", "application/json").await.good();
    assert!(out.body.contains(&code));
    assert_eq!(out.json()["message"][1]["address"], "07700900123");
    // Both or neither target: CHOICE; unknown account: 404; no mobile on record: 409.
    let r = app
        .post_json(
            "/oneTimePasswords",
            r#"{"accountNumber":10000001,"subscriptionNumber":40000001,"deliveryChannel":"SMS"}"#,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["messageId"].as_str()),
        (400, Some("CHOICE")),
        "{}",
        r.body
    );
    let r = app
        .post_json(
            "/oneTimePasswords",
            r#"{"accountNumber":10000099,"deliveryChannel":"SMS"}"#,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = app
        .post_json(
            "/oneTimePasswords",
            r#"{"accountNumber":10000003,"deliveryChannel":"SMS"}"#,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["details"]["messageId"], "NO_DELIVERY_ADDRESS");
    let r = app
        .post_json(
            "/oneTimePasswords/0123456789abcdef0123456789abcdef/verification",
            r#"{"password":"123456"}"#,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
}

#[actix_web::test]
async fn the_outbox_is_sandbox_only() {
    let mut app = base().await;
    app.state.sandbox = false;
    let r = app.get("/admin/outbox", "application/json").await;
    assert_eq!(r.status, 404, "{}", r.body);
}

fn customer(app: &TestApp, n: i64) -> customers::Customer {
    app.context()
        .read(|c| Ok(customers::get(c, n)?))
        .unwrap()
        .unwrap()
}

#[actix_web::test]
async fn contact_details_change_but_are_never_erased_json() {
    let app = base().await;
    let r = app
        .request(
            Method::PATCH,
            "/customers/30000001/contactDetails",
            &JSON,
            r#"{"personalDetails":{"firstName":"","occupation":null,"idNumber":""},
                "contactDetails":{"email":null,"fax":""},
                "addresses":{"address":[{"addressType":"Billing","line1":""},{"addressType":"Home","line1":""}]}}"#,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let v = r.json();
    let errors: Vec<(String, String)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["messageId"].as_str().unwrap().into(),
                e["extraInfo"].as_str().unwrap().into(),
            )
        })
        .collect();
    let erase = |p: &str| ("CANNOT_ERASE".to_string(), p.to_string());
    assert_eq!(
        errors,
        vec![
            erase("personalDetails.firstName"),
            erase("personalDetails.occupation"),
            erase("contactDetails.email"),
            erase("addresses.address[0].line1"),
        ],
        "{}",
        r.body
    );
    assert_eq!(customer(&app, 30000001).first_name.as_deref(), Some("Jane"));

    let r = app
        .request(
            Method::PATCH,
            "/customers/30000001/contactDetails",
            &JSON,
            r#"{"lastAmendedDate":"2026-11-22T10:00:00Z","personalDetails":{"firstName":"Janet","idNumber":""},
                "contactDetails":{"email":"janet@example.com"},
                "addresses":{"address":[{"addressType":"Home","line1":"3 New Street","postcode":"AB1 2CD"}]}}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({"customerNumber": 30000001, "lastAmendedDate": "2026-11-22T10:00:00.000001Z"})
    );
    let c = customer(&app, 30000001);
    assert_eq!(
        (
            c.first_name.as_deref(),
            c.last_name.as_deref(),
            c.email.as_deref(),
            c.mobile_phone.as_deref()
        ),
        (
            Some("Janet"),
            Some("Smith"),
            Some("janet@example.com"),
            Some("07700900123")
        )
    );
    // The date read before the change is stale now.
    let r = app
        .request(
            Method::PATCH,
            "/customers/30000001/contactDetails",
            &JSON,
            r#"{"lastAmendedDate":"2026-11-22T10:00:00Z","personalDetails":{"firstName":"Jo"}}"#,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["details"]["messageId"].as_str()),
        (409, Some("STALE_DATA"))
    );
    let r = app
        .request(
            Method::PATCH,
            "/customers/30000099/contactDetails",
            &JSON,
            r#"{"personalDetails":{"firstName":"Jo"}}"#,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
}

#[actix_web::test]
async fn contact_details_are_never_erased_xml() {
    let app = base().await;
    let r = app
        .request(
            Method::PATCH,
            "/customers/30000001/contactDetails",
            &XML,
            "<updateContactDetails><personalDetails><lastName/><dateOfBirth></dateOfBirth><title>Dr</title></personalDetails>\
             <contactDetails><mobilePhone> </mobilePhone><homePhone/></contactDetails></updateContactDetails>",
        )
        .await;
    // A state rule (the same request erases a field that holds nothing): 409.
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(
        xml_texts(&r.body, "extraInfo"),
        vec![
            "updateContactDetails/personalDetails/lastName",
            "updateContactDetails/personalDetails/dateOfBirth",
            "updateContactDetails/contactDetails/mobilePhone",
        ],
        "{}",
        r.body
    );
    assert_eq!(xml_texts(&r.body, "messageId")[1..], ["CANNOT_ERASE"; 3]);
    assert_eq!(customer(&app, 30000001).title.as_deref(), Some("Ms"));
}

fn workflow(target: Value) -> String {
    json!({"targetIdentifier": target, "eventTypeCode": "CARE", "eventCode": "NOTE",
           "reasonCode": "CUSREQ", "notes": "Called about the bill"})
    .to_string()
}

#[actix_web::test]
async fn workflow_events_on_every_level() {
    let app = with_subscription().await;
    let targets = [
        json!({"groupIdentifier": "NWGRP"}),
        json!({"corporateIdentifier": "NWSALE"}),
        json!({"accountIdentifier": 10000001}),
        json!({"agreementIdentifier": 20000001}),
        json!({"subscriptionIdentifier": 40000001}),
    ];
    for (i, t) in targets.into_iter().enumerate() {
        let r = app.post_json("/workflows", &workflow(t)).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.json()["eventNumber"], 100000001 + i as i64);
    }
    let all = app
        .get("/workflows", "application/json")
        .await
        .good()
        .json();
    let levels: Vec<&str> = all["workflow"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["targetType"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        ["Group", "Corporate", "Account", "Agreement", "Subscription"]
    );
    let one = app
        .get(
            "/workflows?targetType=Account&targetId=10000001&status=open",
            "application/json",
        )
        .await
        .good()
        .json();
    let w = &one["workflow"];
    assert_eq!(w.as_array().unwrap().len(), 1, "{one}");
    assert_eq!(
        (
            w[0]["eventNumber"].as_i64(),
            w[0]["eventStatus"].as_str(),
            w[0]["reasonCode"].as_str()
        ),
        (Some(100000003), Some("Unresolved/Open"), Some("CUSREQ"))
    );
    let none = app
        .get("/workflows?status=RESOLVED", "application/json")
        .await
        .good()
        .json();
    assert_eq!(none["workflow"], json!([]), "{none}");
    // targetId alone: the events of that entity, whatever its level.
    let by_id = app
        .get("/workflows?targetId=NWSALE", "application/json")
        .await
        .good()
        .json();
    let found: Vec<(&str, &str)> = by_id["workflow"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["targetType"].as_str().unwrap(),
                w["targetId"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, [("Corporate", "NWSALE")], "{by_id}");
}

#[actix_web::test]
async fn workflow_targets_and_codes_must_exist() {
    let app = base().await;
    let r = app
        .post_json(
            "/workflows",
            r#"{"targetIdentifier":{"accountIdentifier":10000099},"eventTypeCode":"XXXX","eventCode":"NOTE","reasonCode":"NOPE"}"#,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let paths: Vec<String> = r.json()["errors"]
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
        .collect();
    assert_eq!(
        paths,
        [
            "UNKNOWN_REFERENCE targetIdentifier.accountIdentifier",
            "UNKNOWN_REFERENCE eventTypeCode",
            "UNKNOWN_REFERENCE reasonCode",
        ]
    );
    for (target, field) in [
        (json!({"groupIdentifier": "NOPE"}), "groupIdentifier"),
        (
            json!({"corporateIdentifier": "NOPE"}),
            "corporateIdentifier",
        ),
        (
            json!({"agreementIdentifier": 20000099}),
            "agreementIdentifier",
        ),
        (
            json!({"subscriptionIdentifier": 40000099}),
            "subscriptionIdentifier",
        ),
    ] {
        let r = app.post_json("/workflows", &workflow(target)).await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(
            r.json()["errors"][0]["extraInfo"],
            format!("targetIdentifier.{field}")
        );
    }
    let r = app
        .post_json("/workflows", r#"{"targetIdentifier":{"accountIdentifier":10000001},"eventTypeCode":"CARE","eventCode":"ZZZZ"}"#)
        .await;
    assert_eq!(
        r.json()["errors"][0]["extraInfo"],
        "eventCode",
        "{}",
        r.body
    );
    let r = app
        .post_json("/workflows", r#"{"targetIdentifier":{"accountIdentifier":10000001,"groupIdentifier":"NWGRP"},"eventTypeCode":"CARE","eventCode":"NOTE"}"#)
        .await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["messageId"].as_str()),
        (400, Some("CHOICE")),
        "{}",
        r.body
    );
}

#[actix_web::test]
async fn soap_create_workflow_follows_the_7_3_8_service() {
    let app = base().await;
    let inner = "<ExternalReference>WF-1</ExternalReference><WorkflowData><TargetIdentifier>\
        <AccountIdentifier>10000001</AccountIdentifier></TargetIdentifier><EventTypeCode>CARE</EventTypeCode>\
        <EventCode>CMPL</EventCode><ProcessCommand>NO</ProcessCommand><ProcessDate>2026-11-23</ProcessDate>\
        <Notes>Complaint about roaming</Notes></WorkflowData><AuditRecord><UserID>agent7</UserID></AuditRecord>";
    let r = app
        .post_soap(
            WORKFLOW_PORT,
            &soap_envelope("workflow", "CreateWorkflow", "WorkflowData", inner),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("CreateWorkflowResponse"), "{}", r.body);
    assert_eq!(xml_text(&r.body, "EventNumber"), Some("100000001"));
    assert_eq!(xml_text(&r.body, "ExternalReference"), Some("WF-1"));
    let q = app
        .get(
            "/workflows?targetType=Account&targetId=10000001",
            "application/json",
        )
        .await
        .good()
        .json();
    assert_eq!(q["workflow"][0]["createdBy"], "agent7");
    assert_eq!(q["workflow"][0]["processCommand"], "NO");
    // ProcessCommand is mandatory in 7.3.8.
    let inner = inner.replace("<ProcessCommand>NO</ProcessCommand>", "");
    let r = app
        .post_soap(
            WORKFLOW_PORT,
            &soap_envelope("workflow", "CreateWorkflow", "WorkflowData", &inner),
        )
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(
        r.body
            .contains("CreateWorkflow/WorkflowData/WorkflowData/ProcessCommand"),
        "{}",
        r.body
    );
    // The document form answers the same on POST /ws/CreateWorkflow.
    let r = app
        .post_json(
            "/ws/CreateWorkflow",
            r#"{"workflowData":{"targetIdentifier":{"groupIdentifier":"NWGRP"},"eventTypeCode":"CARE","eventCode":"NOTE","processCommand":"suppress"}}"#,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["eventNumber"].as_i64()),
        (200, Some(100000002)),
        "{}",
        r.body
    );
}

#[actix_web::test]
async fn soap_query_workflows_follows_the_7_3_8_service() {
    let app = base().await;
    for (code, by) in [("CMPL", "2026-11-30"), ("NOTE", "2026-12-31")] {
        let body = format!(
            r#"{{"targetIdentifier":{{"accountIdentifier":10000001}},"eventTypeCode":"CARE","eventCode":"{code}","resolutionRequiredByDate":"{by}"}}"#
        );
        app.post_json("/workflows", &body).await.good();
    }
    let query = |filter: &str| {
        soap_envelope(
            "workflow",
            "QueryWorkflows",
            "Request",
            &format!("<ExternalReference>QW-1</ExternalReference><CustomerLevel>Account</CustomerLevel><CustomerLevelReference>10000001</CustomerLevelReference><StatusFilter>OPEN</StatusFilter>{filter}"),
        )
    };
    let r = app.post_soap(WORKFLOW_PORT, &query("")).await.good();
    assert!(r.body.contains("<def:QueryWorkflowsResponse"), "{}", r.body);
    assert_eq!(xml_text(&r.body, "QueryLimitExceeded"), Some("false"));
    assert_eq!(
        xml_texts(&r.body, "EventNumber"),
        ["100000001", "100000002"]
    );
    let filtered = app
        .post_soap(WORKFLOW_PORT, &query("<DataFilter><ResolutionRequiredByDateOnOrBefore>2026-12-01</ResolutionRequiredByDateOnOrBefore></DataFilter>"))
        .await
        .good();
    assert_eq!(xml_texts(&filtered.body, "EventCode"), ["CMPL"]);
    // The document form answers the same; the resource route keeps its flat answer.
    let doc = r#"{"customerLevel":"Account","customerLevelReference":"10000001","statusFilter":"ALL","dataFilter":{"eventCode":"NOTE"}}"#;
    let j = app.post_json("/ws/QueryWorkflows", doc).await.good().json();
    assert_eq!(j["workflows"]["workflow"][0]["eventNumber"], 100000002);
}
