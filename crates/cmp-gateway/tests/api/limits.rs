//! Hostile bodies get a clear 4xx quickly and the gateway keeps serving.

use actix_web::http::Method;

use crate::helpers::*;

async fn still_serving(app: &TestApp) {
    app.get("/accounts/10000001", "application/json")
        .await
        .good();
}

#[actix_web::test]
async fn entity_tricks_are_refused_without_expansion() {
    let app = spawn_demo();
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
        <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><getAccount><externalReference>&lol3;</externalReference></getAccount>"#;
    let external = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><getAccount><externalReference>&xxe;</externalReference></getAccount>"#;
    for body in [laughs, external] {
        let r = app.post_xml("/ws/GetAccount", body).await;
        assert_eq!(
            (r.status, xml_text(&r.body, "messageId")),
            (400, Some("DTD_NOT_ALLOWED"))
        );
        assert!(!r.body.contains("root:"));
    }
    let soap = format!(
        "<!DOCTYPE x [<!ENTITY a 'b'>]>{}",
        soap_envelope("agreement", "QueryAgreement", "Request", "")
    );
    let r = app.post_soap(AGREEMENT_PORT, &soap).await;
    assert!(
        r.body.contains("<MessageId>DTD_NOT_ALLOWED</MessageId>"),
        "{}",
        r.body
    );
    still_serving(&app).await;
}

#[actix_web::test]
async fn a_very_deep_document_is_refused() {
    let app = spawn_demo();
    let depth = 100_000;
    let xml = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    let r = app.post_xml("/ws/GetAccount", &xml).await;
    assert_eq!(
        (r.status, xml_text(&r.body, "messageId")),
        (400, Some("LIMIT_EXCEEDED"))
    );
    let json = format!("{}{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    let r = app.post_json("/ws/GetAccount", &json).await;
    assert_eq!(
        (r.status, r.json()["details"]["messageId"].as_str()),
        (400, Some("LIMIT_EXCEEDED"))
    );
    let wide = format!("<getAccount>{}</getAccount>", "<x/>".repeat(20_000));
    let r = app.post_xml("/ws/GetAccount", &wide).await;
    assert_eq!(xml_text(&r.body, "messageId"), Some("LIMIT_EXCEEDED"));
    still_serving(&app).await;
}

#[actix_web::test]
async fn a_50_mib_body_is_refused_before_it_is_read() {
    let app = spawn_demo();
    let big = vec![b' '; 50 * 1024 * 1024];
    let r = app
        .request_bytes(
            Method::POST,
            "/ws/GetAccount",
            &[("content-type", "application/json")],
            big,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["details"]["messageId"].as_str()),
        (413, Some("PAYLOAD_TOO_LARGE"))
    );
    still_serving(&app).await;
}
