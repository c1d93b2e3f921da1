//! `load --synthetic N` (cmp_gateway::synthetic): the demo copied in bulk until there are N
//! subscriptions; the gateway then serves the copies as it serves the demo, and new
//! numbers come after every generated one.

use cmp_store::synthetic::Generated;

use crate::helpers::*;

const N: i64 = 2000;
/// The demo's subscriptions are 60270..=60279; copy k (0-based) adds 10 × (k + 1).
const COPY_OF_60272: i64 = 60272 + 10 * 100;

fn synthetic_app() -> TestApp {
    let app = spawn_app();
    let made =
        cmp_gateway::synthetic::load_synthetic(&app.context(), &repo_path("fixtures/demo"), N)
            .expect("synthetic data loads");
    assert_eq!(
        made,
        Generated {
            copies: 199,
            subscriptions: N
        }
    );
    app
}

#[actix_web::test]
async fn synthetic_data_is_served_like_the_demo_and_new_numbers_follow_it() {
    let app = synthetic_app();
    // 200 copies of the demo's structure (2 groups, 4 corporates, 4 customers, 5 accounts,
    // 8 agreements), the last one stopping at N subscriptions.
    let counts = cmp_store::synthetic::counts(&app.state.store).unwrap();
    let count = |table: &str| counts.iter().find(|(t, _)| *t == table).unwrap().1;
    for (table, n) in [
        ("subscriptions", N),
        ("customer_groups", 2 * 200),
        ("corporates", 4 * 200),
        ("customers", 4 * 200),
        ("accounts", 5 * 200),
        ("agreements", 8 * 200),
        ("subscription_packages", 24 * 200),
        ("subscription_serial_numbers", 22 * 200),
        ("scheduled_actions", 2 * 200),
        ("usage_records", 5 * 200),
    ] {
        assert_eq!(count(table), n, "{table}");
    }

    // The guide's sample request answers for a copy exactly as for its original.
    let sample = std::fs::read_to_string(repo_path(
        "fixtures/requests/QueryCompatiblePackages/sample.xml",
    ))
    .unwrap();
    let original = app
        .post_xml("/ws/QueryCompatiblePackages", &sample)
        .await
        .good();
    let copy = app
        .post_xml(
            "/ws/QueryCompatiblePackages",
            &sample.replace("60272", &COPY_OF_60272.to_string()),
        )
        .await
        .good();
    assert_eq!(
        copy.body.replace(&COPY_OF_60272.to_string(), "60272"),
        original.body
    );

    let one = app
        .get(
            &format!("/subscriptions/{COPY_OF_60272}"),
            "application/json",
        )
        .await
        .good()
        .json();
    assert_eq!(one["subscription"]["pricePlanCode"], "SIMO12");
    assert_eq!(one["subscription"]["accountNumber"], 10000001 + 5 * 100);

    // Serial numbers of the copies are their own.
    let msisdn = 447_800_000_000 + COPY_OF_60272;
    let by_serial = app
        .get(
            &format!("/subscriptions?nonManagedSerialNumber={msisdn}"),
            "application/xml",
        )
        .await
        .good();
    assert_eq!(
        xml_texts(&by_serial.body, "subscriptionNumber"),
        [COPY_OF_60272.to_string()]
    );

    // A new subscription on a generated account gets the next number after them all.
    let body = r#"{"pricePlanCode":"SIMO12","activate":false,"nonManagedSerialNumbers":{"nonManagedSerialNumber":[{"enumerationId":1,"value":"447700999999"}]}}"#;
    let n = app
        .post_json(
            &format!("/accounts/{}/subscriptions", 10000001 + 5 * 100),
            body,
        )
        .await
        .good()
        .json()["subscriptionNumber"]
        .as_i64()
        .unwrap();
    assert_eq!(n, 60270 + N);
}
