//! Content negotiation over HTTP (WIRE.md §2): request format, Accept, 406/415, sniffing,
//! charsets, and faults for routes and methods that do not exist.

use actix_web::http::Method;

use crate::helpers::*;

const DOC: &str = "<getAccount><accountNumber>10000001</accountNumber></getAccount>";

async fn get_account(app: &TestApp, headers: &[(&str, &str)], body: &str) -> Resp {
    app.request(Method::POST, "/ws/GetAccount", headers, body)
        .await
}

#[actix_web::test]
async fn the_answer_follows_accept_then_the_request_format() {
    let app = spawn_demo();
    // (request headers, body, status, answer's content type)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, u16, &'a str);
    let cases: &[Case] = &[
        (
            &[("content-type", "application/xml")],
            DOC,
            200,
            "application/xml",
        ),
        (&[("content-type", "text/xml")], DOC, 200, "application/xml"),
        (
            &[
                ("content-type", "application/xml"),
                ("accept", "application/json"),
            ],
            DOC,
            200,
            "application/json",
        ),
        (
            &[("content-type", "application/xml"), ("accept", "*/*")],
            DOC,
            200,
            "application/xml",
        ),
        (
            &[("content-type", "application/xml"), ("accept", "text/xml")],
            DOC,
            200,
            "text/xml",
        ),
        (
            &[
                ("content-type", "application/xml"),
                ("accept", "application/xml;q=0, */*"),
            ],
            DOC,
            200,
            "application/json",
        ),
        (
            &[
                ("content-type", "application/xml"),
                ("accept", "application/*;q=0.5, application/json;q=0.1"),
            ],
            DOC,
            200,
            "application/xml",
        ),
        (
            &[("content-type", "application/json")],
            r#"{"accountNumber":10000001}"#,
            200,
            "application/json",
        ),
        (
            &[
                ("content-type", "application/json"),
                ("accept", "application/xml"),
            ],
            r#"{"accountNumber":10000001}"#,
            200,
            "application/xml",
        ),
        (
            &[("content-type", "application/vnd.cmp+json")],
            r#"{"accountNumber":10000001}"#,
            200,
            "application/json",
        ),
        // No Content-Type: sniffed.
        (&[], DOC, 200, "application/xml"),
        (
            &[],
            r#"  {"accountNumber":10000001}"#,
            200,
            "application/json",
        ),
        // Refusals: 406 in JSON, 415 naming the types.
        (
            &[("content-type", "application/xml"), ("accept", "text/html")],
            DOC,
            406,
            "application/json",
        ),
        (
            &[
                ("content-type", "application/xml"),
                (
                    "accept",
                    "application/json;q=0, application/xml;q=0, text/xml;q=0",
                ),
            ],
            DOC,
            406,
            "application/json",
        ),
        (
            &[("content-type", "text/plain")],
            DOC,
            415,
            "application/json",
        ),
        (&[], "accountNumber=1", 415, "application/json"),
        (
            &[("content-type", "application/xml; charset=shift_jis")],
            DOC,
            415,
            "application/xml",
        ),
    ];
    for (headers, body, status, ct) in cases {
        let r = get_account(&app, headers, body).await;
        assert_eq!(r.status, *status, "{headers:?}: {}", r.body);
        assert!(
            r.content_type().starts_with(ct),
            "{headers:?}: {}",
            r.content_type()
        );
        assert_eq!(r.header("vary"), Some("Accept"), "{headers:?}");
        if *status == 200 && ct.contains("json") {
            assert_eq!(r.json()["account"]["accountNumber"], 10000001);
        }
    }
}

#[actix_web::test]
async fn a_get_without_accept_answers_json() {
    let app = spawn_demo();
    let r = app
        .request(Method::GET, "/accounts/10000001", &[], "")
        .await
        .good();
    assert!(r.content_type().starts_with("application/json"));
}

#[actix_web::test]
async fn a_latin1_body_is_decoded() {
    let app = spawn_demo();
    let mut body = b"<createGroup><groupCode>LAT1</groupCode><description>Caf".to_vec();
    body.push(0xE9); // é in ISO-8859-1
    body.extend_from_slice(b"</description></createGroup>");
    let headers = [("content-type", "application/xml; charset=ISO-8859-1")];
    let r = app
        .request_bytes(Method::POST, "/ws/CreateGroup", &headers, body.clone())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Without the charset the same bytes are not UTF-8.
    let r = app
        .request_bytes(
            Method::POST,
            "/ws/CreateGroup",
            &[("content-type", "application/xml")],
            body,
        )
        .await;
    assert_eq!(r.status, 400);
}

#[actix_web::test]
async fn malformed_bodies_name_where_they_break() {
    let app = spawn_demo();
    let r = app
        .post_xml(
            "/ws/GetAccount",
            "<getAccount>\n<accountNumber>1</accountNumbr>\n</getAccount>",
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        xml_text(&r.body, "messageText").unwrap().contains("line 2"),
        "{}",
        r.body
    );
    let r = app
        .post_json("/ws/GetAccount", "{\"accountNumber\": }")
        .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["details"]["messageText"]
        .as_str()
        .unwrap()
        .contains("line 1"));
    let r = app
        .post_xml(
            "/ws/GetAccount",
            "<!DOCTYPE x [<!ENTITY a 'b'>]><getAccount/>",
        )
        .await;
    assert_eq!(xml_text(&r.body, "messageId"), Some("DTD_NOT_ALLOWED"));
    let r = app
        .post_xml(
            "/ws/GetAccount",
            "<getAccounts><accountNumber>1</accountNumber></getAccounts>",
        )
        .await;
    assert_eq!(
        (r.status, xml_text(&r.body, "extraInfo")),
        (400, Some("getAccounts"))
    );
}

#[actix_web::test]
async fn unknown_routes_methods_and_operations_are_faults_in_the_clients_format() {
    let app = spawn_demo();
    let r = app.get("/nowhere", "application/xml").await;
    assert_eq!(
        (r.status, xml_text(&r.body, "messageId")),
        (404, Some("NO_SUCH_ROUTE"))
    );
    let r = app
        .request(
            Method::DELETE,
            "/agreements/20000001",
            &[("accept", "application/json")],
            "",
        )
        .await;
    assert_eq!(
        (r.status, r.json()["details"]["messageId"].as_str()),
        (405, Some("METHOD_NOT_ALLOWED"))
    );
    // RFC 9110: a 405 lists the resource's methods.
    assert_eq!(
        r.header("allow"),
        Some("GET, PATCH, HEAD"),
        "{:?}",
        r.headers
    );
    let r = app.post_json("/ws/NoSuchOperation", "{}").await;
    assert_eq!(r.status, 404);
    let r = app.request(Method::GET, "/ws/GetAccount", &[], "").await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
}

#[actix_web::test]
async fn a_body_over_the_limit_is_refused() {
    let mut app = spawn_demo();
    app.state.max_body = 1024;
    let big = format!(
        "<getAccount><externalReference>{}</externalReference></getAccount>",
        "x".repeat(2000)
    );
    let r = app.post_xml("/ws/GetAccount", &big).await;
    assert_eq!(
        (r.status, xml_text(&r.body, "messageId")),
        (413, Some("PAYLOAD_TOO_LARGE"))
    );
}

#[actix_web::test]
async fn the_request_id_is_echoed_or_made() {
    let app = spawn_demo();
    let r = app
        .request(
            Method::GET,
            "/accounts/10000001",
            &[("x-request-id", "abc-123")],
            "",
        )
        .await;
    assert_eq!(r.header("x-request-id"), Some("abc-123"));
    let r = app.get("/accounts/10000001", "application/json").await;
    assert_eq!(r.header("x-request-id").map(str::len), Some(36));
}

#[actix_web::test]
async fn a_query_or_body_may_repeat_the_path_only_with_its_value() {
    let app = spawn_demo();
    let other = app
        .get(
            "/accounts/10000001?accountNumber=10000002",
            "application/json",
        )
        .await;
    assert_eq!(
        (
            other.status,
            other.json()["errors"][0]["messageId"].as_str(),
            other.json()["errors"][0]["extraInfo"].as_str()
        ),
        (400, Some("PATH_MISMATCH"), Some("accountNumber")),
        "{}",
        other.body
    );
    let same = app
        .get(
            "/accounts/10000001?accountNumber=010000001",
            "application/json",
        )
        .await
        .good();
    assert_eq!(same.json()["account"]["accountNumber"], 10000001);
    // A body too, in XML as in JSON; a value that is not even a number is no exception.
    let xml = app
        .post_xml(
            "/subscriptions/60271/attributes",
            "<createSubscriptionAttribute><subscriptionNumber>x</subscriptionNumber><name>Device Name</name><value>v</value></createSubscriptionAttribute>",
        )
        .await;
    assert_eq!(xml.status, 400, "{}", xml.body);
    assert!(
        xml.body.contains("<messageId>PATH_MISMATCH</messageId>"),
        "{}",
        xml.body
    );
    assert!(
        xml.body
            .contains("<extraInfo>createSubscriptionAttribute/subscriptionNumber</extraInfo>"),
        "{}",
        xml.body
    );
}

#[actix_web::test]
async fn a_json_key_given_twice_is_refused_like_a_repeated_element() {
    let app = spawn_demo();
    let r = app
        .post_json(
            "/ws/GetAccount",
            r#"{"accountNumber": 10000001, "accountNumber": 10000002}"#,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["messageId"].as_str()),
        (400, Some("DUPLICATE_ELEMENT"))
    );
}

#[actix_web::test]
async fn a_truncated_xml_body_names_where_it_ends() {
    let app = spawn_demo();
    let r = app
        .post_xml(
            "/ws/CreateAgreement",
            "<createAgreement>\n  <agreementData>\n    <accountCode>10000001</accountCode>\n",
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        xml_text(&r.body, "messageText").unwrap().contains("line 4"),
        "{}",
        r.body
    );
}

/// A body of blanks is a body where the method reads one (not JSON, not XML: malformed),
/// and no body where it reads none (a GET's parameters come from its path and query).
#[actix_web::test]
async fn a_blank_body_is_malformed_where_a_body_is_read() {
    let app = spawn_demo();
    let json = [("content-type", "application/json")];
    let r = app
        .request(Method::PATCH, "/accounts/10000005", &json, "\r\n ")
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        r.json()["details"]["messageId"],
        "MALFORMED_REQUEST",
        "{}",
        r.body
    );
    let r = app
        .request(Method::GET, "/accounts/10000005", &json, "\r\n ")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // No body at all, where every field is optional: nothing to change.
    let r = app
        .request(Method::PATCH, "/accounts/10000005", &json, "")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}
