//! The subscription's own data (SERVICES.md §4): UpdateSubscription, services,
//! attributes, e-mail addresses and serial numbers, in JSON and XML, on the demo data
//! (fixtures/demo: 60272 holds PAPERB 60000001, ITEMBL 60000002, the attribute
//! `Preferred Language` and e-mail slot 1). Today is 2026-11-22.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const JSON: [(&str, &str); 1] = [("content-type", "application/json")];
const XML: [(&str, &str); 1] = [("content-type", "application/xml")];

async fn send(app: &TestApp, method: Method, path: &str, body: &str) -> Resp {
    app.request(method, path, &JSON, body).await
}

/// `(status, details.messageId, first field error's messageId)` of a fault.
fn fault(r: &Resp) -> (u16, String, String) {
    let v = r.json();
    let s = |x: &Value| x.as_str().unwrap_or("").to_string();
    (
        r.status,
        s(&v["details"]["messageId"]),
        s(&v["errors"][0]["messageId"]),
    )
}

#[actix_web::test]
async fn update_subscription_changes_only_what_it_is_given_and_never_shows_the_password() {
    let app = spawn_demo();
    let before = subscription(&app, 60272).await;
    let r = send(
        &app,
        Method::PATCH,
        "/subscriptions/60272",
        r#"{"externalReference":"US-1","userName":"Tom S","password":"Tr0ub4dor&3","dateOfBirth":"1990-04-01",
            "gender":"male","maritalStatus":"CivilPartnership","costCentre":"HOME"}"#,
    )
    .await
    .good();
    let answer = r.json();
    assert_eq!(
        (
            answer["externalReference"].as_str(),
            answer["subscriptionNumber"].as_i64()
        ),
        (Some("US-1"), Some(60272))
    );
    let stamp = answer["lastAmendedDate"].as_str().unwrap().to_string();
    assert!(stamp.as_str() > before["lastAmendedDate"].as_str().unwrap());
    let after = subscription(&app, 60272).await;
    assert_eq!(
        (
            &after["userName"],
            &after["dateOfBirth"],
            &after["gender"],
            &after["maritalStatus"],
            &after["costCentre"],
            &after["lastAmendedDate"]
        ),
        (
            &json!("Tom S"),
            &json!("1990-04-01"),
            &json!("Male"),
            &json!("CivilPartnership"),
            &json!("HOME"),
            &json!(stamp)
        )
    );
    // Everything else as it was; the password nowhere.
    for key in [
        "basePackage",
        "packages",
        "managedSerialNumbers",
        "contract",
    ] {
        assert_eq!(after[key], before[key], "{key}");
    }
    let xml = app
        .get("/subscriptions/60272", "application/xml")
        .await
        .body;
    assert!(!xml.contains("Tr0ub4dor") && !xml.to_lowercase().contains("password"));
    // Stored as a salted Argon2id hash.
    let hash = app
        .context()
        .store
        .read(|c| cmp_store::repo::subscription_details::password_hash(c, 60272))
        .unwrap()
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$") && !hash.contains("Tr0ub4dor"),
        "{hash}"
    );

    // Only the fields given change: a later update of the cost centre keeps the rest.
    let body = format!(r#"{{"costCentre":"WORK","lastAmendedDate":"{stamp}"}}"#);
    send(&app, Method::PATCH, "/subscriptions/60272", &body)
        .await
        .good();
    let later = subscription(&app, 60272).await;
    assert_eq!(
        (&later["costCentre"], &later["userName"], &later["gender"]),
        (&json!("WORK"), &json!("Tom S"), &json!("Male"))
    );
    // The stamp read before that change is stale now.
    let r = send(&app, Method::PATCH, "/subscriptions/60272", &body).await;
    assert_eq!(fault(&r).0, 409);
    assert_eq!(fault(&r).1, "STALE_DATA");
}

#[actix_web::test]
async fn update_subscription_refuses_bad_fields_in_json_and_xml() {
    let app = spawn_demo();
    let r = send(
        &app,
        Method::PATCH,
        "/subscriptions/60272",
        r#"{"dateOfBirth":"2026-11-22"}"#,
    )
    .await;
    assert_eq!(
        (fault(&r).0, fault(&r).2.as_str()),
        (409, "DATE_NOT_ALLOWED"),
        "{}",
        r.body
    );
    let r = app
        .request(
            Method::PATCH,
            "/subscriptions/60272",
            &XML,
            "<updateSubscription><gender>Unknown</gender><maritalStatus>Single</maritalStatus><costCentre>ABCDEFGHIJKLMNOPQRSTU</costCentre></updateSubscription>",
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        xml_texts(&r.body, "messageId")[1..],
        ["INVALID_ENUM", "TOO_LONG"]
    );
    let r = app
        .post_xml(
            "/ws/UpdateSubscription",
            "<updateSubscription><subscriptionNumber>60299</subscriptionNumber><userName>X</userName></updateSubscription>",
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    // The document form in XML succeeds too.
    let r = app
        .post_xml(
            "/ws/UpdateSubscription",
            "<updateSubscription><subscriptionNumber>60270</subscriptionNumber><maritalStatus>married</maritalStatus></updateSubscription>",
        )
        .await
        .good();
    assert_eq!(xml_text(&r.body, "subscriptionNumber"), Some("60270"));
    assert_eq!(subscription(&app, 60270).await["maritalStatus"], "Married");
}

#[actix_web::test]
async fn services_are_added_listed_with_those_of_the_packages_and_expired() {
    let app = spawn_demo();
    let s = subscription(&app, 60272).await;
    let services = s["services"]["service"].as_array().unwrap();
    // The demo's two added ones first, then the package services.
    assert_eq!(
        services[0],
        json!({"serviceInstanceId": 60000001, "serviceCode": "PAPERB", "description": services[0]["description"],
               "chargeType": "Recurring", "price": services[0]["price"], "effectiveDate": "2026-11-22"})
    );
    assert_eq!(
        (
            services[1]["serviceCode"].as_str(),
            services[1]["price"].as_str()
        ),
        (Some("ITEMBL"), Some("0.50"))
    );
    let from_packages: Vec<(&str, i64)> = services[2..]
        .iter()
        .map(|x| {
            assert!(x.get("serviceInstanceId").is_none(), "{x}");
            (
                x["packageCode"].as_str().unwrap(),
                x["purchaseIdentifier"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        from_packages.contains(&("BSIM12", 50000003)),
        "{from_packages:?}"
    );
    assert!(
        from_packages.contains(&("DB20G", 50000011)),
        "{from_packages:?}"
    );

    // Adding: 201 with the next service instance id; a recurring one held is refused.
    let r = app
        .post_json(
            "/subscriptions/60270/services",
            r#"{"serviceCode":"PAPERB","chargeType":"Recurring","effectiveDate":"2026-12-01","price":"1.5"}"#,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["serviceInstanceId"].as_i64()),
        (201, Some(60000003)),
        "{}",
        r.body
    );
    let added = subscription(&app, 60270).await["services"]["service"][0].clone();
    assert_eq!(
        (
            added["price"].as_str(),
            added["effectiveDate"].as_str(),
            added["description"].is_string()
        ),
        (Some("1.50"), Some("2026-12-01"), true)
    );
    let again = app
        .post_json(
            "/subscriptions/60270/services",
            r#"{"serviceCode":"PAPERB"}"#,
        )
        .await;
    assert_eq!(fault(&again).1, "SERVICE_HELD", "{}", again.body);
    let base_service = services
        .iter()
        .find(|x| x["packageCode"] == "BSIM12" && x["chargeType"] == "Recurring")
        .unwrap()["serviceCode"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post_json(
            "/subscriptions/60272/services",
            &format!(r#"{{"serviceCode":"{base_service}"}}"#),
        )
        .await;
    assert_eq!(
        fault(&r),
        (409, "SERVICE_HELD".into(), "SERVICE_HELD".into())
    );
    // One-off services may be added again; in XML too.
    let r = app
        .post_xml(
            "/subscriptions/60272/services",
            "<addSubscriptionService><serviceCode>ITEMBL</serviceCode></addSubscriptionService>",
        )
        .await;
    assert_eq!(
        (r.status, xml_text(&r.body, "serviceInstanceId")),
        (201, Some("60000004"))
    );
    for (body, want) in [
        (
            r#"{"serviceCode":"SIMSWP","chargeType":"Recurring"}"#,
            (409, "CHARGE_TYPE_MISMATCH"),
        ),
        (r#"{"serviceCode":"NOSUCH"}"#, (409, "UNKNOWN_REFERENCE")),
        (
            r#"{"serviceCode":"SIMSWP","effectiveDate":"2026-11-21"}"#,
            (409, "DATE_NOT_ALLOWED"),
        ),
    ] {
        let r = app.post_json("/subscriptions/60272/services", body).await;
        assert_eq!(
            (fault(&r).0, fault(&r).2.as_str()),
            want,
            "{body}: {}",
            r.body
        );
    }
    let r = app
        .post_json(
            "/subscriptions/60299/services",
            r#"{"serviceCode":"SIMSWP"}"#,
        )
        .await;
    assert_eq!(r.status, 404);

    // Expiring: recurring ones added on their own only.
    let expire = |id: i64, on: &str| {
        let path = format!("/subscriptions/60272/services/{id}");
        let body = format!(r#"{{"expiryDate":"{on}"}}"#);
        let app = &app;
        async move { send(app, Method::PATCH, &path, &body).await }
    };
    let r = expire(60000001, "2026-12-31").await.good();
    assert_eq!(
        r.json(),
        json!({"serviceInstanceId": 60000001, "expiryDate": "2026-12-31"})
    );
    assert_eq!(
        fault(&expire(60000002, "2026-12-31").await).1,
        "NOT_RECURRING"
    );
    let r = expire(50000003, "2026-12-31").await;
    assert_eq!(fault(&r).1, "SERVICE_IN_PACKAGE", "{}", r.body);
    assert_eq!(expire(60000003, "2026-12-31").await.status, 404); // 60270's
    assert_eq!(expire(60000099, "2026-12-31").await.status, 404);
    assert_eq!(
        fault(&expire(60000001, "2026-11-21").await).2,
        "DATE_NOT_ALLOWED"
    );
    // Ended today: no longer listed, and a second expiry is refused.
    expire(60000001, "2026-11-22").await.good();
    assert_eq!(
        fault(&expire(60000001, "2026-12-31").await).1,
        "ALREADY_EXPIRED"
    );
    let listed = subscription(&app, 60272).await;
    assert!(listed["services"]["service"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["serviceInstanceId"] != 60000001));
    // The document form in XML.
    let r = app
        .post_xml(
            "/ws/UpdateSubscriptionService",
            "<updateSubscriptionService><subscriptionNumber>60270</subscriptionNumber><serviceInstanceId>60000003</serviceInstanceId><expiryDate>2027-01-31</expiryDate></updateSubscriptionService>",
        )
        .await
        .good();
    assert_eq!(xml_text(&r.body, "expiryDate"), Some("2027-01-31"));
}

#[actix_web::test]
async fn end_recurring_services_ends_the_running_recurring_ones_on_the_date() {
    let app = spawn_demo();
    // 60272: PAPERB (recurring, 60000001), ITEMBL (one-off); one more that starts later.
    app.post_json(
        "/subscriptions/60272/services",
        r#"{"serviceCode":"PAPERB","effectiveDate":"2027-03-01"}"#,
    )
    .await;
    app.post_json(
        "/subscriptions/60270/services",
        r#"{"serviceCode":"PAPERB","effectiveDate":"2027-03-01"}"#,
    )
    .await
    .good();
    let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
    let ended = app
        .context()
        .store
        .write(|c| cmp_core::subscriptions::end_recurring_services(c, 60270, day))
        .unwrap();
    // 60270's future one ends on its first day; 60272's are untouched.
    assert_eq!(ended, [60000003]);
    let s = subscription(&app, 60270).await;
    assert_eq!(s["services"]["service"][0]["expiryDate"], "2027-03-01");
    let ended = app
        .context()
        .store
        .write(|c| cmp_core::subscriptions::end_recurring_services(c, 60272, day))
        .unwrap();
    assert_eq!(ended, [60000001]);
    let s = subscription(&app, 60272).await;
    let added: Vec<&Value> = s["services"]["service"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x.get("serviceInstanceId").is_some())
        .collect();
    assert_eq!(
        added
            .iter()
            .map(|x| (
                x["serviceCode"].as_str().unwrap(),
                x.get("expiryDate").and_then(Value::as_str)
            ))
            .collect::<Vec<_>>(),
        [("PAPERB", Some("2027-01-15")), ("ITEMBL", None)]
    );
    // Nothing left to end.
    let ended = app
        .context()
        .store
        .write(|c| cmp_core::subscriptions::end_recurring_services(c, 60272, day))
        .unwrap();
    assert!(ended.is_empty());
}

#[actix_web::test]
async fn attributes_are_created_once_for_defined_names_and_then_updated() {
    let app = spawn_demo();
    let r = app
        .post_json(
            "/subscriptions/60272/attributes",
            r#"{"externalReference":"AT-1","name":"Device Name","value":"Tom's phone"}"#,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({"externalReference": "AT-1", "group": "SUBS", "name": "Device Name", "value": "Tom's phone"})
    );
    let again = app
        .post_json(
            "/subscriptions/60272/attributes",
            r#"{"name":"Device Name","value":"other"}"#,
        )
        .await;
    assert_eq!(
        fault(&again),
        (409, "ALREADY_EXISTS".into(), "ALREADY_EXISTS".into())
    );
    for (body, status, code) in [
        (
            r#"{"name":"Shoe Size","value":"9"}"#,
            409,
            "UNKNOWN_REFERENCE",
        ),
        (
            r#"{"group":"RULE","name":"Device Name","value":"x"}"#,
            409,
            "UNKNOWN_REFERENCE",
        ),
        (r#"{"name":"Device Name"}"#, 400, "MANDATORY"),
    ] {
        let r = app.post_json("/subscriptions/60270/attributes", body).await;
        assert_eq!(
            (fault(&r).0, fault(&r).2.as_str()),
            (status, code),
            "{body}"
        );
    }
    // A definition without a group; in XML.
    let r = app
        .post_xml(
            "/subscriptions/60272/attributes",
            "<createSubscriptionAttribute><name>Marketing Opt In</name><value>No</value></createSubscriptionAttribute>",
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(xml_text(&r.body, "group"), None);
    // Update: existing names only (the path's name is percent-decoded).
    let r = send(
        &app,
        Method::PATCH,
        "/subscriptions/60272/attributes/Preferred%20Language",
        r#"{"value":"Welsh"}"#,
    )
    .await
    .good();
    assert_eq!(
        r.json(),
        json!({"group": "SUBS", "name": "Preferred Language", "value": "Welsh"})
    );
    let r = send(
        &app,
        Method::PATCH,
        "/subscriptions/60270/attributes/Preferred%20Language",
        r#"{"value":"Welsh"}"#,
    )
    .await;
    assert_eq!(fault(&r), (404, "NOT_FOUND".into(), "NOT_FOUND".into()));
    let attrs = subscription(&app, 60272).await["attributes"].clone();
    assert_eq!(
        attrs,
        json!({"attribute": [
            {"group": "SUBS", "name": "Device Name", "value": "Tom's phone"},
            {"name": "Marketing Opt In", "value": "No"},
            {"group": "SUBS", "name": "Preferred Language", "value": "Welsh"}
        ]})
    );
    // A subscription without attributes, services or personal details shows none.
    let plain = subscription(&app, 60277).await;
    for key in ["attributes", "dateOfBirth", "gender", "maritalStatus"] {
        assert!(plain.get(key).is_none(), "{key}: {plain}");
    }
}

#[actix_web::test]
async fn subscription_email_addresses_use_the_account_slots_rules() {
    let app = spawn_demo();
    let list = app
        .get("/subscriptions/60272/emailAddresses", "application/json")
        .await
        .good()
        .json();
    assert_eq!(
        list,
        json!({"emailAddress": [{"emailId": 1, "type": "Primary", "address": "tom.smith@example.com"}]})
    );
    let r = send(
        &app,
        Method::PATCH,
        "/subscriptions/60272/emailAddresses/2",
        r#"{"address":"bills@example.com"}"#,
    )
    .await
    .good();
    assert_eq!(r.json()["emailAddress"]["type"], "Billing");
    let r = app
        .request(
            Method::PATCH,
            "/subscriptions/60272/emailAddresses/1",
            &XML,
            "<updateSubscriptionEmailAddress><address>tom@example.org</address><type>Notification</type></updateSubscriptionEmailAddress>",
        )
        .await
        .good();
    assert_eq!(xml_text(&r.body, "type"), Some("Notification"));
    let xml = app
        .get("/subscriptions/60272/emailAddresses", "application/xml")
        .await
        .good()
        .body;
    assert_eq!(
        xml_texts(&xml, "address"),
        ["tom@example.org", "bills@example.com"]
    );
    // Another subscription has none until one is written.
    let none = app
        .get("/subscriptions/60270/emailAddresses", "application/json")
        .await
        .good()
        .json();
    assert_eq!(none, json!({"emailAddress": []}));
    for (path, body, want) in [
        (
            "/subscriptions/60272/emailAddresses/1",
            r#"{"address":"not an address"}"#,
            (400, "INVALID_FORMAT"),
        ),
        (
            "/subscriptions/60272/emailAddresses/4",
            r#"{"address":"a@b.co"}"#,
            (400, "OUT_OF_RANGE"),
        ),
        (
            "/subscriptions/60299/emailAddresses/1",
            r#"{"address":"a@b.co"}"#,
            (404, "NOT_FOUND"),
        ),
    ] {
        let r = send(&app, Method::PATCH, path, body).await;
        assert_eq!((fault(&r).0, fault(&r).2.as_str()), want, "{path}");
    }
    assert_eq!(
        app.get("/subscriptions/60299/emailAddresses", "application/json")
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn serial_numbers_change_with_their_history_and_stay_unique() {
    let app = spawn_demo();
    let r = send(
        &app,
        Method::PUT,
        "/subscriptions/60272/serialNumbers",
        r#"{"externalReference":"SN-1",
            "managedSerialNumbers":{"managedSerialNumber":[{"enumerationId":2,"networkSerialNumber":"234150000060272"}]},
            "nonManagedSerialNumbers":{"nonManagedSerialNumber":[{"enumerationId":1,"value":"447700900999"}]}}"#,
    )
    .await
    .good();
    assert_eq!(
        r.json(),
        json!({"externalReference": "SN-1", "subscriptionNumber": 60272,
            "managedSerialNumbers": {"managedSerialNumber": [
                {"enumerationId": 1, "networkSerialNumber": "8944100030123460272"},
                {"enumerationId": 2, "networkSerialNumber": "234150000060272"}]},
            "nonManagedSerialNumbers": {"nonManagedSerialNumber": [{"enumerationId": 1, "value": "447700900999"}]}})
    );
    // GetSubscription shows the current ones; the history keeps the old value, dated.
    let s = subscription(&app, 60272).await;
    assert_eq!(
        s["nonManagedSerialNumbers"]["nonManagedSerialNumber"][0]["value"],
        "447700900999"
    );
    // A second change of the same slot adds to the history.
    send(
        &app,
        Method::PUT,
        "/subscriptions/60272/serialNumbers",
        r#"{"nonManagedSerialNumbers":{"nonManagedSerialNumber":[{"enumerationId":1,"value":"447700900888"}]}}"#,
    )
    .await
    .good();
    let h = app
        .get(
            "/subscriptions/60272/serialNumbers?history=true",
            "application/json",
        )
        .await
        .good()
        .json();
    assert_eq!(
        h["history"]["serialNumber"],
        json!([
            {"kind": "Managed", "enumerationId": 1, "value": "8944100030123460272", "effectiveDate": "2026-11-22"},
            {"kind": "Managed", "enumerationId": 2, "value": "234150000060272", "effectiveDate": "2026-11-22"},
            {"kind": "NonManaged", "enumerationId": 1, "value": "447700900124", "effectiveDate": "2026-11-22", "endDate": "2026-11-22"},
            {"kind": "NonManaged", "enumerationId": 1, "value": "447700900999", "effectiveDate": "2026-11-22", "endDate": "2026-11-22"},
            {"kind": "NonManaged", "enumerationId": 1, "value": "447700900888", "effectiveDate": "2026-11-22"}
        ])
    );
    let plain = app
        .get("/subscriptions/60272/serialNumbers", "application/xml")
        .await
        .good()
        .body;
    assert!(!plain.contains("<history>"), "{plain}");
    assert_eq!(xml_texts(&plain, "value"), ["447700900888"]);
    // The new values find the subscription.
    let found = app
        .get(
            "/subscriptions?serialNumber=234150000060272",
            "application/json",
        )
        .await
        .json();
    assert_eq!(found["subscription"][0]["subscriptionNumber"], 60272);

    // Refusals change nothing.
    for (body, want) in [
        // 60270's SIM.
        (
            r#"{"managedSerialNumbers":{"managedSerialNumber":[{"enumerationId":3,"networkSerialNumber":"8944100030123460270"}]}}"#,
            (409, "SERIAL_IN_USE"),
        ),
        // The subscription's own slot 1 value in slot 3.
        (
            r#"{"managedSerialNumbers":{"managedSerialNumber":[{"enumerationId":3,"networkSerialNumber":"8944100030123460272"}]}}"#,
            (409, "SERIAL_IN_USE"),
        ),
        (
            r#"{"nonManagedSerialNumbers":{"nonManagedSerialNumber":[{"enumerationId":2,"value":"1"},{"enumerationId":2,"value":"2"}]}}"#,
            (400, "DUPLICATE_ELEMENT"),
        ),
        (
            r#"{"managedSerialNumbers":{"managedSerialNumber":[{"enumerationId":6,"networkSerialNumber":"1"}]}}"#,
            (400, "OUT_OF_RANGE"),
        ),
    ] {
        let r = send(
            &app,
            Method::PUT,
            "/subscriptions/60272/serialNumbers",
            body,
        )
        .await;
        assert_eq!(
            (fault(&r).0, fault(&r).2.as_str()),
            want,
            "{body}: {}",
            r.body
        );
    }
    let r = app
        .request(
            Method::PUT,
            "/subscriptions/60299/serialNumbers",
            &XML,
            "<changeSerialNumbers></changeSerialNumbers>",
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let unchanged = app
        .get("/subscriptions/60272/serialNumbers", "application/json")
        .await
        .json();
    assert_eq!(
        unchanged["managedSerialNumbers"]["managedSerialNumber"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Swapping two slots' values in one request is fine (each held once after it).
    send(
        &app,
        Method::PUT,
        "/subscriptions/60272/serialNumbers",
        r#"{"managedSerialNumbers":{"managedSerialNumber":[
            {"enumerationId":1,"networkSerialNumber":"234150000060272"},
            {"enumerationId":2,"networkSerialNumber":"8944100030123460272"}]}}"#,
    )
    .await
    .good();
}

#[actix_web::test]
async fn a_catalogue_must_keep_the_services_and_attribute_definitions_subscriptions_use() {
    let app = spawn_demo();
    let mut doc = app
        .get("/catalogue", "application/json")
        .await
        .good()
        .json();
    let keep = |list: &mut Value, key: &str, drop: &str| {
        list.as_array_mut()
            .unwrap()
            .retain(|x| x[key].as_str() != Some(drop));
    };
    keep(&mut doc["services"]["service"], "code", "PAPERB");
    keep(
        &mut doc["referenceData"]["attributeDefinitions"]["attributeDefinition"],
        "name",
        "Preferred Language",
    );
    let r = app
        .request(Method::PUT, "/catalogue", &JSON, &doc.to_string())
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let errors: Vec<(String, String)> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["messageId"].as_str().unwrap().to_string(),
                e["extraInfo"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("IN_USE".to_string(), "services".to_string()),
            (
                "IN_USE".to_string(),
                "referenceData.attributeDefinitions".to_string()
            )
        ]
    );
    // Once the service has ended (today) and nothing else changed, only the attribute
    // definition is still needed.
    app.request(
        Method::PATCH,
        "/subscriptions/60272/services/60000001",
        &JSON,
        r#"{"expiryDate":"2026-11-22"}"#,
    )
    .await
    .good();
    let r = app
        .request(Method::PUT, "/catalogue", &JSON, &doc.to_string())
        .await;
    assert_eq!(
        r.json()["errors"].as_array().unwrap().len(),
        1,
        "{}",
        r.body
    );
}
