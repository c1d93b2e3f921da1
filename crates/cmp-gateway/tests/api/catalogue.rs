//! The product catalogue, subscriptions and compatibility, against a small fixed
//! catalogue (fixtures/test/catalogue-small.json) so every answer can be stated exactly.
//! Today is 2026-11-22 (the test clock).

use actix_web::http::Method;
use serde_json::Value;

use crate::helpers::*;

const JSON: [(&str, &str); 1] = [("content-type", "application/json")];

/// The structure, the small catalogue, and subscription 40000001 on plan P10 for account
/// 10000004 (whose agreement, 20000005 of group ACMEGP, next invoices on 2026-12-01).
async fn with_subscription() -> TestApp {
    let app = spawn_structure();
    app.request(Method::PUT, "/catalogue", &JSON, &small_catalogue())
        .await
        .good();
    let r = app
        .post_json(
            "/accounts/10000004/subscriptions",
            r#"{"pricePlanCode":"P10","userName":"Bob"}"#,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["subscriptionNumber"].as_i64()),
        (201, Some(40000001)),
        "{}",
        r.body
    );
    app
}

fn codes(v: &Value, list: &str, code: &str) -> Vec<String> {
    v[list].as_array().map_or(vec![], |a| {
        a.iter()
            .map(|x| x[code].as_str().unwrap().to_string())
            .collect()
    })
}

/// group code → package codes, from a QueryCompatiblePackages answer.
fn groups(v: &Value) -> Vec<(String, Vec<String>)> {
    v["packageGroup"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let pk = g["packages"]["package"].as_array().map_or(vec![], |a| {
                a.iter()
                    .map(|p| p["code"].as_str().unwrap().to_string())
                    .collect()
            });
            (g["code"].as_str().unwrap().to_string(), pk)
        })
        .collect()
}

fn g(code: &str, packages: &[&str]) -> (String, Vec<String>) {
    (
        code.to_string(),
        packages.iter().map(|p| p.to_string()).collect(),
    )
}

async fn packages(app: &TestApp, body: &str) -> Value {
    app.post_json("/ws/QueryCompatiblePackages", body)
        .await
        .good()
        .json()
}

async fn plans(app: &TestApp, body: &str) -> Vec<String> {
    codes(
        &app.post_json("/ws/QueryCompatiblePlans", body)
            .await
            .good()
            .json(),
        "pricePlan",
        "code",
    )
}

#[actix_web::test]
async fn a_channel_sees_only_the_plans_offered_to_it() {
    let app = with_subscription().await;
    let mine = r#"{"subscriptionNumber":40000001,"eligibilityRules":{"salesChannel":"MYACCOUNT"}}"#;
    let answer = app
        .post_json("/ws/QueryCompatiblePlans", mine)
        .await
        .good()
        .json();
    assert_eq!(codes(&answer, "pricePlan", "code"), ["P10", "P20"]);
    assert_eq!(
        answer["pricePlan"][0]["subscriptionPlanStatus"]["status"],
        "Active"
    );
    assert_eq!(
        answer["pricePlan"][1]["subscriptionPlanStatus"]["status"],
        "Available"
    );
    // P20: its default bolt-on, its base package with the at-once discount.
    assert_eq!(
        answer["pricePlan"][1]["defaultPackages"]["packageCode"],
        serde_json::json!(["TV"])
    );
    assert_eq!(answer["pricePlan"][1]["basePackage"]["price"], "20.00");
    assert_eq!(
        answer["pricePlan"][1]["basePackage"]["discountedPriceAtStart"],
        "10.00"
    );
    assert_eq!(answer["pricePlan"][1]["contractTermMonths"], 12);
    let tele = r#"{"subscriptionNumber":40000001,"eligibilityRules":{"salesChannel":"TELESALES"}}"#;
    assert_eq!(plans(&app, tele).await, ["P10", "P30"]);
}

#[actix_web::test]
async fn an_as_of_date_before_a_plans_effective_date_leaves_it_out() {
    let app = with_subscription().await;
    let at = |date: &str| {
        format!(
            r#"{{"subscriptionNumber":40000001,"eligibilityRules":{{"salesChannel":"RETAIL","asOfDate":{{"date":"{date}"}}}}}}"#
        )
    };
    assert_eq!(plans(&app, &at("2026-12-31")).await, ["P10", "P20"]);
    assert_eq!(plans(&app, &at("2027-01-01")).await, ["P10", "P20", "PFUT"]);
    // Before P20 and P10 began, only the current plan (Active) is listed.
    assert_eq!(plans(&app, &at("2025-12-31")).await, ["P10"]);
}

#[actix_web::test]
async fn the_bolt_ons_offered_follow_channel_dates_and_the_bill_cycle() {
    let app = with_subscription().await;
    let today = packages(
        &app,
        r#"{"subscriptionNumber":40000001,"eligibilityRules":{"salesChannel":"MYACCOUNT"}}"#,
    )
    .await;
    // DUN is RETAIL only, DOLD expired, DNEW starts on 2026-12-01.
    assert_eq!(
        groups(&today),
        [g("DATA", &["D1", "D5"]), g("ROAM", &["EU"])]
    );
    let data = &today["packageGroup"][0];
    assert_eq!(data["cardinality"], serde_json::json!({"min": 0, "max": 1}));
    assert_eq!(
        data["packages"]["package"][0]["subscriptionPackageStatus"]["status"],
        "Available"
    );
    assert_eq!(data["packages"]["package"][1]["price"], "10.00");
    assert_eq!(
        data["packages"]["package"][1]["discountedPriceAtStart"],
        "5.00"
    );
    let retail = packages(
        &app,
        r#"{"subscriptionNumber":40000001,"eligibilityRules":{"salesChannel":"RETAIL"}}"#,
    )
    .await;
    assert_eq!(groups(&retail)[0], g("DATA", &["D1", "D5", "DUN"]));
    // On the bill cycle: the agreement's next invoice date, 2026-12-01.
    let bill = r#"{"subscriptionNumber":40000001,"eligibilityRules":{"salesChannel":"MYACCOUNT","asOfDate":{"onBillCycle":true}}}"#;
    assert_eq!(
        groups(&packages(&app, bill).await)[0],
        g("DATA", &["D1", "D5", "DNEW"])
    );
}

#[actix_web::test]
async fn a_parameter_condition_filters_the_items_that_have_one() {
    let app = with_subscription().await;
    let recommended = r#"{"subscriptionNumber":40000001,"eligibilityRules":{"salesChannel":"MYACCOUNT",
        "parameters":{"parameter":[{"name":"Category","value":"Recommended"}]}}}"#;
    // D5's categories do not include Recommended; D1 has no condition; EU does.
    assert_eq!(
        groups(&packages(&app, recommended).await),
        [g("DATA", &["D1"]), g("ROAM", &["EU"])]
    );
    // The 7.3.8 form: parameters repeated with name and value.
    let legacy = r#"{"subscriptionNumber":40000001,"eligibilityRules":{"salesChannel":"MYACCOUNT",
        "parameters":[{"name":"Category","value":"Data"}]}}"#;
    assert_eq!(
        groups(&packages(&app, legacy).await),
        [g("DATA", &["D1", "D5"]), g("ROAM", &[])]
    );
}

#[actix_web::test]
async fn a_plan_being_changed_to_decides_the_groups() {
    let app = with_subscription().await;
    let change = r#"{"subscriptionNumber":40000001,"planCode":"P20","eligibilityRules":{"salesChannel":"MYACCOUNT"}}"#;
    let answer = packages(&app, change).await;
    assert_eq!(
        groups(&answer),
        [
            g("DATA", &["D1", "D5"]),
            g("ROAM", &["EU"]),
            g("FUN", &["TV"])
        ]
    );
    assert_eq!(
        answer["packageGroup"][2]["cardinality"],
        serde_json::json!({"min": 0, "noMax": true})
    );
    // Without a subscription, a plan alone works too; with neither it is a fault.
    let plan_only = packages(
        &app,
        r#"{"planCode":"P30","eligibilityRules":{"salesChannel":"TELESALES"}}"#,
    )
    .await;
    assert_eq!(groups(&plan_only), [g("DATA", &["D1"])]);
    assert!(plan_only["packageGroup"][0]["packages"]["package"][0]
        .get("subscriptionPackageStatus")
        .is_none());
    let r = app
        .post_json(
            "/ws/QueryCompatiblePackages",
            r#"{"eligibilityRules":{"salesChannel":"RETAIL"}}"#,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["messageId"].as_str()),
        (400, Some("MANDATORY"))
    );
}

#[actix_web::test]
async fn the_groups_maximum_holds_on_every_day_of_a_purchase() {
    let app = with_subscription().await;
    let add = |code: &str, on: &str| {
        format!(
            r#"{{"packageCode":"{code}","effectiveDate":"{on}","eligibilityRules":{{"salesChannel":"MYACCOUNT"}}}}"#
        )
    };
    // A data bolt-on from next month, then one from today: today only one is live, but
    // from next month on both would be.
    app.post_json("/subscriptions/40000001/packages", &add("D5", "2026-12-22"))
        .await
        .good();
    let r = app
        .post_json("/subscriptions/40000001/packages", &add("D1", "2026-11-22"))
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["details"]["messageId"], "CARDINALITY_EXCEEDED");
}

#[actix_web::test]
async fn a_second_data_bolt_on_passes_the_groups_maximum() {
    let app = with_subscription().await;
    let add = |code: &str| {
        format!(r#"{{"packageCode":"{code}","eligibilityRules":{{"salesChannel":"MYACCOUNT"}}}}"#)
    };
    let first = app
        .post_json("/subscriptions/40000001/packages", &add("D1"))
        .await;
    assert_eq!(
        (first.status, first.json()["purchaseIdentifier"].as_i64()),
        (201, Some(50000002)),
        "{}",
        first.body
    );
    let second = app
        .post_json("/subscriptions/40000001/packages", &add("D5"))
        .await;
    assert_eq!(second.status, 409, "{}", second.body);
    let fault = second.json();
    assert_eq!(fault["details"]["messageId"], "CARDINALITY_EXCEEDED");
    assert!(
        fault["details"]["messageText"]
            .as_str()
            .unwrap()
            .contains("DATA"),
        "{fault}"
    );
    // A roaming bolt-on is another group: fine. Held packages show as Active.
    app.post_json("/subscriptions/40000001/packages", &add("EU"))
        .await
        .good();
    let held = packages(
        &app,
        r#"{"subscriptionNumber":40000001,"eligibilityRules":{"salesChannel":"MYACCOUNT"}}"#,
    )
    .await;
    let d1 = &held["packageGroup"][0]["packages"]["package"][0];
    assert_eq!(
        (
            d1["code"].as_str(),
            d1["subscriptionPackageStatus"]["status"].as_str()
        ),
        (Some("D1"), Some("Active"))
    );
    // Expired, D5 fits.
    let r = app
        .request(
            Method::DELETE,
            "/subscriptions/40000001/packages/50000002",
            &[("accept", "application/json")],
            "",
        )
        .await
        .good();
    assert_eq!(r.json()["expiryDate"], "2026-11-22");
    app.post_json("/subscriptions/40000001/packages", &add("D5"))
        .await
        .good();
    // Refusals: channel, plan's groups, unknown package, base package.
    let r = app
        .post_json(
            "/subscriptions/40000001/packages",
            r#"{"packageCode":"DUN","eligibilityRules":{"salesChannel":"MYACCOUNT"}}"#,
        )
        .await;
    assert_eq!(r.json()["details"]["messageId"], "NOT_ELIGIBLE");
    let r = app
        .post_json(
            "/subscriptions/40000001/packages",
            r#"{"packageCode":"TV"}"#,
        )
        .await;
    assert_eq!(r.json()["details"]["messageId"], "PACKAGE_NOT_COMPATIBLE");
    let r = app
        .post_json(
            "/subscriptions/40000001/packages",
            r#"{"packageCode":"NOPE"}"#,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["messageId"].as_str()),
        (409, Some("UNKNOWN_REFERENCE"))
    );
    let r = app
        .request(
            Method::DELETE,
            "/subscriptions/40000001/packages/50000001",
            &[("accept", "application/json")],
            "",
        )
        .await;
    assert_eq!(r.json()["details"]["messageId"], "BASE_PACKAGE");
}

#[actix_web::test]
async fn a_delayed_discount_is_not_in_the_price_at_start() {
    let app = with_subscription().await;
    let answer = app
        .post_json(
            "/ws/QueryCompatiblePlans",
            r#"{"eligibilityRules":{"salesChannel":"TELESALES"}}"#,
        )
        .await
        .good()
        .json();
    let p30 = answer["pricePlan"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "P30")
        .unwrap();
    assert_eq!(p30["basePackage"]["price"], "30.00");
    assert!(
        p30["basePackage"].get("discountedPriceAtStart").is_none(),
        "{p30}"
    );
    assert_eq!(
        p30["basePackage"]["discountSchemes"]["discountScheme"][0]["monthsToStart"],
        3
    );
}

#[actix_web::test]
async fn subscriptions_are_listed_with_their_base_package_and_filters() {
    let app = with_subscription().await;
    let body = r#"{"pricePlanCode":"P20","activate":false,"nonManagedSerialNumbers":{"nonManagedSerialNumber":[{"enumerationId":1,"value":"447700900999"}]},
        "identities":{"identity":[{"identityType":"MSISDN","identityValue":"447700900999"}]}}"#;
    let n = app
        .post_json("/accounts/10000004/subscriptions", body)
        .await
        .good()
        .json()["subscriptionNumber"]
        .as_i64()
        .unwrap();
    let one = app
        .get(&format!("/subscriptions/{n}"), "application/json")
        .await
        .good()
        .json();
    let s = &one["subscription"];
    assert_eq!(
        (s["status"].as_str(), s["agreementNumber"].as_i64()),
        (Some("PreActive"), Some(20000005))
    );
    assert_eq!(
        s["basePackage"],
        serde_json::json!({"code": "BP20", "description": "SIM only 20", "effectiveDate": "2026-11-22", "price": "20.00"})
    );
    assert_eq!(s["contract"]["endDate"], "2027-11-22");
    let all = app
        .get("/subscriptions?accountId=10000004", "application/json")
        .await
        .good()
        .json();
    assert_eq!(
        all["meta"],
        serde_json::json!({"recordCount": 2, "activeRecordCount": 1, "totalCount": 2, "offset": 0, "limit": 100})
    );
    let by_serial = app
        .get(
            "/subscriptions?nonManagedSerialNumber=447700900999",
            "application/xml",
        )
        .await
        .good();
    assert_eq!(
        xml_texts(&by_serial.body, "subscriptionNumber"),
        [n.to_string()]
    );
    let by_identity = app
        .get(
            "/subscriptions?identityType=MSISDN&identityValue=447700900999&status=PreActive",
            "application/json",
        )
        .await
        .json();
    assert_eq!(by_identity["meta"]["recordCount"], 1);
    let paged = app
        .get("/subscriptions?offset=1&limit=1", "application/json")
        .await
        .json();
    assert_eq!(
        (
            paged["meta"]["recordCount"].as_i64(),
            paged["meta"]["totalCount"].as_i64()
        ),
        (Some(1), Some(2))
    );
    let r = app
        .post_json(
            "/accounts/10000004/subscriptions",
            r#"{"pricePlanCode":"PFUT"}"#,
        )
        .await;
    assert_eq!(r.json()["details"]["messageId"], "PLAN_NOT_AVAILABLE");
    let r = app.get("/subscriptions/49999999", "application/json").await;
    assert_eq!(r.status, 404);
}

#[actix_web::test]
async fn a_catalogue_with_three_broken_references_is_refused_whole() {
    let app = with_subscription().await;
    let mut doc: Value = serde_json::from_str(&small_catalogue()).unwrap();
    doc["pricePlans"]["pricePlan"][0]["basePackageCode"] = "NOPKG".into();
    doc["packages"]["package"][3]["serviceCodes"]["serviceCode"][0] = "NOSVC".into();
    doc["pricePlans"]["pricePlan"][1]["compatiblePlans"]["planCode"][0] = "NOPLAN".into();
    let r = app
        .request(Method::PUT, "/catalogue", &JSON, &doc.to_string())
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let paths: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["extraInfo"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "packages.package[3].serviceCodes",
            "pricePlans.pricePlan[0].basePackageCode",
            "pricePlans.pricePlan[1].compatiblePlans",
        ]
    );
    // The previous catalogue still answers.
    let cat = app
        .get("/catalogue", "application/json")
        .await
        .good()
        .json();
    assert_eq!(cat["version"], 1);
    assert_eq!(cat["pricePlans"]["pricePlan"][0]["basePackageCode"], "BP10");
    // Removing a plan a subscription uses is refused too.
    let mut doc: Value = serde_json::from_str(&small_catalogue()).unwrap();
    doc["pricePlans"]["pricePlan"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    doc["pricePlans"]["pricePlan"][0]["compatiblePlans"]["planCode"] = serde_json::json!(["P30"]);
    doc["pricePlans"]["pricePlan"][1]["compatiblePlans"]["planCode"] = serde_json::json!(["P20"]);
    let r = app
        .request(Method::PUT, "/catalogue", &JSON, &doc.to_string())
        .await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["messageId"].as_str()),
        (409, Some("IN_USE")),
        "{}",
        r.body
    );
    // A good one becomes version 2, in XML as well.
    let r = app
        .request(
            Method::PUT,
            "/catalogue",
            &[
                ("content-type", "application/json"),
                ("accept", "application/xml"),
            ],
            &small_catalogue(),
        )
        .await
        .good();
    assert_eq!(xml_text(&r.body, "version"), Some("2"));
}

#[actix_web::test]
async fn compatible_packages_answer_in_xml_json_and_soap() {
    let app = with_subscription().await;
    let xml = "<queryCompatiblePackages><subscriptionNumber>40000001</subscriptionNumber><eligibilityRules><salesChannel>MYACCOUNT</salesChannel></eligibilityRules></queryCompatiblePackages>";
    let r = app
        .post_xml("/ws/QueryCompatiblePackages", xml)
        .await
        .good();
    assert_eq!(
        xml_texts(&r.body, "packageClassification"),
        ["Bolton Package"; 3]
    );
    let r = app
        .get(
            "/subscriptions/40000001/compatiblePackages?eligibilityRules.salesChannel=MYACCOUNT",
            "application/json",
        )
        .await
        .good();
    assert_eq!(
        groups(&r.json()),
        [g("DATA", &["D1", "D5"]), g("ROAM", &["EU"])]
    );
    let env = soap_envelope(
        "subscription",
        "QueryCompatiblePackages",
        "Request",
        "<SubscriptionNumber>40000001</SubscriptionNumber><EligibilityRules><SalesChannel>MYACCOUNT</SalesChannel></EligibilityRules>",
    );
    let r = app
        .post_soap("/ws/dise3g/services/SubscriptionPort", &env)
        .await
        .good();
    assert!(
        r.body.contains("<def:QueryCompatiblePackagesResponse"),
        "{}",
        r.body
    );
    assert_eq!(
        xml_texts(&r.body, "PackageClassification"),
        ["Bolton Package"; 3]
    );
}

#[actix_web::test]
async fn another_gateway_on_the_same_database_picks_up_a_new_catalogue() {
    let app = with_subscription().await;
    // A second gateway: its own snapshot, the same database.
    let other = app.second_gateway();
    assert_eq!(
        other
            .get("/catalogue", "application/json")
            .await
            .good()
            .json()["version"],
        1
    );
    let mut doc: Value = serde_json::from_str(&small_catalogue()).unwrap();
    doc["pricePlans"]["pricePlan"][0]["description"] = "SIM only ten".into();
    app.request(Method::PUT, "/catalogue", &JSON, &doc.to_string())
        .await
        .good();
    // The importing gateway answers from the new version at once; the other within RECHECK.
    assert_eq!(
        app.get("/catalogue", "application/json").await.json()["pricePlans"]["pricePlan"][0]
            ["description"],
        "SIM only ten"
    );
    std::thread::sleep(cmp_core::catalogue::RECHECK + std::time::Duration::from_millis(100));
    let seen = other.get("/catalogue", "application/json").await.json();
    assert_eq!(
        (
            seen["version"].as_i64(),
            seen["pricePlans"]["pricePlan"][0]["description"].as_str()
        ),
        (Some(2), Some("SIM only ten"))
    );
}

#[actix_web::test]
async fn an_exported_catalogue_loads_back_from_xml() {
    let app = with_subscription().await;
    let xml = app.get("/catalogue", "application/xml").await.good().body;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalogue.xml");
    std::fs::write(&file, &xml).unwrap();
    let loaded = cmp_gateway::load::load_path(&app.context(), &file).unwrap();
    assert_eq!(loaded.operations, 1);
    let again = app.get("/catalogue", "application/xml").await.good().body;
    // Same content, next version.
    assert_eq!(
        again.replace("<version>2</version>", "<version>1</version>"),
        xml
    );
}

#[actix_web::test]
async fn package_groups_list_bolt_ons_of_every_group_they_are_in_on_the_as_of_date() {
    let app = spawn_structure();
    let mut cat: Value = serde_json::from_str(&small_catalogue()).unwrap();
    for p in cat["packages"]["package"].as_array_mut().unwrap() {
        match p["code"].as_str().unwrap() {
            // TV is in ROAM too (P10 offers DATA and ROAM, not FUN).
            "TV" => p["packageGroups"] = serde_json::json!({"packageGroupCode": ["ROAM"]}),
            // A base package listed in a group is still no bolt-on.
            "BP20" => p["packageGroups"] = serde_json::json!({"packageGroupCode": ["DATA"]}),
            _ => {}
        }
    }
    app.request(Method::PUT, "/catalogue", &JSON, &cat.to_string())
        .await
        .good();
    app.post_json(
        "/accounts/10000004/subscriptions",
        r#"{"pricePlanCode":"P10","userName":"Bob"}"#,
    )
    .await
    .good();
    // A data bolt-on bought today from next month on.
    app.post_json(
        "/subscriptions/40000001/packages",
        r#"{"packageCode":"D1","effectiveDate":"2026-12-22"}"#,
    )
    .await
    .good();
    let status_of = |answer: &Value, group: &str, code: &str| -> Option<String> {
        let groups = answer["packageGroup"].as_array()?;
        let g = groups.iter().find(|g| g["code"] == group)?;
        let p = g["packages"]["package"]
            .as_array()?
            .iter()
            .find(|p| p["code"] == code)?;
        Some(
            p["subscriptionPackageStatus"]["status"]
                .as_str()?
                .to_string(),
        )
    };
    let today = packages(&app, r#"{"subscriptionNumber":40000001}"#).await;
    assert_eq!(
        status_of(&today, "DATA", "D1").as_deref(),
        Some("Available")
    );
    assert_eq!(
        status_of(&today, "ROAM", "TV").as_deref(),
        Some("Available")
    );
    assert_eq!(status_of(&today, "DATA", "BP20"), None, "{today}");
    let later = packages(
        &app,
        r#"{"subscriptionNumber":40000001,"eligibilityRules":{"salesChannel":"RETAIL","asOfDate":{"date":"2026-12-25"}}}"#,
    )
    .await;
    assert_eq!(
        status_of(&later, "DATA", "D1").as_deref(),
        Some("Active"),
        "{later}"
    );
}

/// The rules the schemas state for a catalogue (`<unique>`, `<ordered>`,
/// `<requiredWhen>`, published as `x-cmp-unique`, `x-cmp-ordered` and JSON Schema):
/// each broken one is a field error of one ValidationFault (400), naming the field.
#[actix_web::test]
async fn a_catalogue_breaking_the_rules_its_schema_states_is_refused_naming_each() {
    let app = with_subscription().await;
    let mut doc: Value = serde_json::from_str(&small_catalogue()).unwrap();
    doc["pricePlans"]["pricePlan"][3]["code"] = "P30".into(); // a second P30
    doc["packages"]["package"][6]["expiryDate"] = "2025-01-01".into(); // = effectiveDate
    doc["packageGroups"]["packageGroup"][2]["max"] = serde_json::json!(0); // = min 0: allowed
    doc["packageGroups"]["packageGroup"][0]["max"] = serde_json::json!(0); // below min 1
    doc["packages"]["package"][8]
        .as_object_mut()
        .unwrap()
        .remove("primaryPackageGroupCode"); // a bolt-on without its group
    let r = app
        .request(Method::PUT, "/catalogue", &JSON, &doc.to_string())
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let errors: Vec<(String, String)> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_string();
            (s("messageId"), s("extraInfo"))
        })
        .collect();
    for want in [
        ("DUPLICATE_CODE", "pricePlans.pricePlan[3].code"),
        ("INVALID_DATES", "packages.package[6].expiryDate"),
        ("INVALID_CARDINALITY", "packageGroups.packageGroup[0].max"),
        ("MANDATORY", "packages.package[8].primaryPackageGroupCode"),
    ] {
        let want = (want.0.to_string(), want.1.to_string());
        assert!(errors.contains(&want), "{want:?} in {errors:?}");
    }
    assert!(
        !errors
            .iter()
            .any(|(_, at)| at.starts_with("packageGroups.packageGroup[2]")),
        "max 0 is not below min 0: {errors:?}"
    );
}
