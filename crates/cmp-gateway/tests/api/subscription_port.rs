//! The CMP 7.3.8 subscription and services services (SubscriptionPort, ServicesPort): the
//! captured requests verbatim, one story on a clock that moves with their dates, faults
//! that name the 7.3.8 fields, and operations made of several that commit all or nothing.

use actix_web::http::Method;
use chrono::{TimeZone, Utc};
use cmp_core::Clock;

use crate::helpers::*;

pub(crate) const SUBSCRIPTION_PORT: &str = "/ws/dise3g/services/SubscriptionPort";
const SERVICES_PORT: &str = "/ws/dise3g/services/ServicesPort";
const GROUP_PORT: &str = "/ws/dise3g/services/GroupPort";
const JSON: [(&str, &str); 1] = [("content-type", "application/json")];

pub(crate) fn capture(name: &str) -> Option<String> {
    std::fs::read_to_string(repo_path(&format!(
        "../shared/reference/captures/{name}.xml"
    )))
    .ok()
}

pub(crate) fn at(app: &TestApp, y: i32, m: u32, d: u32, h: u32, min: u32) {
    app.clock
        .set(Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap());
}

/// The capture story's customer: group NWGRP with posting account 10000001, agreement
/// 20000001 on bill cycle 15, the catalogue of fixtures/test/catalogue-subscription-port.json
/// and subscription numbers from 60272.
pub(crate) async fn story_customer() -> Option<TestApp> {
    let app = spawn_app();
    let group = capture("group-CreateGroup")?;
    at(&app, 2026, 3, 2, 9, 0);
    let cat = std::fs::read_to_string(repo_path("fixtures/test/catalogue-subscription-port.json"))
        .unwrap();
    app.request(Method::PUT, "/catalogue", &JSON, &cat)
        .await
        .good();
    cmp_core::catalogue::reference::set_subscription_counter(&app.context(), 60272).unwrap();
    app.post_soap(GROUP_PORT, &group).await.good();
    let r = app
        .post_soap(
            AGREEMENT_PORT,
            &capture("agreement-CreateAgreement").unwrap(),
        )
        .await
        .good();
    assert_eq!(xml_text(&r.body, "AgreementNumber"), Some("20000001"));
    Some(app)
}

pub(crate) fn assert_fault(r: &Resp, code: &str, path: &str) {
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(
        r.body.contains(&format!("<MessageId>{code}</MessageId>")),
        "{code}: {}",
        r.body
    );
    assert!(
        r.body.contains(&format!("<ExtraInfo>{path}</ExtraInfo>")),
        "{path}: {}",
        r.body
    );
}

#[actix_web::test]
async fn every_subscription_and_services_capture_works_verbatim() {
    let Some(app) = story_customer().await else {
        eprintln!("reference captures not found: skipped");
        return;
    };
    let soap = |name: &str| capture(name).unwrap();

    // CreateSubscription (wrapper child CreationData), held for activation, with its
    // bolt-on and spend cap, at the stamp the later UpdateSubscription capture carries.
    at(&app, 2026, 3, 2, 10, 5);
    let r = app
        .post_soap(SUBSCRIPTION_PORT, &soap("subscription-CreateSubscription"))
        .await
        .good();
    assert!(
        r.body.contains("<def:CreateSubscriptionResponse"),
        "{}",
        r.body
    );
    assert_eq!(xml_text(&r.body, "SubscriptionIdentifier"), Some("60272"));

    let q = app
        .post_soap(SUBSCRIPTION_PORT, &soap("subscription-QuerySubscription"))
        .await
        .good();
    assert_eq!(xml_text(&q.body, "SubscriptionStatus"), Some("PreActive"));
    assert_eq!(xml_text(&q.body, "AgreementNumber"), Some("20000001"));
    assert_eq!(xml_text(&q.body, "AccountNumber"), Some("10000001"));
    assert_eq!(xml_text(&q.body, "GroupCode"), Some("NWGRP"));
    assert_eq!(xml_text(&q.body, "TariffCode"), Some("SIMO12"));
    assert_eq!(xml_text(&q.body, "BillingType"), Some("Postpaid"));
    assert_eq!(xml_text(&q.body, "TariffChangePending"), Some("false"));
    assert_eq!(
        xml_texts(&q.body, "NetworkSerialNumber"),
        ["447700900123", "8944110068123456787"]
    );
    assert_eq!(
        xml_texts(&q.body, "NonManagedSerialNumber")
            .into_iter()
            .filter(|v| !v.starts_with('<'))
            .collect::<Vec<_>>(),
        ["356938035643809"]
    );
    assert_eq!(xml_text(&q.body, "CapCode"), Some("SPEND"));
    assert_eq!(xml_text(&q.body, "Amount"), Some("20.00"));
    assert_eq!(xml_texts(&q.body, "PackageCode"), ["DB5G", "ROAM10"]);
    assert_eq!(
        xml_text(&q.body, "LastAmendedDate"),
        Some("2026-03-02T10:05:00.000000Z")
    );
    // The life-cycle datasets (tests/api/legacy_lifecycle.rs): no change pending.
    assert!(
        q.body.contains("<TerminationFee><TerminationFee>"),
        "{}",
        q.body
    );
    assert!(
        q.body.contains("<UpgradeEligibility><Eligible>"),
        "{}",
        q.body
    );
    assert!(!q.body.contains("PendingTariffChange>"), "{}", q.body);

    // UpdateSubscription: both blocks carry the stamp read back.
    app.post_soap(SUBSCRIPTION_PORT, &soap("subscription-UpdateSubscription"))
        .await
        .good();
    let r = app
        .post_soap(SUBSCRIPTION_PORT, &soap("subscription-UpdateSubscription"))
        .await;
    assert_eq!(r.status, 500, "the same stamp again is stale: {}", r.body);
    assert!(r.body.contains("<MessageId>STALE_DATA</MessageId>"));
    let got = app
        .get("/subscriptions/60272", "application/json")
        .await
        .good();
    assert_eq!(got.json()["subscription"]["costCentre"], "FIN-RDG");

    // CreatePackage and CreateService on 2026-04-01, at the stamp UpdateService carries.
    at(&app, 2026, 4, 1, 11, 30);
    app.post_soap(SUBSCRIPTION_PORT, &soap("subscription-CreatePackage"))
        .await
        .good();
    app.post_soap(SERVICES_PORT, &soap("services-CreateService"))
        .await
        .good();
    let s = app
        .post_soap(SERVICES_PORT, &soap("services-QuerySubscriptionServices"))
        .await
        .good();
    assert_eq!(
        xml_texts(&s.body, "ServiceCode"),
        ["ITMBIL", "MRC5", "ROAMS", "INTLS"]
    );
    assert_eq!(xml_text(&s.body, "Price"), Some("1.50"));
    assert_eq!(xml_text(&s.body, "QueryLimitExceeded"), Some("false"));
    app.post_soap(SERVICES_PORT, &soap("services-UpdateService"))
        .await
        .good();
    let s = app
        .post_soap(SERVICES_PORT, &soap("services-QuerySubscriptionServices"))
        .await
        .good();
    assert_eq!(xml_text(&s.body, "Price"), Some("1.00"));
    assert_eq!(xml_text(&s.body, "ExpiryDate"), Some("2027-03-31"));

    // ExpirePackage: INTL5 bought on 2026-04-01 ends on 2026-06-30.
    at(&app, 2026, 6, 1, 9, 0);
    app.post_soap(SUBSCRIPTION_PORT, &soap("subscription-ExpirePackage"))
        .await
        .good();
    let q = app
        .post_soap(SUBSCRIPTION_PORT, &soap("subscription-QuerySubscription"))
        .await
        .good();
    assert!(
        q.body
            .contains("<PackageCode>INTL5</PackageCode><EffectiveDate>2026-04-01</EffectiveDate><ExpiryDate>2026-06-30</ExpiryDate>"),
        "{}",
        q.body
    );

    // ManagePackages on 2026-07-15: ROAM10 ends, XD5G starts, in one go.
    at(&app, 2026, 7, 1, 9, 0);
    app.post_soap(SUBSCRIPTION_PORT, &soap("subscription-ManagePackages"))
        .await
        .good();
    let q = app
        .post_soap(SUBSCRIPTION_PORT, &soap("subscription-QuerySubscription"))
        .await
        .good();
    assert!(
        q.body.contains("<PackageCode>ROAM10</PackageCode><EffectiveDate>2026-03-02</EffectiveDate><ExpiryDate>2026-07-15</ExpiryDate>"),
        "{}",
        q.body
    );
    assert!(
        q.body.contains("<PackageCode>XD5G</PackageCode><EffectiveDate>2026-07-15</EffectiveDate><Price>6.00</Price><DiscountedPrice>3.00</DiscountedPrice>"),
        "{}",
        q.body
    );

    // UpdateSubscriptionSerialNumbers: a SIM swap and a new handset.
    at(&app, 2026, 8, 1, 9, 0);
    app.post_soap(
        SUBSCRIPTION_PORT,
        &soap("subscription-UpdateSubscriptionSerialNumbers"),
    )
    .await
    .good();

    // SetPostPayCaps: 25.00 from 2026-08-15.
    at(&app, 2026, 8, 15, 9, 0);
    app.post_soap(SUBSCRIPTION_PORT, &soap("subscription-SetPostPayCaps"))
        .await
        .good();
    let q = app
        .post_soap(SUBSCRIPTION_PORT, &soap("subscription-QuerySubscription"))
        .await
        .good();
    assert_eq!(
        xml_texts(&q.body, "NetworkSerialNumber"),
        ["447700900123", "8944110068123456795"]
    );
    assert!(q.body.contains("<NonManagedSerialNumber>353918104283375</NonManagedSerialNumber><NetworkEffectiveDate>2026-08-01</NetworkEffectiveDate>"), "{}", q.body);
    assert!(
        q.body.contains("<CapCode>SPEND</CapCode><Description>Monthly bill cap</Description><EffectiveDate>2026-08-15</EffectiveDate><Amount>25.00</Amount>"),
        "{}",
        q.body
    );
    assert_eq!(xml_texts(&q.body, "PackageCode"), ["DB5G", "XD5G"]);
}

#[actix_web::test]
async fn a_create_with_a_bad_bolt_on_names_it_and_keeps_nothing() {
    let Some(app) = story_customer().await else {
        return;
    };
    let create = capture("subscription-CreateSubscription").unwrap();
    // The second bolt-on does not exist: the subscription, its first bolt-on and its
    // cap roll back with it.
    let bad = create.replace(
        "<PackageCode>ROAM10</PackageCode>",
        "<PackageCode>ROAM10</PackageCode><PackageCode>NOPE</PackageCode>",
    );
    let r = app.post_soap(SUBSCRIPTION_PORT, &bad).await;
    assert_fault(
        &r,
        "UNKNOWN_REFERENCE",
        "CreateSubscription/CreationData/SubscriptionData/BoltOnPackages/PackageCode[2]",
    );
    let none = app.get("/subscriptions/60272", "application/json").await;
    assert_eq!(none.status, 404, "{}", none.body);
    // The base package is the plan's.
    let r = app
        .post_soap(
            SUBSCRIPTION_PORT,
            &create.replace(
                "<PackageCode>DB5G</PackageCode>",
                "<PackageCode>DB20G</PackageCode>",
            ),
        )
        .await;
    assert_fault(
        &r,
        "NOT_PLAN_BASE_PACKAGE",
        "CreateSubscription/CreationData/SubscriptionData/PackageCode",
    );
    // An unknown plan is named as the 7.3.8 field.
    let r = app
        .post_soap(
            SUBSCRIPTION_PORT,
            &create.replace(
                "<PricePlan>SIMO12</PricePlan>",
                "<PricePlan>NOPLAN</PricePlan>",
            ),
        )
        .await;
    assert_fault(
        &r,
        "UNKNOWN_REFERENCE",
        "CreateSubscription/CreationData/SubscriptionData/PricePlan",
    );
    // Now it works, and takes the first number.
    let r = app.post_soap(SUBSCRIPTION_PORT, &create).await.good();
    assert_eq!(xml_text(&r.body, "SubscriptionIdentifier"), Some("60272"));
    // Not held for activation: Active.
    let active = create.replace(
        "<HoldActivation>true</HoldActivation>",
        "<HoldActivation>false</HoldActivation>",
    );
    let active = active
        .replace("447700900123", "447700900124")
        .replace("8944110068123456787", "8944110068123456779");
    let r = app.post_soap(SUBSCRIPTION_PORT, &active).await.good();
    assert_eq!(xml_text(&r.body, "SubscriptionIdentifier"), Some("60273"));
    let got = app
        .get("/subscriptions/60273", "application/json")
        .await
        .good();
    assert_eq!(got.json()["subscription"]["status"], "Active");
    // QuerySubscription by primary serial number.
    let q = soap_envelope(
        "subscription",
        "QuerySubscription",
        "Request",
        "<SubscriptionQueryData><PrimarySerialNumber>447700900124</PrimarySerialNumber></SubscriptionQueryData><Datasets><Dataset>BASIC</Dataset></Datasets>",
    );
    let q = app.post_soap(SUBSCRIPTION_PORT, &q).await.good();
    assert_eq!(xml_text(&q.body, "SubscriptionNumber"), Some("60273"));
}

#[actix_web::test]
async fn refusals_name_the_legacy_fields() {
    let Some(app) = story_customer().await else {
        return;
    };
    at(&app, 2026, 3, 2, 10, 5);
    app.post_soap(
        SUBSCRIPTION_PORT,
        &capture("subscription-CreateSubscription").unwrap(),
    )
    .await
    .good();
    // ExpirePackage of a bolt-on not held.
    let r = app
        .post_soap(
            SUBSCRIPTION_PORT,
            &soap_envelope(
                "subscription",
                "ExpirePackage",
                "Request",
                "<SubscriptionNumber>60272</SubscriptionNumber><PackageCode>INTL5</PackageCode><AsOfDate><Value>2026-06-30</Value></AsOfDate>",
            ),
        )
        .await;
    assert_fault(&r, "NOT_FOUND", "ExpirePackage/Request/PackageCode");
    // ManagePackages: the second purchase passes its group's maximum; the expiry before
    // it rolls back.
    let r = app
        .post_soap(
            SUBSCRIPTION_PORT,
            &soap_envelope(
                "subscription",
                "ManagePackages",
                "Request",
                "<TargetIdentifier><SubscriptionNumber>60272</SubscriptionNumber></TargetIdentifier>\
                 <PackagesToCreate><BoltOnPackages><PackageCode>XD5G</PackageCode><PackageCode>XD5G</PackageCode></BoltOnPackages></PackagesToCreate>\
                 <PackagesToExpire><BoltOnPackages><BoltOnPackage><PackageCode>ROAM10</PackageCode></BoltOnPackage></BoltOnPackages></PackagesToExpire>",
            ),
        )
        .await;
    assert_fault(
        &r,
        "CARDINALITY_EXCEEDED",
        "ManagePackages/Request/PackagesToCreate/BoltOnPackages/PackageCode[2]",
    );
    let q = app
        .post_soap(
            SUBSCRIPTION_PORT,
            &capture("subscription-QuerySubscription").unwrap(),
        )
        .await
        .good();
    assert_eq!(xml_texts(&q.body, "PackageCode"), ["DB5G", "ROAM10"]);
    assert!(!q.body.contains("<ExpiryDate>"), "{}", q.body);
    // A cap code the catalogue does not define.
    let r = app
        .post_soap(
            SUBSCRIPTION_PORT,
            &soap_envelope(
                "subscription",
                "SetPostPayCaps",
                "Request",
                "<SubscriptionNumber>60272</SubscriptionNumber><PostPayCaps><Cap><CapCode>SPEND</CapCode><EffectiveDate>2026-03-02</EffectiveDate><Value>5.00</Value></Cap><Cap><CapCode>NOCAP</CapCode><EffectiveDate>2026-03-02</EffectiveDate><Value>5.00</Value></Cap></PostPayCaps>",
            ),
        )
        .await;
    assert_fault(
        &r,
        "UNKNOWN_REFERENCE",
        "SetPostPayCaps/Request/PostPayCaps/Cap[2]/CapCode",
    );
    // Serial numbers: AutoSelect is not served; a number another subscription holds.
    let r = app
        .post_soap(
            SUBSCRIPTION_PORT,
            &soap_envelope(
                "subscription",
                "UpdateSubscriptionSerialNumbers",
                "Request",
                "<SubscriptionIdentifier>60272</SubscriptionIdentifier><ManagedSerialNumbers><ManagedSerialNumber><Id>2</Id><SerialNumber><AutoSelect>x</AutoSelect></SerialNumber></ManagedSerialNumber></ManagedSerialNumbers><NonNetworkChange>false</NonNetworkChange>",
            ),
        )
        .await;
    assert_fault(
        &r,
        "NOT_SUPPORTED",
        "UpdateSubscriptionSerialNumbers/Request/ManagedSerialNumbers/ManagedSerialNumber[1]/SerialNumber",
    );
    // Services only at subscription level.
    let r = app
        .post_soap(
            SERVICES_PORT,
            &soap_envelope(
                "services",
                "CreateService",
                "ServiceData",
                "<ServiceData><CustomerLevel>ACCOUNT</CustomerLevel><CustomerLevelReference>10000001</CustomerLevelReference><effectiveDate>2026-03-02</effectiveDate><serviceCode>ITMBIL</serviceCode></ServiceData>",
            ),
        )
        .await;
    assert_fault(
        &r,
        "NOT_SUPPORTED",
        "CreateService/ServiceData/ServiceData/CustomerLevel",
    );
    // UpdateService of a service the subscription does not have.
    let r = app
        .post_soap(
            SERVICES_PORT,
            &soap_envelope(
                "services",
                "UpdateService",
                "UpdateServiceData",
                "<CustomerLevel>SUBSCRIPTION</CustomerLevel><CustomerLevelReference>60272</CustomerLevelReference><ServiceCode>ITMBIL</ServiceCode><EffectiveDate>2026-03-02</EffectiveDate><UpdateServiceBasic><ExpiryDate>2026-04-01</ExpiryDate><LastAmendedDate>2026-03-02T10:05:00</LastAmendedDate></UpdateServiceBasic>",
            ),
        )
        .await;
    assert_fault(
        &r,
        "NOT_FOUND",
        "UpdateService/UpdateServiceData/ServiceCode",
    );
    // The 7.3.8 operations the gateway does not serve.
    for op in ["LinkSubscriptions", "ProcessM2MSIM"] {
        let r = app
            .post_soap(
                SUBSCRIPTION_PORT,
                &soap_envelope("subscription", op, "Request", ""),
            )
            .await;
        assert_eq!(r.status, 500, "{}", r.body);
        assert!(
            r.body.contains("<MessageId>UNKNOWN_OPERATION</MessageId>"),
            "{}",
            r.body
        );
    }
}
