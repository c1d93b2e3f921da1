//! Groups, corporates, customers and accounts through the REST routes and documents.

use crate::helpers::*;

#[actix_web::test]
async fn a_structure_built_through_the_api_hangs_together() {
    let app = spawn_app();
    let r = app.post_xml("/groups", "<createGroup><groupCode>G1</groupCode><description>Group one</description></createGroup>").await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(xml_text(&r.body, "groupCode"), Some("G1"));
    app.post_json(
        "/corporates",
        r#"{"corporateCode":"C1","description":"Corp one","groupCode":"G1"}"#,
    )
    .await
    .good();

    let customer = r#"{"contactDetails":{"personalDetails":{"firstName":"Ann","lastName":"Lee","gender":"female"},
        "addresses":{"address":[{"addressType":"Billing","line1":"1 High St","postcode":"AB1 2CD"}]}},
        "account":{"accountName":"Ann Lee","corporateCode":"C1","currency":"eur"}}"#;
    let c = app.post_json("/customers", customer).await.good().json();
    assert_eq!(
        (c["customerNumber"].as_i64(), c["accountNumber"].as_i64()),
        (Some(30000001), Some(10000001))
    );

    let a = app
        .post_json(
            "/customers/30000001/accounts",
            r#"{"accountName":"Second","groupCode":"G1"}"#,
        )
        .await
        .good()
        .json();
    assert_eq!(a["accountNumber"], 10000002);

    let got = app
        .get("/accounts/10000001", "application/json")
        .await
        .good()
        .json();
    let acc = &got["account"];
    assert_eq!(acc["customerNumber"], 30000001);
    assert_eq!(acc["corporateCode"], "C1");
    assert_eq!(acc["currency"], "EUR");
    assert_eq!(acc["status"], "Active");
    assert_eq!(acc["paymentMethod"], "Manual");
    assert_eq!(acc["lastAmendedDate"], "2026-11-22T10:00:00.000000Z");

    let second = app
        .get("/accounts/10000002", "application/xml")
        .await
        .good();
    assert_eq!(xml_text(&second.body, "groupCode"), Some("G1"));
    assert_eq!(xml_text(&second.body, "currency"), Some("GBP"));
}

#[actix_web::test]
async fn structure_rules_are_refused_with_the_field_named() {
    let app = spawn_demo();
    let dup = app
        .post_json("/groups", r#"{"groupCode":"NWGRP","description":"Again"}"#)
        .await;
    assert_eq!(
        (dup.status, dup.json()["details"]["messageId"].as_str()),
        (409, Some("ALREADY_EXISTS"))
    );

    let r = app
        .post_json(
            "/corporates",
            r#"{"corporateCode":"NEW1","description":"x","groupCode":"NOPE"}"#,
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["errors"][0]["extraInfo"], "groupCode");

    let both = r#"{"contactDetails":{"personalDetails":{"lastName":"X"}},"account":{"corporateCode":"NWSALE","groupCode":"NWGRP"}}"#;
    let r = app.post_json("/customers", both).await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["messageId"].as_str()),
        (400, Some("TWO_LEVELS"))
    );

    let nameless = r#"{"contactDetails":{"contactDetails":{"email":"a@b.example"}}}"#;
    let r = app.post_json("/customers", nameless).await;
    assert_eq!(
        r.json()["errors"][0]["extraInfo"],
        "contactDetails.personalDetails.lastName"
    );

    let r = app
        .post_json(
            "/customers/39999999/accounts",
            r#"{"accountName":"Nobody"}"#,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["details"]["messageId"].as_str()),
        (404, Some("NOT_FOUND"))
    );

    let r = app.get("/accounts/19999999", "application/json").await;
    assert_eq!(r.status, 404);

    // Nothing half-written: the refused customer took no number.
    let c = app
        .post_json(
            "/customers",
            r#"{"contactDetails":{"businessDetails":{"companyName":"Fine Ltd"}}}"#,
        )
        .await
        .good()
        .json();
    assert_eq!(c["customerNumber"], 30000005);
}

#[actix_web::test]
async fn the_schema_facets_decide_what_is_accepted() {
    // String69 in schemas/common.xsd bounds externalReference: read the facet, not a constant.
    let max = max_length("String69");
    let app = spawn_demo();
    let ok = format!(
        r#"{{"externalReference":"{}","accountNumber":10000001}}"#,
        "é".repeat(max)
    );
    app.post_json("/ws/GetAccount", &ok).await.good();
    let long = format!(
        r#"{{"externalReference":"{}","accountNumber":10000001}}"#,
        "é".repeat(max + 1)
    );
    let r = app.post_json("/ws/GetAccount", &long).await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["messageId"].as_str()),
        (400, Some("TOO_LONG"))
    );

    // A field that a core rule names too: agreementData.corporateCode (CorporateCode is a
    // String6). At the limit the decoder accepts it and the rule names it by the generated
    // path; one more and the decoder refuses it, at the same path.
    let max = max_length("String6");
    let body = |code: &str| format!(r#"{{"agreementData":{{"corporateCode":"{code}"}}}}"#);
    let r = app.post_json("/agreements", &body(&"Z".repeat(max))).await;
    let j = r.json();
    assert_eq!(
        (
            r.status,
            j["errors"][0]["messageId"].as_str(),
            j["errors"][0]["extraInfo"].as_str()
        ),
        (
            409,
            Some("UNKNOWN_REFERENCE"),
            Some("agreementData.corporateCode")
        )
    );
    let r = app
        .post_json("/agreements", &body(&"Z".repeat(max + 1)))
        .await;
    let j = r.json();
    assert_eq!(
        (
            r.status,
            j["errors"][0]["messageId"].as_str(),
            j["errors"][0]["extraInfo"].as_str()
        ),
        (400, Some("TOO_LONG"), Some("agreementData.corporateCode"))
    );
}

/// The `maxLength` facet of a simple type in schemas/common.xsd.
fn max_length(type_name: &str) -> usize {
    let xsd = std::fs::read_to_string(repo_path("schemas/common.xsd")).unwrap();
    let at = xsd.find(&format!(r#"name="{type_name}""#)).unwrap();
    xsd[at..]
        .split(r#"maxLength value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[actix_web::test]
async fn health_answers_live_and_ready() {
    let app = spawn_app();
    assert_eq!(app.get("/health/live", "*/*").await.status, 200);
    assert_eq!(
        app.get("/health/ready", "*/*").await.good().json()["status"],
        "ready"
    );
}

#[actix_web::test]
async fn metrics_count_requests_by_operation_dialect_and_status() {
    let app = spawn_demo();
    app.get("/accounts/10000001", "application/json")
        .await
        .good();
    app.get("/accounts/19999999", "application/xml").await;
    let m = app.get("/metrics", "text/plain").await.good();
    assert!(
        m.body.contains(
            r#"cmp_requests_total{operation="GetAccount",dialect="json",status="200"} 1"#
        ),
        "{}",
        m.body
    );
    assert!(m
        .body
        .contains(r#"cmp_requests_total{operation="GetAccount",dialect="xml",status="404"} 1"#));
    assert!(m
        .body
        .contains(r#"cmp_request_duration_seconds_count{operation="GetAccount"} 2"#));
    assert!(m.body.contains("cmp_db_pool_max 4"));
}
