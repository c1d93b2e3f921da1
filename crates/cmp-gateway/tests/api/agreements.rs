//! Agreements in every dialect: create, query by customer level, query, update with a
//! pending bill cycle change, and their faults.

use actix_web::http::Method;

use cmp_core::Clock;

use crate::helpers::*;

const CREATE_XML: &str = "<createAgreement><externalReference>X-1</externalReference><agreementData>\
    <billingCycle>10</billingCycle><invoiceConsolidationLevel>Account</invoiceConsolidationLevel>\
    <accountCode>10000004</accountCode><billingMedia>PAPER</billingMedia></agreementData></createAgreement>";
const CREATE_JSON: &str = r#"{"externalReference":"J-1","agreementData":{"billingCycle":12,"accountCode":10000004,"invoiceReceiptAddress":"Account"}}"#;
const CREATE_SOAP: &str =
    "<ExternalReference>S-1</ExternalReference><AgreementData><BillingCycle>14</BillingCycle>\
    <AccountCode>10000004</AccountCode><BillingMedia>EMAIL</BillingMedia></AgreementData>";

/// The agreement numbers QueryAgreementByCustomerLevel lists for an account, asked in
/// each of the three dialects (they must agree).
async fn listed_in_every_dialect(app: &TestApp, account: i64) -> Vec<i64> {
    let json = app
        .get(
            &format!("/accounts/{account}/agreements"),
            "application/json",
        )
        .await
        .good()
        .json();
    let from_json: Vec<i64> = json["agreement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["agreementNumber"].as_i64().unwrap())
        .collect();

    let body = format!("<queryAgreementByCustomerLevel><accountIdentifier>{account}</accountIdentifier></queryAgreementByCustomerLevel>");
    let xml = app
        .post_xml("/ws/QueryAgreementByCustomerLevel", &body)
        .await
        .good();
    let from_xml: Vec<i64> = xml_texts(&xml.body, "agreementNumber")
        .iter()
        .map(|n| n.parse().unwrap())
        .collect();

    let env = soap_envelope(
        "agreement",
        "QueryAgreementsByCustomerLevel",
        "Request",
        &format!("<AccountIdentifier>{account}</AccountIdentifier>"),
    );
    let soap = app.post_soap(AGREEMENT_PORT, &env).await.good();
    assert!(
        soap.body
            .contains("<def:QueryAgreementsByCustomerLevelResponse"),
        "{}",
        soap.body
    );
    let from_soap: Vec<i64> = xml_texts(&soap.body, "AgreementNumber")
        .iter()
        .map(|n| n.parse().unwrap())
        .collect();

    assert_eq!(from_json, from_xml);
    assert_eq!(from_json, from_soap);
    from_json
}

#[actix_web::test]
async fn an_agreement_created_in_each_dialect_is_listed_in_all_three() {
    let app = spawn_demo();
    assert_eq!(
        listed_in_every_dialect(&app, 10000004).await,
        vec![20000005]
    );

    let xml = app.post_xml("/ws/CreateAgreement", CREATE_XML).await.good();
    assert_eq!(xml_text(&xml.body, "agreementNumber"), Some("20000009"));
    assert_eq!(xml_text(&xml.body, "externalReference"), Some("X-1"));

    let json = app.post_json("/agreements", CREATE_JSON).await;
    assert_eq!(json.status, 201);
    assert_eq!(json.json()["agreementNumber"], 20000010);

    let soap = app
        .post_soap(
            AGREEMENT_PORT,
            &soap_envelope("agreement", "CreateAgreement", "AgreementData", CREATE_SOAP),
        )
        .await
        .good();
    assert_eq!(xml_text(&soap.body, "AgreementNumber"), Some("20000011"));
    assert!(soap.content_type().starts_with("text/xml"));

    // The account's own agreements first, then its group's.
    assert_eq!(
        listed_in_every_dialect(&app, 10000004).await,
        vec![20000009, 20000010, 20000011, 20000005]
    );
}

#[actix_web::test]
async fn three_bad_fields_give_one_fault_listing_all_three_in_every_dialect() {
    let app = spawn_demo();
    let long_ref = "R".repeat(70);
    let xml = format!(
        "<createAgreement><externalReference>{long_ref}</externalReference><agreementData><billingCycle>32</billingCycle>\
         <invoiceConsolidationLevel>Planet</invoiceConsolidationLevel><accountCode>10000001</accountCode></agreementData></createAgreement>"
    );
    let r = app.post_xml("/ws/CreateAgreement", &xml).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        xml_texts(&r.body, "extraInfo"),
        [
            "createAgreement/externalReference",
            "createAgreement/agreementData/billingCycle",
            "createAgreement/agreementData/invoiceConsolidationLevel"
        ]
    );
    assert_eq!(
        xml_text(&r.body, "messageText"),
        Some("3 errors in the request")
    );

    let json = format!(
        r#"{{"externalReference":"{long_ref}","agreementData":{{"billingCycle":32,"invoiceConsolidationLevel":"Planet","accountCode":10000001}}}}"#
    );
    let j = app.post_json("/ws/CreateAgreement", &json).await.json();
    assert_eq!(j["fault"], "ValidationFault");
    let paths: Vec<&str> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["extraInfo"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "externalReference",
            "agreementData.billingCycle",
            "agreementData.invoiceConsolidationLevel"
        ]
    );
    let codes: Vec<&str> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["messageId"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["TOO_LONG", "OUT_OF_RANGE", "INVALID_ENUM"]);

    let inner = format!(
        "<ExternalReference>{long_ref}</ExternalReference><AgreementData><BillingCycle>32</BillingCycle>\
         <InvoiceConsolidationLevel>Planet</InvoiceConsolidationLevel><AccountCode>10000001</AccountCode></AgreementData>"
    );
    let s = app
        .post_soap(
            AGREEMENT_PORT,
            &soap_envelope("agreement", "CreateAgreement", "AgreementData", &inner),
        )
        .await;
    assert_eq!(s.status, 500);
    assert!(
        s.body.contains("<faultcode>soapenv:Client</faultcode>"),
        "{}",
        s.body
    );
    assert_eq!(
        xml_texts(&s.body, "ExtraInfo"),
        [
            "CreateAgreement/AgreementData/ExternalReference",
            "CreateAgreement/AgreementData/AgreementData/BillingCycle",
            "CreateAgreement/AgreementData/AgreementData/InvoiceConsolidationLevel"
        ]
    );
    // Nothing was created.
    assert_eq!(
        listed_in_every_dialect(&app, 10000001).await,
        vec![20000004]
    );
}

#[actix_web::test]
async fn an_agreement_is_logged_at_exactly_one_existing_level() {
    let app = spawn_demo();
    let two = r#"{"agreementData":{"corporateCode":"NWSALE","groupCode":"NWGRP"}}"#;
    let r = app.post_json("/agreements", two).await;
    assert_eq!(r.status, 400);
    // The rule (the schema's <oneOf>) names every level given.
    let errors = r.json();
    let named: Vec<(&str, &str)> = errors["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["messageId"].as_str().unwrap(),
                e["extraInfo"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            ("TWO_LEVELS", "agreementData.corporateCode"),
            ("TWO_LEVELS", "agreementData.groupCode")
        ]
    );

    let none = r#"{"agreementData":{"billingCycle":3}}"#;
    assert_eq!(
        app.post_json("/agreements", none).await.json()["errors"][0]["messageId"],
        "MANDATORY"
    );

    let unknown = r#"{"externalReference":"E-9","agreementData":{"accountCode":99999999,"billingMedia":"FAXED"}}"#;
    let r = app.post_json("/agreements", unknown).await;
    assert_eq!(r.status, 409);
    let j = r.json();
    assert_eq!(j["externalReference"], "E-9");
    let paths: Vec<&str> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["extraInfo"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["agreementData.accountCode", "agreementData.billingMedia"]
    );
}

#[actix_web::test]
async fn an_unknown_account_is_not_found_in_every_dialect() {
    let app = spawn_demo();
    let r = app
        .get("/accounts/12345678/agreements", "application/xml")
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(xml_text(&r.body, "messageId"), Some("NOT_FOUND"));
    let env = soap_envelope(
        "agreement",
        "QueryAgreementsByCustomerLevel",
        "Request",
        "<AccountIdentifier>12345678</AccountIdentifier>",
    );
    let s = app.post_soap(AGREEMENT_PORT, &env).await;
    assert_eq!(s.status, 500);
    assert!(s.body.contains("<MessageId>NOT_FOUND</MessageId>"));
}

#[actix_web::test]
async fn defaults_follow_the_billing_cycle_and_the_clock() {
    let app = spawn_demo();
    let n = app
        .post_json(
            "/agreements",
            r#"{"agreementData":{"accountCode":10000004,"billingCycle":31}}"#,
        )
        .await
        .good()
        .json()["agreementNumber"]
        .as_i64()
        .unwrap();
    let a = app
        .get(&format!("/agreements/{n}"), "application/json")
        .await
        .good()
        .json();
    // Today is 2026-11-22: day 31 of next month, clamped to 31 December.
    assert_eq!(a["agreement"]["nextExpectedInvoiceDate"], "2026-12-31");
    let n = app
        .post_json(
            "/agreements",
            r#"{"agreementData":{"accountCode":10000004}}"#,
        )
        .await
        .json()["agreementNumber"]
        .as_i64()
        .unwrap();
    let a = app
        .get(&format!("/agreements/{n}"), "application/json")
        .await
        .json();
    assert_eq!(
        (
            a["agreement"]["billingCycle"].as_i64(),
            a["agreement"]["nextExpectedInvoiceDate"].as_str()
        ),
        (Some(1), Some("2026-12-01"))
    );
}

#[actix_web::test]
async fn a_new_billing_cycle_waits_for_the_next_invoice_date() {
    let app = spawn_demo();
    let before = app
        .get("/agreements/20000004", "application/json")
        .await
        .good()
        .json();
    assert_eq!(before["agreement"]["billingCycle"], 28);
    let stamp = before["agreement"]["lastAmendedDate"]
        .as_str()
        .unwrap()
        .to_string();

    let patch =
        format!(r#"{{"billingCycle":5,"billingMedia":"EMAIL","lastAmendedDate":"{stamp}"}}"#);
    let r = app
        .request(
            Method::PATCH,
            "/agreements/20000004",
            &[("content-type", "application/json")],
            &patch,
        )
        .await
        .good();
    assert_eq!(r.json()["agreementNumber"], 20000004);

    let after = app
        .get("/agreements/20000004", "application/json")
        .await
        .json();
    assert_eq!(after["agreement"]["billingCycle"], 28);
    assert_eq!(after["agreement"]["pendingBillingCycle"], 5);
    assert_eq!(after["agreement"]["billingMedia"], "EMAIL");

    // The same lastAmendedDate again is stale now.
    let r = app
        .request(
            Method::PATCH,
            "/agreements/20000004",
            &[("content-type", "application/json")],
            &patch,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["details"]["messageId"].as_str()),
        (409, Some("STALE_DATA"))
    );

    // On the invoice date (28 December) the new day takes effect; running twice changes nothing more.
    app.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 28, 6, 0, 0).unwrap());
    assert_eq!(cmp_core::scheduled::apply_due(&app.context()).unwrap(), 1);
    assert_eq!(cmp_core::scheduled::apply_due(&app.context()).unwrap(), 0);
    let done = app
        .get("/agreements/20000004", "application/json")
        .await
        .json();
    assert_eq!(done["agreement"]["billingCycle"], 5);
    assert!(done["agreement"].get("pendingBillingCycle").is_none());
    assert_eq!(done["agreement"]["nextExpectedInvoiceDate"], "2027-01-05");
}

#[actix_web::test]
async fn the_captured_soap_requests_work_against_the_demo_data() {
    let app = spawn_demo();
    let capture = |name: &str| {
        std::fs::read_to_string(repo_path(&format!(
            "../shared/reference/captures/agreement-{name}.xml"
        )))
    };
    let Ok(create) = capture("CreateAgreement") else {
        eprintln!("reference captures not found: skipped");
        return;
    };
    let r = app.post_soap(AGREEMENT_PORT, &create).await.good();
    assert_eq!(xml_text(&r.body, "AgreementNumber"), Some("20000009"));

    let r = app
        .post_soap(AGREEMENT_PORT, &capture("QueryAgreement").unwrap())
        .await
        .good();
    assert_eq!(xml_text(&r.body, "BillingCycle"), Some("1"));
    let stamp = xml_text(&r.body, "LastAmendedDate").unwrap().to_string();

    let update = capture("UpdateAgreement").unwrap();
    let stale = app.post_soap(AGREEMENT_PORT, &update).await;
    assert!(
        stale.body.contains("<MessageId>STALE_DATA</MessageId>"),
        "{}",
        stale.body
    );
    let fresh = update.replace("2026-11-01T09:30:00", &stamp);
    let r = app.post_soap(AGREEMENT_PORT, &fresh).await.good();
    assert_eq!(xml_text(&r.body, "AgreementNumber"), Some("20000001"));
    let q = app
        .post_soap(AGREEMENT_PORT, &capture("QueryAgreement").unwrap())
        .await
        .good();
    assert_eq!(xml_text(&q.body, "BillingMedia"), Some("EMAIL"));

    let r = app
        .post_soap(
            AGREEMENT_PORT,
            &capture("QueryAgreementsByCustomerLevel").unwrap(),
        )
        .await
        .good();
    assert_eq!(
        xml_texts(&r.body, "AgreementNumber"),
        ["20000004", "20000009"]
    );
}

#[actix_web::test]
async fn soap_12_is_answered_in_soap_12_and_unknown_operations_are_faults() {
    let app = spawn_demo();
    let env = soap_envelope(
        "agreement",
        "QueryAgreement",
        "Request",
        "<AgreementNumber>20000002</AgreementNumber>",
    )
    .replace(SOAP11, "http://www.w3.org/2003/05/soap-envelope");
    let r = app
        .request(
            Method::POST,
            AGREEMENT_PORT,
            &[("content-type", "application/soap+xml; charset=utf-8")],
            &env,
        )
        .await
        .good();
    assert!(r.content_type().starts_with("application/soap+xml"));
    assert_eq!(xml_text(&r.body, "CorporateIdentifier"), Some("NWSALE"));

    let env = soap_envelope("agreement", "DeleteEverything", "Request", "");
    let r = app.post_soap(AGREEMENT_PORT, &env).await;
    assert_eq!(r.status, 500);
    assert!(r.body.contains("UNKNOWN_OPERATION"));

    let wrong_child = soap_envelope("agreement", "CreateAgreement", "Request", CREATE_SOAP);
    let r = app.post_soap(AGREEMENT_PORT, &wrong_child).await;
    assert!(
        r.body.contains("<MessageId>UNKNOWN_ELEMENT</MessageId>"),
        "{}",
        r.body
    );
}

#[actix_web::test]
async fn the_query_agreement_datasets_select_what_is_answered() {
    let app = spawn_demo();
    let body = "<queryAgreement><agreementNumber>20000003</agreementNumber><datasets><dataset>invoiceControl</dataset></datasets></queryAgreement>";
    let r = app.post_xml("/ws/QueryAgreement", body).await.good();
    assert!(!r.body.contains("agreementBasic"));
    assert_eq!(
        xml_text(&r.body, "nextExpectedInvoiceDate"),
        Some("2026-12-15")
    );
}
