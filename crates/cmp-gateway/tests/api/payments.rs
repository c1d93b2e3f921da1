//! Accounts and payments: direct debits, registered cards (REST and the 7.3.8 SOAP
//! account service), account e-mail addresses, GetAccount's bankPayment.

use actix_web::http::Method;
use serde_json::Value;

use crate::helpers::*;

const JSON: [(&str, &str); 1] = [("content-type", "application/json")];
const PORT: &str = "/ws/dise3g/services/AccountPort";

const DD: &str = r#"{"nameOfPayer":"Jane Smith","bankSortCode":"123456","bankAccountNumber":"12345678",
    "mandateReference":"MAND-1","mandateReceivedDate":"2026-11-20","directDebitSetupMethodCode":"AUDDIS"}"#;

fn error_ids(v: &Value) -> Vec<(String, String)> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["messageId"].as_str().unwrap_or_default().to_string(),
                        e["extraInfo"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The demo structure, the small catalogue and subscriptions 40000001 on account
/// 10000001 and 40000002 on account 10000004.
async fn with_subscriptions() -> TestApp {
    let app = spawn_structure();
    app.request(Method::PUT, "/catalogue", &JSON, &small_catalogue())
        .await
        .good();
    for (account, n) in [(10000001, 40000001), (10000004, 40000002)] {
        let r = app
            .post_json(
                &format!("/accounts/{account}/subscriptions"),
                r#"{"pricePlanCode":"P10"}"#,
            )
            .await;
        assert_eq!(
            (r.status, r.json()["subscriptionNumber"].as_i64()),
            (201, Some(n)),
            "{}",
            r.body
        );
    }
    app
}

async fn account(app: &TestApp, n: i64) -> Value {
    app.get(&format!("/accounts/{n}"), "application/json")
        .await
        .good()
        .json()["account"]
        .clone()
}

#[actix_web::test]
async fn direct_debit_on_a_manual_account_shows_only_the_masked_number() {
    let app = spawn_demo();
    let r = app.post_json("/accounts/10000001/directDebit", DD).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["account"]["paymentMethod"], "DirectDebit");
    assert_eq!(v["account"]["bankPayment"]["bankAccountNumber"], "****5678");
    assert!(!r.body.contains("12345678"));
    let a = account(&app, 10000001).await;
    assert_eq!(a["paymentMethod"], "DirectDebit");
    assert_eq!(
        a["bankPayment"],
        serde_json::json!({"nameOfPayer":"Jane Smith","bankSortCode":"123456",
            "bankAccountNumber":"****5678","mandateReference":"MAND-1",
            "mandateReceivedDate":"2026-11-20","directDebitSetupMethodCode":"AUDDIS"})
    );
    let x = app
        .get("/accounts/10000001", "application/xml")
        .await
        .good();
    assert!(x
        .body
        .contains("<bankAccountNumber>****5678</bankAccountNumber>"));
    assert!(!x.body.contains("12345678"));
}

#[actix_web::test]
async fn bank_details_are_validated() {
    let app = spawn_demo();
    let r = app
        .post_json(
            "/accounts/10000001/directDebit",
            r#"{"nameOfPayer":"J","bankSortCode":"12345a","bankAccountNumber":"1234567",
                "directDebitSetupMethodCode":"Paper"}"#,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    // Every field error at once: the length and the pattern are the schema types'.
    assert_eq!(
        error_ids(&r.json()),
        vec![
            ("INVALID_FORMAT".to_string(), "bankSortCode".to_string()),
            ("TOO_SHORT".to_string(), "bankAccountNumber".to_string())
        ]
    );
    let r = app
        .post_json(
            "/accounts/10000001/directDebit",
            r#"{"nameOfPayer":"J","bankSortCode":"12345a","bankAccountNumber":"1234567x",
                "directDebitSetupMethodCode":"Paper"}"#,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        error_ids(&r.json()),
        vec![
            ("INVALID_FORMAT".to_string(), "bankSortCode".to_string()),
            (
                "INVALID_FORMAT".to_string(),
                "bankAccountNumber".to_string()
            )
        ]
    );
    assert_eq!(account(&app, 10000001).await["paymentMethod"], "Manual");
}

#[actix_web::test]
async fn a_direct_debit_is_replaced_only_with_cancellation_details() {
    let app = spawn_demo();
    app.post_json("/accounts/10000001/directDebit", DD)
        .await
        .good();
    let second = r#"{"nameOfPayer":"Jane Smith","bankSortCode":"654321","bankAccountNumber":"87654321",
        "directDebitSetupMethodCode":"Online"}"#;
    let r = app
        .post_json("/accounts/10000001/directDebit", second)
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(
        error_ids(&r.json()),
        vec![(
            "CANCELLATION_DETAILS_REQUIRED".to_string(),
            "cancellationDetails".to_string()
        )]
    );
    assert_eq!(
        account(&app, 10000001).await["bankPayment"]["bankAccountNumber"],
        "****5678"
    );
    let with_cancel = r#"{"nameOfPayer":"Jane Smith","bankSortCode":"654321","bankAccountNumber":"87654321",
        "directDebitSetupMethodCode":"Online","cancellationDetails":{"reasonCode":"CHANGE"}}"#;
    let r = app
        .post_json("/accounts/10000001/directDebit", with_cancel)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let a = account(&app, 10000001).await;
    assert_eq!(a["bankPayment"]["bankAccountNumber"], "****4321");
    assert_eq!(a["bankPayment"]["directDebitSetupMethodCode"], "Online");
    assert_eq!(a["paymentMethod"], "DirectDebit");
}

#[actix_web::test]
async fn cancelling_a_direct_debit_puts_the_account_back_to_manual() {
    let app = spawn_demo();
    let r = app
        .post_json(
            "/accounts/10000001/directDebit/cancellation",
            r#"{"reasonCode":"CUST"}"#,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["details"]["messageId"], "NO_DIRECT_DEBIT");
    app.post_json("/accounts/10000001/directDebit", DD)
        .await
        .good();
    let r = app
        .post_xml(
            "/accounts/10000001/directDebit/cancellation",
            "<cancelDirectDebit><reasonCode>CUST</reasonCode></cancelDirectDebit>",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(xml_text(&r.body, "paymentMethod"), Some("Manual"));
    let a = account(&app, 10000001).await;
    assert_eq!(a["paymentMethod"], "Manual");
    assert!(a.get("bankPayment").is_none());
}

const CARD: &str = r#"{"cardToken":"tok_visa_0001","cardType":"Visa","lastFourDigits":"4242",
    "expiryMonth":12,"expiryYear":2028,"cardholderName":"Jane Smith","makePaymentMethod":true}"#;

#[actix_web::test]
async fn direct_debit_on_a_card_account_is_refused() {
    let app = spawn_demo();
    let r = app
        .post_json("/accounts/10000001/registeredCards", CARD)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(account(&app, 10000001).await["paymentMethod"], "Card");
    let r = app.post_json("/accounts/10000001/directDebit", DD).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["details"]["messageId"], "PAYMENT_METHOD_CARD");
    assert_eq!(account(&app, 10000001).await["paymentMethod"], "Card");
}

#[actix_web::test]
async fn a_card_is_added_linked_and_cancelled() {
    let app = with_subscriptions().await;
    let r = app
        .post_json("/accounts/10000001/registeredCards", CARD)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let card = r.json()["card"].clone();
    assert_eq!(
        card,
        serde_json::json!({"cardId":70000001,"cardType":"Visa","maskedCardNumber":"************4242",
            "expiryMonth":12,"expiryYear":2028,"cardholderName":"Jane Smith","status":"Active",
            "registeredDate":"2026-11-22"})
    );
    // a subscription of another account
    let r = app
        .request(
            Method::PATCH,
            "/accounts/10000001/registeredCards/70000001",
            &JSON,
            r#"{"subscriptionNumber":40000002}"#,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(
        error_ids(&r.json()),
        vec![(
            "SUBSCRIPTION_NOT_ON_ACCOUNT".to_string(),
            "subscriptionNumber".to_string()
        )]
    );
    // no such subscription
    let r = app
        .request(
            Method::PATCH,
            "/accounts/10000001/registeredCards/70000001",
            &JSON,
            r#"{"subscriptionNumber":49999999}"#,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    // the same account's
    let r = app
        .request(
            Method::PATCH,
            "/accounts/10000001/registeredCards/70000001",
            &JSON,
            r#"{"subscriptionNumber":40000001}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["card"]["subscriptionNumber"], 40000001);
    // another account's card is not found through this account
    let r = app
        .post_json(
            "/accounts/10000004/registeredCards/70000001/cancellation",
            "{}",
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    // cancelled: the account falls back to Manual
    let r = app
        .post_json(
            "/accounts/10000001/registeredCards/70000001/cancellation",
            r#"{"reasonCode":"LOST"}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["card"]["status"], "Cancelled");
    assert_eq!(account(&app, 10000001).await["paymentMethod"], "Manual");
    let r = app
        .post_json(
            "/accounts/10000001/registeredCards/70000001/cancellation",
            "{}",
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["details"]["messageId"], "CARD_CANCELLED");
    // listed, with the deprecated accountNumber ignored
    let r = app
        .post_json(
            "/ws/GetRegisteredCards",
            r#"{"accountId":10000001,"accountNumber":10000004}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["card"][0]["cardId"], 70000001);
    let r = app
        .get("/accounts/10000001/registeredCards", "application/xml")
        .await
        .good();
    assert_eq!(xml_texts(&r.body, "status"), vec!["Cancelled"]);
    assert!(!r.body.contains("tok_visa"));
}

#[actix_web::test]
async fn a_full_card_number_is_refused_wherever_it_is_sent() {
    let app = spawn_demo();
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "/accounts/10000001/registeredCards",
            r#"{"cardToken":"4111111111111111","cardType":"Visa","lastFourDigits":"1111",
                "expiryMonth":1,"expiryYear":2030,"cardholderName":"J"}"#,
            "application/json",
            "cardToken",
        ),
        (
            "/accounts/10000001/registeredCards",
            r#"{"cardToken":"tok","cardType":"Visa","lastFourDigits":"1111",
                "expiryMonth":1,"expiryYear":2030,"cardholderName":"4111 1111 1111 1111"}"#,
            "application/json",
            "cardholderName",
        ),
        (
            "/accounts/10000001/registeredCards",
            "<postRegisteredCard><cardToken>tok</cardToken><cardType>Visa</cardType>\
             <lastFourDigits>4111-1111-1111-1111</lastFourDigits><expiryMonth>1</expiryMonth>\
             <expiryYear>2030</expiryYear><cardholderName>J</cardholderName></postRegisteredCard>",
            "application/xml",
            "postRegisteredCard/lastFourDigits",
        ),
        (
            "/accounts/10000001/directDebit",
            r#"{"nameOfPayer":"5500000000000004","bankSortCode":"123456","bankAccountNumber":"12345678",
                "directDebitSetupMethodCode":"Paper"}"#,
            "application/json",
            "nameOfPayer",
        ),
        (
            "/accounts/10000001/registeredCards/70000001/cancellation",
            "<postRegisteredCardCancellation><reasonCode>card 378282246310005</reasonCode></postRegisteredCardCancellation>",
            "application/xml",
            "postRegisteredCardCancellation/reasonCode",
        ),
        (
            "/ws/AddRegisteredCard",
            r#"{"cancellationReason":"4111111111111111","accountNumber":10000001,"card":{"paymentType":"Visa",
                "paymentCardToken":{"cardReference":"tok","cardNumber":"1111","nameOnCard":"J","expiryYear":30,"expiryMonth":1}},
                "unknownThing":"4000 0000 0000 0002"}"#,
            "application/json",
            "cancellationReason",
        ),
    ];
    for (path, body, ct, field) in cases {
        let r = app
            .request(Method::POST, path, &[("content-type", ct)], body)
            .await;
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert!(r.body.contains("CARD_NUMBER_NOT_ALLOWED"), "{}", r.body);
        assert!(r.body.contains(field), "{field}: {}", r.body);
        for digits in [
            "4111111111111111",
            "4111 1111",
            "5500000000000004",
            "378282246310005",
        ] {
            assert!(!r.body.contains(digits), "{}", r.body);
        }
    }
    // every field is named, including one the message does not have
    let r = app
        .post_json(
            "/ws/AddRegisteredCard",
            r#"{"cancellationReason":"4111111111111111","accountNumber":10000001,"card":{"paymentType":"Visa",
                "paymentCardToken":{"cardReference":"tok","cardNumber":"1111","nameOnCard":"J","expiryYear":30,"expiryMonth":1}},
                "unknownThing":"4000 0000 0000 0002"}"#,
        )
        .await;
    let ids = error_ids(&r.json());
    assert_eq!(
        ids,
        vec![
            (
                "CARD_NUMBER_NOT_ALLOWED".to_string(),
                "cancellationReason".to_string()
            ),
            (
                "CARD_NUMBER_NOT_ALLOWED".to_string(),
                "unknownThing".to_string()
            ),
        ]
    );
    // SOAP too
    let env = soap_envelope(
        "account",
        "AddRegisteredCard",
        "Request",
        "<AccountNumber>10000001</AccountNumber><Card><PaymentType>Visa</PaymentType><PaymentCardToken>\
         <CardReference>4111111111111111</CardReference><CardNumber>1111</CardNumber><NameOnCard>J</NameOnCard>\
         <ExpiryYear>30</ExpiryYear><ExpiryMonth>1</ExpiryMonth></PaymentCardToken></Card>",
    );
    let r = app.post_soap(PORT, &env).await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(r.body.contains("CARD_NUMBER_NOT_ALLOWED"), "{}", r.body);
    assert!(!r.body.contains("4111111111111111"));
    assert_eq!(account(&app, 10000001).await["paymentMethod"], "Manual");
    let r = app
        .get("/accounts/10000001/registeredCards", "application/json")
        .await
        .good();
    assert_eq!(r.json()["card"], serde_json::json!([]), "{}", r.body);
}

#[actix_web::test]
async fn soap_add_and_cancel_registered_card_round_trip() {
    let app = with_subscriptions().await;
    let env = soap_envelope(
        "account",
        "AddRegisteredCard",
        "Request",
        "<ExternalReference>ARC-1</ExternalReference><AccountNumber>10000001</AccountNumber>\
         <AddRegisteredCardData><SubscriptionNumber>40000001</SubscriptionNumber></AddRegisteredCardData>\
         <Card><PaymentType>VISA</PaymentType><PaymentCardToken><CardReference>PAYREF123</CardReference>\
         <CardNumber>4242</CardNumber><NameOnCard>J SMITH</NameOnCard><ExpiryYear>29</ExpiryYear>\
         <ExpiryMonth>07</ExpiryMonth></PaymentCardToken></Card>\
         <AuditRecord><UserID>agent1</UserID><Program>crm</Program></AuditRecord>",
    );
    let r = app.post_soap(PORT, &env).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("AddRegisteredCardResponse"), "{}", r.body);
    assert_eq!(xml_text(&r.body, "ExternalReference"), Some("ARC-1"));
    let cards = app
        .get("/accounts/10000001/registeredCards", "application/json")
        .await
        .good()
        .json();
    assert_eq!(
        cards["card"][0],
        serde_json::json!({"cardId":70000001,"cardType":"Visa","maskedCardNumber":"************4242",
            "expiryMonth":7,"expiryYear":2029,"cardholderName":"J SMITH","status":"Active",
            "subscriptionNumber":40000001,"registeredDate":"2026-11-22"})
    );
    // the same token again is refused
    let r = app.post_soap(PORT, &env).await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(r.body.contains("ALREADY_EXISTS"), "{}", r.body);
    // a subscription of another account is refused
    let other = env
        .replace("40000001", "40000002")
        .replace("PAYREF123", "PAYREF999");
    let r = app.post_soap(PORT, &other).await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(r.body.contains("SUBSCRIPTION_NOT_ON_ACCOUNT"), "{}", r.body);
    let cancel = soap_envelope(
        "account",
        "CancelRegisteredCard",
        "Request",
        "<ExternalReference>CRC-1</ExternalReference><TargetIdentifier><SubscriptionNumber>40000001</SubscriptionNumber></TargetIdentifier>\
         <Card><CardReference>PAYREF123</CardReference><CancellationReason>expired</CancellationReason></Card>",
    );
    let r = app.post_soap(PORT, &cancel).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("CancelRegisteredCardResponse"),
        "{}",
        r.body
    );
    assert_eq!(xml_text(&r.body, "ExternalReference"), Some("CRC-1"));
    let cards = app
        .get("/accounts/10000001/registeredCards", "application/json")
        .await
        .good()
        .json();
    assert_eq!(cards["card"][0]["status"], "Cancelled");
    // A cancelled card answers as on the REST route: CARD_CANCELLED, not NOT_FOUND.
    let r = app.post_soap(PORT, &cancel).await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(
        r.body.contains("<MessageId>CARD_CANCELLED</MessageId>"),
        "{}",
        r.body
    );
    // ... and so does the document form.
    let r = app
        .post_xml(
            "/ws/CancelRegisteredCard",
            "<cancelRegisteredCard><targetIdentifier><subscriptionNumber>40000001</subscriptionNumber></targetIdentifier>\
             <card><cardReference>PAYREF123</cardReference></card></cancelRegisteredCard>",
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body.contains("<messageId>CARD_CANCELLED</messageId>"),
        "{}",
        r.body
    );
}

#[actix_web::test]
async fn account_email_addresses_start_from_the_customer_and_can_be_updated() {
    let app = spawn_demo();
    let r = app
        .get("/accounts/10000001/emailAddresses", "application/json")
        .await
        .good();
    assert_eq!(
        r.json()["emailAddress"],
        serde_json::json!([{"emailId":1,"type":"Primary","address":"jane.smith@example.com"}])
    );
    let r = app
        .request(
            Method::PATCH,
            "/accounts/10000001/emailAddresses/2",
            &JSON,
            r#"{"address":"bills@example.com"}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["emailAddress"],
        serde_json::json!({"emailId":2,"type":"Billing","address":"bills@example.com"})
    );
    let r = app
        .request(
            Method::PATCH,
            "/accounts/10000001/emailAddresses/1",
            &JSON,
            r#"{"address":"jane@example.org","type":"Notification"}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let a = account(&app, 10000001).await;
    assert_eq!(
        a["emailAddresses"]["emailAddress"],
        serde_json::json!([{"emailId":1,"type":"Notification","address":"jane@example.org"},
            {"emailId":2,"type":"Billing","address":"bills@example.com"}])
    );
    let r = app
        .request(
            Method::PATCH,
            "/accounts/10000001/emailAddresses/1",
            &JSON,
            r#"{"address":"not an address"}"#,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        error_ids(&r.json()),
        vec![("INVALID_FORMAT".to_string(), "address".to_string())]
    );
    let r = app
        .request(
            Method::PATCH,
            "/accounts/10000001/emailAddresses/4",
            &JSON,
            r#"{"address":"a@b.co"}"#,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = app
        .get("/accounts/19999999/emailAddresses", "application/json")
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
}
