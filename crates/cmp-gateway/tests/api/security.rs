//! API keys and roles in every dialect, revocation, and the audit trail.

use actix_web::http::Method;
use base64::Engine;
use cmp_core::keys::{self, Role};

use crate::helpers::*;

struct Keys {
    read: String,
    write: String,
    admin: String,
}

fn with_keys(app: &TestApp) -> Keys {
    let ctx = app.context();
    Keys {
        read: keys::add_key(&ctx, "crm-read", Role::Read).unwrap(),
        write: keys::add_key(&ctx, "crm-write", Role::Write).unwrap(),
        admin: keys::add_key(&ctx, "ops", Role::Admin).unwrap(),
    }
}

const CREATE_JSON: &str = r#"{"agreementData":{"accountCode":10000001}}"#;

fn create_soap() -> String {
    soap_envelope(
        "agreement",
        "CreateAgreement",
        "AgreementData",
        "<AgreementData><AccountCode>10000001</AccountCode></AgreementData>",
    )
}

fn basic(user: &str, key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{key}"))
    )
}

#[actix_web::test]
async fn without_keys_the_gateway_is_open_and_with_one_it_is_not() {
    let app = spawn_demo();
    app.get("/accounts/10000001", "application/json")
        .await
        .good();
    with_keys(&app);
    let r = app.get("/accounts/10000001", "application/json").await;
    assert_eq!(
        (r.status, r.json()["fault"].as_str()),
        (401, Some("SecurityFault"))
    );
    assert!(r.header("www-authenticate").is_some());
    let r = app
        .post_xml(
            "/ws/GetAccount",
            "<getAccount><accountNumber>10000001</accountNumber></getAccount>",
        )
        .await;
    assert_eq!(
        (r.status, xml_text(&r.body, "messageId")),
        (401, Some("MISSING_CREDENTIALS"))
    );
    let r = app.post_soap(AGREEMENT_PORT, &create_soap()).await;
    assert_eq!(r.status, 500);
    assert!(
        r.body.contains("<f:SecurityFault") && r.body.contains("soapenv:Client"),
        "{}",
        r.body
    );
    // Health stays open.
    assert_eq!(app.get("/health/ready", "*/*").await.status, 200);
}

#[actix_web::test]
async fn each_role_reaches_its_kind_of_operation_in_every_dialect() {
    let app = spawn_demo();
    let k = with_keys(&app);
    let json = |key: &str| {
        vec![
            ("content-type", "application/json".to_string()),
            ("x-api-key", key.to_string()),
        ]
    };
    let call =
        |method: Method, path: &'static str, headers: Vec<(&'static str, String)>, body: String| {
            let app = &app;
            async move {
                let h: Vec<(&str, &str)> = headers.iter().map(|(a, b)| (*a, b.as_str())).collect();
                app.request(method, path, &h, &body).await.status
            }
        };
    // Queries: every role.
    for key in [&k.read, &k.write, &k.admin] {
        assert_eq!(
            call(
                Method::GET,
                "/accounts/10000001/agreements",
                json(key),
                String::new()
            )
            .await,
            200
        );
    }
    // Changes: write and admin, in JSON, XML (Bearer) and SOAP (Basic).
    assert_eq!(
        call(
            Method::POST,
            "/agreements",
            json(&k.read),
            CREATE_JSON.into()
        )
        .await,
        403
    );
    assert_eq!(
        call(
            Method::POST,
            "/agreements",
            json(&k.write),
            CREATE_JSON.into()
        )
        .await,
        201
    );
    assert_eq!(
        call(
            Method::POST,
            "/agreements",
            json(&k.admin),
            CREATE_JSON.into()
        )
        .await,
        201
    );
    let xml = "<createAgreement><agreementData><accountCode>10000001</accountCode></agreementData></createAgreement>";
    let bearer = |key: &str| {
        vec![
            ("content-type", "application/xml".to_string()),
            ("authorization", format!("Bearer {key}")),
        ]
    };
    assert_eq!(
        call(
            Method::POST,
            "/ws/CreateAgreement",
            bearer(&k.read),
            xml.into()
        )
        .await,
        403
    );
    assert_eq!(
        call(
            Method::POST,
            "/ws/CreateAgreement",
            bearer(&k.write),
            xml.into()
        )
        .await,
        200
    );
    let soap = |user: &str, key: &str| {
        vec![
            ("content-type", "text/xml".to_string()),
            ("authorization", basic(user, key)),
        ]
    };
    let r = app
        .request(
            Method::POST,
            AGREEMENT_PORT,
            &[
                ("content-type", "text/xml"),
                ("authorization", &basic("crm-read", &k.read)),
            ],
            &create_soap(),
        )
        .await;
    assert!(
        r.body.contains("<MessageId>NOT_AUTHORISED</MessageId>"),
        "{}",
        r.body
    );
    assert_eq!(
        call(
            Method::POST,
            AGREEMENT_PORT,
            soap("crm-write", &k.write),
            create_soap()
        )
        .await,
        200
    );
    // Basic with another key's name is refused.
    assert_eq!(
        call(
            Method::POST,
            AGREEMENT_PORT,
            soap("ops", &k.write),
            create_soap()
        )
        .await,
        500
    );
    // Admin operations: admin only.
    assert_eq!(
        call(Method::GET, "/admin/audit", json(&k.write), String::new()).await,
        403
    );
    assert_eq!(
        call(Method::GET, "/admin/audit", json(&k.admin), String::new()).await,
        200
    );
}

#[actix_web::test]
async fn a_revoked_or_wrong_key_stops_working_at_once() {
    let app = spawn_demo();
    let k = with_keys(&app);
    let get = |key: String| {
        let app = &app;
        async move {
            app.request(
                Method::GET,
                "/accounts/10000001",
                &[("x-api-key", &key)],
                "",
            )
            .await
            .status
        }
    };
    assert_eq!(get(k.read.clone()).await, 200);
    assert!(keys::revoke_key(&app.context(), "crm-read").unwrap());
    assert_eq!(get(k.read.clone()).await, 401);
    // The last character changed, whatever it was.
    let mut wrong = k.write.clone();
    let last = wrong.pop();
    wrong.push(if last == Some('0') { '1' } else { '0' });
    assert_eq!(get(wrong).await, 401);
    assert_eq!(get("not-a-key".into()).await, 401);
    assert_eq!(get(k.write.clone()).await, 200);
}

#[actix_web::test]
async fn the_audit_trail_accounts_for_every_write() {
    let app = spawn_demo();
    let k = with_keys(&app);
    let h = [
        ("content-type", "application/json"),
        ("x-api-key", k.write.as_str()),
    ];
    app.request(
        Method::POST,
        "/groups",
        &h,
        r#"{"externalReference":"AUD-1","groupCode":"AUDG","description":"Audited"}"#,
    )
    .await
    .good();
    app.request(Method::POST, "/customers", &h, r#"{"contactDetails":{"personalDetails":{"lastName":"Audit"}},"account":{"groupCode":"AUDG"}}"#)
        .await
        .good();
    let soap = soap_envelope(
        "agreement",
        "UpdateAgreement",
        "UpdateAgreementData",
        "<AgreementNumber>20000001</AgreementNumber><UpdateAgreementBasic><BillingMedia>EMAIL</BillingMedia>\
         <LastAmendedDate>2026-11-22T10:00:00Z</LastAmendedDate></UpdateAgreementBasic><AuditRecord><UserID>jbloggs</UserID></AuditRecord>",
    );
    app.request(
        Method::POST,
        AGREEMENT_PORT,
        &[("content-type", "text/xml"), ("x-api-key", &k.write)],
        &soap,
    )
    .await
    .good();
    // A refused write leaves no entry.
    app.request(
        Method::POST,
        "/groups",
        &h,
        r#"{"groupCode":"AUDG","description":"Again"}"#,
    )
    .await;

    let r = app
        .request(
            Method::GET,
            "/admin/audit?since=2026-11-22T10:00:00Z&limit=1000",
            &[("x-api-key", &k.admin)],
            "",
        )
        .await
        .good();
    let entries: Vec<(String, String, String, String)> = r.json()["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["operation"] != "ManageKeys" && e["actor"] != "anonymous")
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or("").to_string();
            (s("actor"), s("operation"), s("entityType"), s("entityId"))
        })
        .collect();
    let expected = [
        ("crm-write", "CreateGroup", "group", "AUDG"),
        ("crm-write", "CreateCustomer", "customer", "30000005"),
        ("crm-write", "CreateCustomer", "account", "10000006"),
        ("jbloggs", "UpdateAgreement", "agreement", "20000001"),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(entries, expected);
    let first = &r.json()["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entityId"] == "AUDG")
        .cloned()
        .unwrap();
    assert_eq!(first["externalReference"], "AUD-1");
    assert_eq!(first["requestId"].as_str().map(str::len), Some(36));

    // The demo load itself is audited too: one entry per entity it created.
    let r = app
        .request(
            Method::GET,
            "/admin/audit?entity=agreement&limit=1000",
            &[("x-api-key", &k.admin)],
            "",
        )
        .await
        .good();
    assert_eq!(r.json()["entry"].as_array().unwrap().len(), 8 + 1);
}

/// Every role against every kind of operation in every dialect: the whole table.
#[actix_web::test]
async fn the_role_table_holds_in_every_dialect() {
    let app = spawn_demo();
    let k = with_keys(&app);
    let query_xml = "<queryAgreementByCustomerLevel><accountIdentifier>10000001</accountIdentifier></queryAgreementByCustomerLevel>";
    let query_soap = soap_envelope(
        "agreement",
        "QueryAgreementsByCustomerLevel",
        "Request",
        "<AccountIdentifier>10000001</AccountIdentifier>",
    );
    let change_xml = "<createAgreement><agreementData><accountCode>10000001</accountCode></agreementData></createAgreement>";
    // (kind, dialect, method, path, content type, body)
    let calls: [(&str, &str, Method, &str, &str, String); 8] = [
        (
            "query",
            "xml",
            Method::POST,
            "/ws/QueryAgreementByCustomerLevel",
            "application/xml",
            query_xml.into(),
        ),
        (
            "query",
            "json",
            Method::GET,
            "/accounts/10000001/agreements",
            "application/json",
            String::new(),
        ),
        (
            "query",
            "soap",
            Method::POST,
            AGREEMENT_PORT,
            "text/xml",
            query_soap,
        ),
        (
            "change",
            "xml",
            Method::POST,
            "/ws/CreateAgreement",
            "application/xml",
            change_xml.into(),
        ),
        (
            "change",
            "json",
            Method::POST,
            "/agreements",
            "application/json",
            CREATE_JSON.into(),
        ),
        (
            "change",
            "soap",
            Method::POST,
            AGREEMENT_PORT,
            "text/xml",
            create_soap(),
        ),
        (
            "admin",
            "xml",
            Method::GET,
            "/admin/audit",
            "application/xml",
            String::new(),
        ),
        (
            "admin",
            "json",
            Method::GET,
            "/admin/audit",
            "application/json",
            String::new(),
        ),
    ];
    let roles: [(&str, Option<&str>); 4] = [
        ("none", None),
        ("read", Some(&k.read)),
        ("write", Some(&k.write)),
        ("admin", Some(&k.admin)),
    ];
    for (role, key) in roles {
        for (kind, dialect, method, path, ct, body) in &calls {
            let mut headers = vec![
                ("content-type", ct.to_string()),
                (
                    "accept",
                    if *dialect == "json" {
                        "application/json"
                    } else {
                        "application/xml"
                    }
                    .to_string(),
                ),
            ];
            if *dialect == "soap" {
                headers.retain(|(h, _)| *h != "accept");
            }
            if let Some(key) = key {
                headers.push(("x-api-key", key.to_string()));
            }
            let h: Vec<(&str, &str)> = headers.iter().map(|(a, b)| (*a, b.as_str())).collect();
            let r = app.request(method.clone(), path, &h, body).await;
            let allowed = match (role, *kind) {
                ("none", _) => false,
                ("read", k) => k == "query",
                ("write", k) => k != "admin",
                _ => true,
            };
            let expected = match (allowed, role, *dialect) {
                (true, _, _) => vec![200, 201],
                (false, _, "soap") => vec![500],
                (false, "none", _) => vec![401],
                (false, _, _) => vec![403],
            };
            assert!(
                expected.contains(&r.status),
                "{role} {kind} {dialect}: {} {}",
                r.status,
                r.body
            );
            if !allowed {
                let fault = if *dialect == "json" {
                    r.json()["fault"].as_str().unwrap_or("").to_string()
                } else {
                    r.body.clone()
                };
                assert!(
                    fault.contains("SecurityFault") || fault.contains("securityFault"),
                    "{role} {kind} {dialect}: {}",
                    r.body
                );
            }
        }
    }
}
