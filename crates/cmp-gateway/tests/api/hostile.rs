//! Hostile input (issue 9): every class answers a well-formed fault in the client's dialect,
//! never a panic, and the gateway keeps serving. One test per class, in each dialect the
//! class applies to.

use actix_web::http::Method;
use actix_web::{test, web, App};
use base64::Engine;
use cmp_gateway::registry::{Binding, Operation, Rest, Role};
use cmp_gateway::{configure, dispatch};
use cmp_model::messages as m;

use crate::helpers::*;

const SUBSCRIPTION_PORT: &str = "/ws/dise3g/services/SubscriptionPort";
const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// The (messageId, extraInfo) of each field error of a REST JSON fault.
fn json_errors(r: &Resp) -> Vec<(String, String)> {
    r.json()["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors: {}", r.body))
        .iter()
        .map(|e| {
            (
                e["messageId"].as_str().unwrap().to_string(),
                e["extraInfo"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The (messageId, extraInfo) of each field error of an XML or SOAP fault (any case).
fn xml_errors(body: &str) -> Vec<(String, String)> {
    let doc = roxmltree::Document::parse(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    doc.descendants()
        .filter(|n| n.tag_name().name().eq_ignore_ascii_case("error"))
        .map(|e| {
            let text = |name: &str| {
                e.children()
                    .find(|c| c.tag_name().name().eq_ignore_ascii_case(name))
                    .and_then(|c| c.text())
                    .unwrap_or_default()
                    .to_string()
            };
            (text("messageId"), text("extraInfo"))
        })
        .collect()
}

fn one(code: &str, path: &str) -> Vec<(String, String)> {
    vec![(code.to_string(), path.to_string())]
}

/// Asserts `status` and exactly one field error `code` at `path`, in the answer's dialect.
#[track_caller]
fn assert_refused(r: &Resp, status: u16, code: &str, path: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    let errors = if r.content_type().starts_with("application/json") {
        json_errors(r)
    } else {
        xml_errors(&r.body)
    };
    assert_eq!(errors, one(code, path), "{}", r.body);
}

async fn still_serving(app: &TestApp) {
    app.get("/accounts/10000001", "application/json")
        .await
        .good();
}

// Class 1: multi-byte text in a typed field.

/// `strip_zone` used to cut this at `len - 6`, inside the `é`: a panic on a blocking thread.
const MULTI_BYTE_DATE: &str = "2024-01-31é12345";

#[actix_web::test]
async fn a_multi_byte_date_is_a_field_error_in_every_dialect_not_a_panic() {
    let app = spawn_demo();
    let xml = format!(
        "<queryCompatiblePackages><subscriptionNumber>60272</subscriptionNumber><eligibilityRules>\
         <salesChannel>MYACCOUNT</salesChannel><asOfDate><date>{MULTI_BYTE_DATE}</date></asOfDate>\
         </eligibilityRules></queryCompatiblePackages>"
    );
    let r = app.post_xml("/ws/QueryCompatiblePackages", &xml).await;
    assert_refused(
        &r,
        400,
        "INVALID_FORMAT",
        "queryCompatiblePackages/eligibilityRules/asOfDate/date",
    );

    let json = format!(
        r#"{{"subscriptionNumber":60272,"eligibilityRules":{{"salesChannel":"MYACCOUNT","asOfDate":{{"date":"{MULTI_BYTE_DATE}"}}}}}}"#
    );
    let r = app.post_json("/ws/QueryCompatiblePackages", &json).await;
    assert_refused(&r, 400, "INVALID_FORMAT", "eligibilityRules.asOfDate.date");

    let env = soap_envelope(
        "subscription",
        "QueryCompatiblePackages",
        "Request",
        &format!("<SubscriptionNumber>60272</SubscriptionNumber><EligibilityRules><SalesChannel>MYACCOUNT</SalesChannel><AsOfDate><Date>{MULTI_BYTE_DATE}</Date></AsOfDate></EligibilityRules>"),
    );
    let r = app.post_soap(SUBSCRIPTION_PORT, &env).await;
    assert_refused(
        &r,
        500,
        "INVALID_FORMAT",
        "QueryCompatiblePackages/Request/EligibilityRules/AsOfDate/Date",
    );

    // A GET query parameter: é is %C3%A9.
    let r = app
        .get(
            "/subscriptions/60272/compatiblePackages?eligibilityRules.salesChannel=MYACCOUNT\
             &eligibilityRules.asOfDate.date=2024-01-31%C3%A912345",
            "application/json",
        )
        .await;
    assert_refused(&r, 400, "INVALID_FORMAT", "eligibilityRules.asOfDate.date");
    still_serving(&app).await;
}

/// A test-only operation whose core function panics: mounted by this test next to the
/// real routes, so no request to the gateway itself can reach it.
static PANICS: Operation = Operation {
    name: "DeliberatePanic",
    aliases: &[],
    role: Role::Read,
    document: Binding {
        request_root: <m::GetAccountRequest as cmp_model::Document>::ROOT,
        request_aliases: &[],
        response_root: "getAccountResponse",
        screens_card_numbers: false,
        call: |_, _| panic!("a deliberate panic in an operation"),
    },
    soap: None,
    rest: Some(Rest {
        method: cmp_gateway::registry::Method::Get,
        path: "/test/panic",
        params: &[],
        binding: None,
        creates: false,
    }),
};

#[actix_web::test]
async fn a_panicking_operation_answers_one_system_fault_and_the_next_request_works() {
    let app = spawn_demo();
    let service = test::init_service(
        App::new()
            .service(
                web::resource("/test/panic")
                    .to(|req, payload, state| dispatch::rest(&PANICS, req, payload, state)),
            )
            .configure(configure(app.state.clone())),
    )
    .await;
    // More panics than a blocking pool has threads: each one is caught, none kills a thread.
    for i in 0..3 {
        let id = format!("panic-{i}");
        let req = test::TestRequest::get()
            .uri("/test/panic")
            .insert_header(("x-request-id", id.as_str()))
            .to_request();
        let resp = test::call_service(&service, req).await;
        assert_eq!(resp.status().as_u16(), 500);
        let body: serde_json::Value = test::read_body_json(resp).await;
        assert_eq!(body["fault"], "SystemFault", "{body}");
        assert_eq!(body["details"]["messageId"], "SYSTEM_ERROR");
        assert_eq!(body["details"]["extraInfo"], id.as_str());
        let next = test::TestRequest::get()
            .uri("/accounts/10000001")
            .to_request();
        assert_eq!(test::call_service(&service, next).await.status(), 200);
    }
}

// Class 2: characters a database or XML cannot hold.

#[actix_web::test]
async fn forbidden_characters_are_refused_naming_the_field_in_every_dialect() {
    let app = spawn_demo();
    let field = "createAgreement/agreementData/billingMedia";
    // XML: a raw control character, character references to U+0001, U+0000, U+FFFF and a
    // surrogate.
    for bad in [
        "P\u{1}APER",
        "P&#1;APER",
        "P&#0;APER",
        "P&#xFFFF;",
        "&#xD800;",
    ] {
        let body = format!(
            "<createAgreement><agreementData><accountCode>10000004</accountCode><billingMedia>{bad}</billingMedia></agreementData></createAgreement>"
        );
        let r = app.post_xml("/ws/CreateAgreement", &body).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert_eq!(
            xml_errors(&r.body),
            one("FORBIDDEN_CHARACTER", field),
            "{bad}"
        );
    }
    // JSON: escapes of U+0000, U+0001, U+FFFE and a lone surrogate.
    for bad in [r"P\u0000", r"P\u0001", r"\ufffe", r"x\ud800", r"\udc00y"] {
        let body =
            format!(r#"{{"agreementData":{{"accountCode":10000004,"billingMedia":"{bad}"}}}}"#);
        let r = app.post_json("/ws/CreateAgreement", &body).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert_eq!(
            json_errors(&r),
            one("FORBIDDEN_CHARACTER", "agreementData.billingMedia"),
            "{bad}"
        );
    }
    // SOAP, and the externalReference is neither echoed nor the cause of an ill-formed answer.
    let env = soap_envelope(
        "agreement",
        "CreateAgreement",
        "AgreementData",
        "<ExternalReference>R&#1;\u{1b}</ExternalReference><AgreementData><AccountCode>10000004</AccountCode></AgreementData>",
    );
    let r = app.post_soap(AGREEMENT_PORT, &env).await;
    assert_refused(
        &r,
        500,
        "FORBIDDEN_CHARACTER",
        "CreateAgreement/AgreementData/ExternalReference",
    );
    // A query parameter and a path parameter (U+0000 gave a 500 on PostgreSQL).
    let r = app
        .get("/subscriptions?serialNumber=%00", "application/json")
        .await;
    assert_refused(&r, 400, "FORBIDDEN_CHARACTER", "serialNumber");
    let r = app
        .post_json(
            "/oneTimePasswords/ab%00cd/verification",
            r#"{"password":"123456"}"#,
        )
        .await;
    assert_refused(&r, 400, "FORBIDDEN_CHARACTER", "otpReference");
    // A credential: a Basic password holding U+0000 is a bad key (401), never a query.
    let basic = base64::engine::general_purpose::STANDARD.encode("crm:cmp_ab\u{0}cd_secret");
    let auth = format!("Basic {basic}");
    let r = app
        .request(
            Method::GET,
            "/accounts/10000001",
            &[("authorization", auth.as_str())],
            "",
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.json()["details"]["messageId"], "INVALID_CREDENTIALS");
    let r = app.get("/accounts/1%00", "application/xml").await;
    assert_eq!(
        xml_errors(&r.body),
        one("FORBIDDEN_CHARACTER", "getAccount/accountNumber")
    );
    still_serving(&app).await;
}

#[actix_web::test]
async fn a_stored_forbidden_character_never_makes_an_answer_ill_formed() {
    let app = spawn_demo();
    // Stored behind the API's back (as data from before this rule could be).
    let created = cmp_core::structure::create_account(
        &app.context(),
        m::CreateAccountRequest {
            customer_number: 30000001,
            account_name: Some("A\u{1}B\u{FFFE}C".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let path = format!("/accounts/{}", created.account_number);
    let xml = app.get(&path, "application/xml").await.good();
    let doc = roxmltree::Document::parse(&xml.body).unwrap_or_else(|e| panic!("{e}: {}", xml.body));
    let name = doc
        .descendants()
        .find(|n| n.has_tag_name("accountName"))
        .and_then(|n| n.text());
    assert_eq!(name, Some("A\u{FFFD}B\u{FFFD}C"));
    let json = app.get(&path, "application/json").await.good();
    assert_eq!(json.json()["account"]["accountName"], "A\u{1}B\u{FFFE}C");
}

// Class 3: a self-closing root.

#[actix_web::test]
async fn a_self_closing_root_is_a_document() {
    let app = spawn_demo();
    let r = app.post_xml("/ws/GetAccount", "<getAccount/>").await;
    assert_refused(&r, 400, "MANDATORY", "getAccount/accountNumber");
    let r = app
        .post_xml(
            "/ws/GetCatalogue",
            "<?xml version=\"1.0\"?>\n<getCatalogue/>\n",
        )
        .await
        .good();
    assert!(r.body.contains("<catalogue>"), "{}", r.body);
}

// Class 4: SOAP envelopes.

fn query_agreements_11(header: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="{SOAP11}"><s:Header>{header}</s:Header><s:Body><d:QueryAgreementsByCustomerLevel xmlns:d="http://mdsuk.com/ws/dise3g/agreement/definition"><d:Request><AccountIdentifier>10000002</AccountIdentifier></d:Request></d:QueryAgreementsByCustomerLevel></s:Body></s:Envelope>"#
    )
}

#[actix_web::test]
async fn a_mandatory_header_block_gets_a_must_understand_fault_in_soap_11_and_12() {
    let app = spawn_demo();
    let wsse = r#"<w:Security xmlns:w="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" s:mustUnderstand="1"><w:UsernameToken/></w:Security>"#;
    let r = app
        .post_soap(AGREEMENT_PORT, &query_agreements_11(wsse))
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(
        r.body
            .contains("<faultcode>soapenv:MustUnderstand</faultcode>"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("AgreementNumber") && !r.body.contains("<detail>"));
    // Not marked, or marked 0, or for another actor: ignored, the request runs.
    for ignored in [
        r#"<a:Trace xmlns:a="urn:trace">x</a:Trace>"#,
        r#"<a:Trace xmlns:a="urn:trace" s:mustUnderstand="0"/>"#,
        r#"<a:Trace xmlns:a="urn:trace" s:mustUnderstand="1" s:actor="urn:a-proxy"/>"#,
    ] {
        let r = app
            .post_soap(AGREEMENT_PORT, &query_agreements_11(ignored))
            .await
            .good();
        assert!(r.body.contains("<AgreementNumber>"), "{}", r.body);
    }

    let env12 = format!(
        r#"<e:Envelope xmlns:e="{SOAP12}"><e:Header><a:AuditRecord xmlns:a="urn:audit" e:mustUnderstand="true"><a:UserID>u</a:UserID></a:AuditRecord></e:Header><e:Body><d:QueryAgreementsByCustomerLevel xmlns:d="http://mdsuk.com/ws/dise3g/agreement/definition"><d:Request><AccountIdentifier>10000002</AccountIdentifier></d:Request></d:QueryAgreementsByCustomerLevel></e:Body></e:Envelope>"#
    );
    let r = app
        .request(
            Method::POST,
            AGREEMENT_PORT,
            &[("content-type", "application/soap+xml; charset=utf-8")],
            &env12,
        )
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(r.content_type().starts_with("application/soap+xml"));
    let doc = roxmltree::Document::parse(&r.body).unwrap();
    let nu = doc
        .descendants()
        .find(|n| n.has_tag_name((SOAP12, "NotUnderstood")))
        .expect("a NotUnderstood header block");
    let qname = nu.attribute("qname").unwrap();
    let (prefix, local) = qname.split_once(':').unwrap();
    assert_eq!(
        (nu.lookup_namespace_uri(Some(prefix)), local),
        (Some("urn:audit"), "AuditRecord")
    );
    let value = doc
        .descendants()
        .find(|n| n.has_tag_name((SOAP12, "Value")))
        .and_then(|n| n.text());
    assert_eq!(value, Some("soapenv:MustUnderstand"));
}

#[actix_web::test]
async fn a_soap_body_holds_one_element_and_no_text() {
    let app = spawn_demo();
    let good = query_agreements_11("");
    let (head, rest) = good.split_once("<s:Body>").unwrap();
    let (op, tail) = rest.split_once("</s:Body>").unwrap();
    for body in [
        format!("{op}{op}"),
        format!("stray {op}"),
        format!("{op}stray"),
    ] {
        let env = format!("{head}<s:Body>{body}</s:Body>{tail}");
        let r = app.post_soap(AGREEMENT_PORT, &env).await;
        assert_eq!(r.status, 500, "{}", r.body);
        assert!(
            r.body.contains("<faultcode>soapenv:Client</faultcode>")
                && r.body.contains("<MessageId>MALFORMED_REQUEST</MessageId>"),
            "{}",
            r.body
        );
    }
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    "\u{FEFF}"
        .encode_utf16()
        .chain(text.encode_utf16())
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

#[actix_web::test]
async fn a_utf16_envelope_with_a_byte_order_mark_is_read() {
    let app = spawn_demo();
    let env = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?>{}",
        query_agreements_11("")
    );
    for (big, ct) in [
        (false, "text/xml; charset=utf-16"),
        (true, "text/xml; charset=UTF-16"),
        (false, "text/xml"),
    ] {
        let r = app
            .request_bytes(
                Method::POST,
                AGREEMENT_PORT,
                &[("content-type", ct)],
                utf16(&env, big),
            )
            .await
            .good();
        assert!(r.body.contains("<AgreementNumber>"), "{}", r.body);
    }
}

// Class 7: integers, in JSON by the number's value (as JSON Schema's `integer`), in XML
// by the XSD lexical form.

#[actix_web::test]
async fn an_integer_is_a_whole_number_in_json_and_digits_with_a_sign_in_xml() {
    let app = spawn_demo();
    for (json, code) in [
        ("3.5", "INVALID_FORMAT"),
        ("1e-1", "INVALID_FORMAT"),
        ("9007199254740993.0", "INVALID_FORMAT"),
        ("{}", "INVALID_FORMAT"),
        ("[]", "INVALID_FORMAT"),
        (r#"{"a":1}"#, "INVALID_FORMAT"),
        ("99999999999999999999999", "INVALID_FORMAT"),
        ("18446744073709551615", "OUT_OF_RANGE"),
        ("-1", "OUT_OF_RANGE"),
    ] {
        let r = app
            .post_json("/ws/GetAccount", &format!(r#"{{"accountNumber":{json}}}"#))
            .await;
        assert_eq!(r.status, 400, "{json}: {}", r.body);
        assert_eq!(json_errors(&r), one(code, "accountNumber"), "{json}");
    }
    for (xml, code) in [
        ("3.0", "INVALID_FORMAT"),
        ("1e1", "INVALID_FORMAT"),
        ("99999999999999999999999", "OUT_OF_RANGE"),
    ] {
        let r = app
            .post_xml(
                "/ws/GetAccount",
                &format!("<getAccount><accountNumber>{xml}</accountNumber></getAccount>"),
            )
            .await;
        assert_eq!(
            xml_errors(&r.body),
            one(code, "getAccount/accountNumber"),
            "{xml}"
        );
    }
    // The sign, a numeric string and a whole number written with a fraction or an
    // exponent are accepted: JSON does not tell 10000001.0 from 10000001.
    for json in [r#""+10000001""#, "10000001.0", "1.0000001e7"] {
        let r = app
            .post_json("/ws/GetAccount", &format!(r#"{{"accountNumber":{json}}}"#))
            .await
            .good();
        assert!(r.body.contains("10000001"), "{json}: {}", r.body);
    }
    // An empty object where a container belongs is still an absent container.
    app.post_json(
        "/ws/QueryCompatiblePackages",
        r#"{"subscriptionNumber":60272,"eligibilityRules":{}}"#,
    )
    .await
    .good();
}

// Class 8: HEAD, and request heads over the limits.

#[actix_web::test]
async fn head_answers_like_get() {
    let app = spawn_demo();
    for path in [
        "/accounts/10000001",
        "/health/live",
        "/openapi.json",
        "/catalogue",
    ] {
        let get = app.get(path, "application/json").await.good();
        let head = app
            .request(Method::HEAD, path, &[("accept", "application/json")], "")
            .await;
        assert_eq!(head.status, 200, "{path}: {}", head.body);
        assert_eq!(head.content_type(), get.content_type(), "{path}");
    }
}

#[actix_web::test]
async fn an_oversized_uri_or_header_block_gets_a_fault_body() {
    let app = spawn_demo();
    let long = format!("/accounts/10000001?x={}", "a".repeat(9 * 1024));
    let r = app.get(&long, "application/json").await;
    assert_eq!(r.status, 414, "{}", r.body);
    assert_eq!(r.json()["details"]["messageId"], "URI_TOO_LONG");
    let r = app.get(&long, "application/xml").await;
    assert_eq!(
        (r.status, xml_text(&r.body, "messageId")),
        (414, Some("URI_TOO_LONG"))
    );
    let big = "b".repeat(40 * 1024);
    let r = app
        .request(
            Method::POST,
            "/ws/GetAccount",
            &[("accept", "application/json"), ("x-big", big.as_str())],
            r#"{"accountNumber":10000001}"#,
        )
        .await;
    assert_eq!(r.status, 431);
    assert_eq!(r.json()["details"]["messageId"], "HEADERS_TOO_LARGE");
    // On a SOAP port, a SOAP fault.
    let r = app
        .request(
            Method::POST,
            &format!("{SUBSCRIPTION_PORT}?x={}", "a".repeat(9 * 1024)),
            &[("content-type", "text/xml")],
            "<x/>",
        )
        .await;
    assert!(
        r.body.contains("Envelope") && r.body.contains("URI_TOO_LONG"),
        "{}",
        r.body
    );
    assert_eq!(r.status, 500, "{}", r.body);
    still_serving(&app).await;
}

// Class 13: a query parameter by its leaf name.

#[actix_web::test]
async fn a_query_parameter_may_be_named_by_an_unambiguous_leaf() {
    let app = spawn_demo();
    let dotted = app
        .get(
            "/subscriptions/60272/compatiblePackages?eligibilityRules.salesChannel=MYACCOUNT",
            "application/json",
        )
        .await
        .good();
    let leaf = app
        .get(
            "/subscriptions/60272/compatiblePackages?salesChannel=MYACCOUNT",
            "application/json",
        )
        .await
        .good();
    assert_eq!(leaf.json(), dotted.json());
    // `name` is parameters.parameter.name and parameters.name: refused, naming both.
    let r = app
        .get(
            "/subscriptions/60272/compatiblePackages?salesChannel=MYACCOUNT&name=x",
            "application/json",
        )
        .await;
    assert_refused(&r, 400, "AMBIGUOUS_PARAMETER", "name");
    let text = r.json()["errors"][0]["messageText"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("eligibilityRules.parameters.parameter.name")
            && text.contains("eligibilityRules.parameters.name"),
        "{text}"
    );
    let r = app
        .get(
            "/subscriptions/60272/compatiblePackages?nosuch=1",
            "application/json",
        )
        .await;
    assert_eq!(json_errors(&r), one("UNKNOWN_ELEMENT", "nosuch"));
}

/// A query is read strictly, like a body: bytes that are not UTF-8 once percent-decoded are
/// refused naming the parameter, never read with U+FFFD in their place.
#[actix_web::test]
async fn a_query_parameter_that_is_not_utf8_is_refused() {
    let app = spawn_demo();
    for accept in ["application/json", "application/xml"] {
        let r = app
            .get("/accounts/10000003?externalReference=GA%ED%A0%80", accept)
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        assert!(r.body.contains("MALFORMED_REQUEST"), "{}", r.body);
        assert!(r.body.contains("externalReference"), "{}", r.body);
        assert!(!r.body.contains('\u{FFFD}'), "{}", r.body);
    }
    // Percent-encoded UTF-8 and `+` still decode.
    let r = app
        .get(
            "/accounts/10000003?externalReference=G%C3%A9+1",
            "application/json",
        )
        .await
        .good();
    assert_eq!(r.json()["externalReference"], "Gé 1");
}

/// A request without a body that declares its Content-Type and no Accept is answered in the
/// declared format, on every route (as a request refused before its body was read is).
#[actix_web::test]
async fn a_bodiless_request_is_answered_in_its_declared_content_type() {
    let app = spawn_demo();
    let r = app
        .request(
            Method::GET,
            "/accounts/10000003",
            &[("Content-Type", "application/xml")],
            "",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.trim_start().starts_with('<'), "{}", r.body);
    let r = app
        .request(
            Method::PATCH,
            "/customers/30000001/contactDetails",
            &[("Content-Type", "application/xml")],
            "  ",
        )
        .await;
    assert!(r.body.trim_start().starts_with('<'), "{}", r.body);
    roxmltree::Document::parse(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body));
}

// Class 14b: text beside elements is refused, never dropped (a resource route's body that
// is a value gets the path's elements added: the text is still there).

#[actix_web::test]
async fn text_beside_elements_is_refused() {
    let app = spawn_demo();
    for (method, path, body, at) in [
        (
            Method::PATCH,
            "/accounts/10000003",
            "<patchAccount>true</patchAccount>",
            "patchAccount",
        ),
        (
            Method::POST,
            "/ws/GetAccount",
            "<getAccount>x<accountNumber>10000001</accountNumber></getAccount>",
            "getAccount",
        ),
    ] {
        let r = app
            .request(method, path, &[("Content-Type", "application/xml")], body)
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert_eq!(xml_errors(&r.body), one("INVALID_FORMAT", at), "{body}");
    }
}

// Class 14d: JSON types: a number or boolean where a string belongs, and a body that is
// not an object, are refused.

#[actix_web::test]
async fn json_values_of_another_type_are_refused() {
    let app = spawn_demo();
    for v in ["false", "12", "1.5"] {
        let body = format!(r#"{{"externalReference":{v},"accountNumber":10000001}}"#);
        let r = app.post_json("/ws/GetAccount", &body).await;
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert_eq!(
            json_errors(&r),
            one("INVALID_FORMAT", "externalReference"),
            "{body}"
        );
    }
    for body in ["null", "\"\"", "true"] {
        let r = app.post_json("/ws/GetCatalogue", body).await;
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert!(r.body.contains("must be an object"), "{body}: {}", r.body);
    }
}

// Class 14c: a path parameter is read percent-decoded, the escapes the router keeps
// (`%25`, `%2B`) included.

#[actix_web::test]
async fn path_parameters_are_read_percent_decoded() {
    let app = spawn_demo();
    // "A%B+C" is 5 characters (a group code takes 6): no such group, not too long.
    let r = app.get("/groups/A%25B%2BC", "application/json").await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = app.get("/groups/A%25B%2BCDEF", "application/json").await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("TOO_LONG"), "{}", r.body);
}

// Class 15: readiness needs the migrations.

#[actix_web::test]
async fn ready_needs_a_migrated_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("unmigrated.db").display());
    let store = cmp_store::Store::open_unmigrated(&url, cmp_store::PoolOptions::default()).unwrap();
    let state =
        cmp_gateway::AppState::new(store.clone(), std::sync::Arc::new(cmp_core::SystemClock));
    let service = test::init_service(App::new().configure(configure(state))).await;
    let ready = || test::TestRequest::get().uri("/health/ready").to_request();
    let resp = test::call_service(&service, ready()).await;
    assert_eq!(resp.status().as_u16(), 503);
    assert!(resp.headers().contains_key("retry-after"));
    let body: serde_json::Value = test::read_body_json(resp).await;
    assert_eq!(body["reason"], "migrations pending");
    let live = test::TestRequest::get().uri("/health/live").to_request();
    assert_eq!(test::call_service(&service, live).await.status(), 200);
    store.migrate().unwrap();
    assert_eq!(test::call_service(&service, ready()).await.status(), 200);
}
