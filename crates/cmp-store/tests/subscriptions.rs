//! Subscriptions, packages, serial numbers, identities and catalogue versions on the
//! backend chosen by `CMP_TEST_DATABASE_URL` (SQLite by default).

use chrono::{NaiveDate, NaiveDateTime, Utc};
use cmp_store::repo::{
    self, accounts, agreements, catalogues, counters, customers, subscriptions, Account, Agreement,
    CatalogueRow, Customer, IdentityRow, SerialNumberRow, Subscription, SubscriptionFilter,
    SubscriptionPackageRow,
};
use cmp_store::{db_time, Store, StoreError, TestDb};

use subscriptions::{
    SERIAL_MANAGED as MANAGED, SERIAL_NON_MANAGED as NON_MANAGED, STATUS_ACTIVE,
    STATUS_DISCONNECTED, STATUS_PRE_ACTIVE,
};

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn account(n: i64) -> Account {
    Account {
        account_number: n,
        customer_number: 30000001,
        account_name: None,
        status: "Active".into(),
        corporate_code: None,
        group_code: None,
        currency: "GBP".into(),
        payment_method: accounts::PAYMENT_MANUAL.into(),
        created_at: now(),
        last_amended_at: now(),
    }
}

fn agreement(n: i64, account_number: i64) -> Agreement {
    Agreement {
        agreement_number: n,
        group_code: None,
        corporate_code: None,
        account_number: Some(account_number),
        billing_cycle: 1,
        invoice_consolidation_level: None,
        invoice_receipt_address: None,
        next_expected_invoice_date: date(2026, 12, 1),
        billing_media: None,
        price_plan_code: None,
        created_at: now(),
        last_amended_at: now(),
    }
}

fn subscription(n: i64, account_number: i64, status: &str, plan: &str) -> Subscription {
    let agreement_number = if account_number == 10000001 {
        20000001
    } else {
        20000002
    };
    Subscription {
        subscription_number: n,
        account_number,
        agreement_number,
        status: status.into(),
        price_plan_code: plan.into(),
        connected_date: Some(date(2026, 1, 15)),
        disconnected_date: None,
        user_name: Some(format!("user {n}")),
        cost_centre: Some("CC1".into()),
        contract_start: Some(date(2026, 1, 15)),
        contract_term_months: Some(24),
        created_at: now(),
        last_amended_at: now(),
    }
}

fn serial(n: i64, kind: &str, enumeration_id: i32, value: &str) -> SerialNumberRow {
    SerialNumberRow {
        subscription_number: n,
        kind: kind.into(),
        enumeration_id,
        value: value.into(),
    }
}

fn identity(n: i64, identity_type: &str, identity_value: &str) -> IdentityRow {
    IdentityRow {
        subscription_number: n,
        identity_type: identity_type.into(),
        identity_value: identity_value.into(),
    }
}

/// Customer 30000001 with accounts 10000001 (agreement 20000001) and 10000002 (agreement
/// 20000002).
fn structure(store: &Store) {
    store
        .write(|c| -> Result<_, StoreError> {
            customers::insert(
                c,
                &Customer {
                    customer_number: 30000001,
                    last_name: Some("Lovelace".into()),
                    created_at: now(),
                    last_amended_at: now(),
                    ..Customer::default()
                },
            )?;
            accounts::insert(c, &account(10000001))?;
            accounts::insert(c, &account(10000002))?;
            agreements::insert(c, &agreement(20000001, 10000001))?;
            agreements::insert(c, &agreement(20000002, 10000002))
        })
        .unwrap();
}

/// Four subscriptions:
/// - 40000001 on account 1, Active, PP1: managed IMSI-1, non-managed SIM-1 and SIM-1b;
///   MSISDN 447700900001, IMSI B.
/// - 40000002 on account 1, PreActive, PP1: non-managed SIM-2; MSISDN 447700900002.
/// - 40000003 on account 2, Active, PP2: managed SIM-1; EMAIL a@example.com.
/// - 40000004 on account 2, Disconnected, PP1: DUP three times (managed and
///   non-managed); MSISDN 447700900001.
fn subscriptions_fixture(store: &Store) {
    structure(store);
    store
        .write(|c| -> Result<_, StoreError> {
            // Inserted out of order: listing orders by number.
            subscriptions::insert(c, &subscription(40000003, 10000002, STATUS_ACTIVE, "PP2"))?;
            subscriptions::insert(c, &subscription(40000001, 10000001, STATUS_ACTIVE, "PP1"))?;
            subscriptions::insert(
                c,
                &subscription(40000004, 10000002, STATUS_DISCONNECTED, "PP1"),
            )?;
            subscriptions::insert(
                c,
                &subscription(40000002, 10000001, STATUS_PRE_ACTIVE, "PP1"),
            )?;
            for row in [
                serial(40000001, NON_MANAGED, 1, "SIM-1b"),
                serial(40000001, NON_MANAGED, 0, "SIM-1"),
                serial(40000001, MANAGED, 0, "IMSI-1"),
                serial(40000002, NON_MANAGED, 0, "SIM-2"),
                serial(40000003, MANAGED, 0, "SIM-1"),
                serial(40000004, MANAGED, 0, "DUP"),
                serial(40000004, NON_MANAGED, 0, "DUP"),
                serial(40000004, NON_MANAGED, 1, "DUP"),
            ] {
                subscriptions::insert_serial(c, &row)?;
            }
            for row in [
                identity(40000001, "MSISDN", "447700900001"),
                identity(40000001, "IMSI", "B"),
                identity(40000002, "MSISDN", "447700900002"),
                identity(40000003, "EMAIL", "a@example.com"),
                identity(40000004, "MSISDN", "447700900001"),
            ] {
                subscriptions::insert_identity(c, &row)?;
            }
            Ok(())
        })
        .unwrap();
}

fn numbers(list: &[Subscription]) -> Vec<i64> {
    list.iter().map(|s| s.subscription_number).collect()
}

/// All matches (one page large enough), checking the total against the page.
fn matching(store: &Store, filter: SubscriptionFilter) -> Vec<i64> {
    let (page, total) = store
        .read(|c| subscriptions::list(c, &filter, 0, 100))
        .unwrap();
    assert_eq!(total, page.len() as i64, "{filter:?}");
    numbers(&page)
}

fn package(
    purchase_identifier: i64,
    subscription_number: i64,
    code: &str,
    effective_date: NaiveDate,
    expiry_date: Option<NaiveDate>,
) -> SubscriptionPackageRow {
    SubscriptionPackageRow {
        purchase_identifier,
        subscription_number,
        package_code: code.into(),
        is_base: code == "BASE",
        effective_date,
        expiry_date,
        created_at: now(),
    }
}

#[test]
fn subscriptions_read_back_equal_what_was_written() {
    let db = TestDb::new();
    let store = db.store();
    structure(&store);
    let written = Subscription {
        disconnected_date: Some(date(2026, 11, 30)),
        ..subscription(40000001, 10000001, STATUS_ACTIVE, "PP1")
    };
    let minimal = Subscription {
        connected_date: None,
        user_name: None,
        cost_centre: None,
        contract_start: None,
        contract_term_months: None,
        ..subscription(40000002, 10000001, STATUS_PRE_ACTIVE, "PP1")
    };
    store
        .write(|c| -> Result<_, StoreError> {
            subscriptions::insert(c, &written)?;
            subscriptions::insert(c, &minimal)?;
            subscriptions::insert_serial(c, &serial(40000001, NON_MANAGED, 2, "S2"))?;
            subscriptions::insert_serial(c, &serial(40000001, NON_MANAGED, 0, "S0"))?;
            subscriptions::insert_serial(c, &serial(40000001, MANAGED, 1, "M1"))?;
            subscriptions::insert_identity(c, &identity(40000001, "MSISDN", "447700900001"))?;
            subscriptions::insert_identity(c, &identity(40000001, "IMSI", "234150000000001"))
        })
        .unwrap();
    store
        .read(|c| -> Result<_, StoreError> {
            assert_eq!(
                subscriptions::get(c, 40000001)?.unwrap(),
                Subscription {
                    created_at: db_time(written.created_at),
                    last_amended_at: db_time(written.last_amended_at),
                    ..written.clone()
                }
            );
            assert_eq!(
                subscriptions::get(c, 40000002)?
                    .unwrap()
                    .contract_term_months,
                None
            );
            assert!(subscriptions::get(c, 40000099)?.is_none());
            assert!(subscriptions::exists(c, 40000001)?);
            assert!(!subscriptions::exists(c, 40000099)?);
            assert_eq!(
                subscriptions::serials(c, 40000001)?,
                vec![
                    serial(40000001, MANAGED, 1, "M1"),
                    serial(40000001, NON_MANAGED, 0, "S0"),
                    serial(40000001, NON_MANAGED, 2, "S2"),
                ]
            );
            assert_eq!(
                subscriptions::identities(c, 40000001)?,
                vec![
                    identity(40000001, "IMSI", "234150000000001"),
                    identity(40000001, "MSISDN", "447700900001"),
                ]
            );
            assert!(subscriptions::serials(c, 40000002)?.is_empty());
            assert!(subscriptions::identities(c, 40000002)?.is_empty());
            Ok(())
        })
        .unwrap();

    // Keys and CHECKs.
    let err = store.write(|c| subscriptions::insert(c, &written));
    assert!(matches!(err, Err(StoreError::Conflict { .. })), "{err:?}");
    let err = store.write(|c| subscriptions::insert_serial(c, &serial(40000001, MANAGED, 1, "X")));
    assert!(matches!(err, Err(StoreError::Conflict { .. })), "{err:?}");
    let err = store.write(|c| subscriptions::insert_identity(c, &identity(40000001, "IMSI", "X")));
    assert!(matches!(err, Err(StoreError::Conflict { .. })), "{err:?}");
    let bad_status = subscription(40000003, 10000001, "Suspended", "PP1");
    match store.write(|c| subscriptions::insert(c, &bad_status)) {
        Err(StoreError::Reference { constraint }) => {
            assert!(constraint.contains("subscriptions_status"), "{constraint}")
        }
        other => panic!("expected a Reference error, got {other:?}"),
    }
    match store.write(|c| subscriptions::insert_serial(c, &serial(40000001, "other", 0, "X"))) {
        Err(StoreError::Reference { constraint }) => {
            assert!(
                constraint.contains("subscription_serial_numbers_kind"),
                "{constraint}"
            )
        }
        other => panic!("expected a Reference error, got {other:?}"),
    }
}

#[test]
fn references_to_missing_rows_are_refused() {
    let db = TestDb::new();
    let store = db.store();
    structure(&store);
    let on_missing_account = subscription(40000001, 19999999, STATUS_ACTIVE, "PP1");
    let err = store.write(|c| subscriptions::insert(c, &on_missing_account));
    assert!(matches!(err, Err(StoreError::Reference { .. })), "{err:?}");
    let on_missing_agreement = Subscription {
        agreement_number: 29999999,
        ..subscription(40000001, 10000001, STATUS_ACTIVE, "PP1")
    };
    let err = store.write(|c| subscriptions::insert(c, &on_missing_agreement));
    assert!(matches!(err, Err(StoreError::Reference { .. })), "{err:?}");
    let err = store.write(|c| {
        subscriptions::insert_package(
            c,
            &package(50000001, 49999999, "BASE", date(2026, 1, 1), None),
        )
    });
    assert!(matches!(err, Err(StoreError::Reference { .. })), "{err:?}");
    let err = store.write(|c| subscriptions::insert_serial(c, &serial(49999999, MANAGED, 0, "X")));
    assert!(matches!(err, Err(StoreError::Reference { .. })), "{err:?}");
    let err =
        store.write(|c| subscriptions::insert_identity(c, &identity(49999999, "MSISDN", "1")));
    assert!(matches!(err, Err(StoreError::Reference { .. })), "{err:?}");
    assert!(!store.read(|c| subscriptions::exists(c, 40000001)).unwrap());
}

#[test]
fn list_filters_alone() {
    let db = TestDb::new();
    let store = db.store();
    subscriptions_fixture(&store);
    let all = SubscriptionFilter::default;
    assert_eq!(
        matching(&store, all()),
        [40000001, 40000002, 40000003, 40000004]
    );
    let by_account = |n| SubscriptionFilter {
        account_number: Some(n),
        ..all()
    };
    assert_eq!(matching(&store, by_account(10000001)), [40000001, 40000002]);
    assert_eq!(matching(&store, by_account(10000002)), [40000003, 40000004]);
    assert!(matching(&store, by_account(10000009)).is_empty());

    let by_status = |s: &str| SubscriptionFilter {
        status: Some(s.into()),
        ..all()
    };
    assert_eq!(
        matching(&store, by_status(STATUS_ACTIVE)),
        [40000001, 40000003]
    );
    assert_eq!(matching(&store, by_status(STATUS_PRE_ACTIVE)), [40000002]);
    assert_eq!(matching(&store, by_status(STATUS_DISCONNECTED)), [40000004]);

    // Non-managed only, against either kind.
    let non_managed = |v: &str| SubscriptionFilter {
        non_managed_serial_number: Some(v.into()),
        ..all()
    };
    let any_serial = |v: &str| SubscriptionFilter {
        serial_number: Some(v.into()),
        ..all()
    };
    assert_eq!(matching(&store, non_managed("SIM-1")), [40000001]);
    assert_eq!(matching(&store, any_serial("SIM-1")), [40000001, 40000003]);
    assert_eq!(matching(&store, non_managed("SIM-1b")), [40000001]);
    assert!(matching(&store, non_managed("IMSI-1")).is_empty());
    assert_eq!(matching(&store, any_serial("IMSI-1")), [40000001]);
    assert!(
        matching(&store, any_serial("SIM")).is_empty(),
        "no prefix match"
    );
    // Three serials with the same value: listed once, counted once.
    assert_eq!(matching(&store, any_serial("DUP")), [40000004]);
    assert_eq!(matching(&store, non_managed("DUP")), [40000004]);

    let by_identity = |t: Option<&str>, v: Option<&str>| SubscriptionFilter {
        identity_type: t.map(Into::into),
        identity_value: v.map(Into::into),
        ..all()
    };
    assert_eq!(
        matching(&store, by_identity(Some("MSISDN"), None)),
        [40000001, 40000002, 40000004]
    );
    assert_eq!(
        matching(&store, by_identity(None, Some("447700900001"))),
        [40000001, 40000004]
    );
    assert_eq!(
        matching(&store, by_identity(Some("MSISDN"), Some("447700900001"))),
        [40000001, 40000004]
    );
    // Type and value must hold on the same identity.
    assert!(matching(&store, by_identity(Some("MSISDN"), Some("B"))).is_empty());
    assert!(matching(&store, by_identity(Some("EMAIL"), Some("447700900001"))).is_empty());
    assert_eq!(
        matching(&store, by_identity(Some("IMSI"), Some("B"))),
        [40000001]
    );
}

#[test]
fn list_filters_combined() {
    let db = TestDb::new();
    let store = db.store();
    subscriptions_fixture(&store);
    let filter = |f: fn(&mut SubscriptionFilter)| {
        let mut filter = SubscriptionFilter::default();
        f(&mut filter);
        matching(&store, filter)
    };
    assert_eq!(
        filter(|f| {
            f.account_number = Some(10000002);
            f.identity_value = Some("447700900001".into());
        }),
        [40000004]
    );
    assert_eq!(
        filter(|f| {
            f.status = Some(STATUS_ACTIVE.into());
            f.identity_value = Some("447700900001".into());
        }),
        [40000001]
    );
    assert_eq!(
        filter(|f| {
            f.serial_number = Some("SIM-1".into());
            f.account_number = Some(10000002);
        }),
        [40000003]
    );
    assert_eq!(
        filter(|f| {
            f.serial_number = Some("SIM-1".into());
            f.non_managed_serial_number = Some("SIM-1b".into());
            f.identity_type = Some("MSISDN".into());
            f.status = Some(STATUS_ACTIVE.into());
            f.account_number = Some(10000001);
        }),
        [40000001]
    );
    assert!(filter(|f| {
        f.serial_number = Some("SIM-1".into());
        f.status = Some(STATUS_PRE_ACTIVE.into());
    })
    .is_empty());
    assert!(filter(|f| {
        f.non_managed_serial_number = Some("SIM-2".into());
        f.account_number = Some(10000002);
    })
    .is_empty());
    assert_eq!(
        filter(|f| {
            f.non_managed_serial_number = Some("DUP".into());
            f.identity_type = Some("MSISDN".into());
            f.status = Some(STATUS_DISCONNECTED.into());
        }),
        [40000004]
    );
}

#[test]
fn list_pages_in_number_order_and_counts_all_matches() {
    let db = TestDb::new();
    let store = db.store();
    subscriptions_fixture(&store);
    let page = |filter: &SubscriptionFilter, offset, limit| {
        let (rows, total) = store
            .read(|c| subscriptions::list(c, filter, offset, limit))
            .unwrap();
        (numbers(&rows), total)
    };
    let all = SubscriptionFilter::default();
    assert_eq!(page(&all, 0, 2), (vec![40000001, 40000002], 4));
    assert_eq!(page(&all, 1, 2), (vec![40000002, 40000003], 4));
    assert_eq!(page(&all, 3, 10), (vec![40000004], 4));
    assert_eq!(page(&all, 10, 10), (vec![], 4));
    assert_eq!(page(&all, 0, 0), (vec![], 4));
    // Several matching serials and identities per subscription: no duplicate rows, and
    // the total counts subscriptions.
    let dup = SubscriptionFilter {
        serial_number: Some("DUP".into()),
        identity_value: Some("447700900001".into()),
        ..SubscriptionFilter::default()
    };
    assert_eq!(page(&dup, 0, 10), (vec![40000004], 1));
    let msisdn = SubscriptionFilter {
        identity_type: Some("MSISDN".into()),
        ..SubscriptionFilter::default()
    };
    assert_eq!(page(&msisdn, 1, 1), (vec![40000002], 3));
    assert_eq!(page(&msisdn, 2, 5), (vec![40000004], 3));
    // The page carries whole rows.
    let (rows, _) = store.read(|c| subscriptions::list(c, &all, 0, 1)).unwrap();
    let got = store.read(|c| subscriptions::get(c, 40000001)).unwrap();
    assert_eq!(Some(rows[0].clone()), got);
}

#[test]
fn plans_in_use_do_not_count_disconnected_subscriptions() {
    let db = TestDb::new();
    let store = db.store();
    subscriptions_fixture(&store);
    let count = |plan: &str| {
        store
            .read(|c| subscriptions::count_using_plan(c, plan))
            .unwrap()
    };
    assert_eq!(count("PP1"), 2, "40000004 is disconnected");
    assert_eq!(count("PP2"), 1);
    assert_eq!(count("PP9"), 0);
}

#[test]
fn active_packages_follow_effective_and_expiry_dates() {
    let db = TestDb::new();
    let store = db.store();
    subscriptions_fixture(&store);
    let [a, b, c3, other] = store
        .write(|c| -> Result<_, StoreError> {
            let mut ids = [0; 4];
            for id in &mut ids {
                *id = counters::next(c, counters::PURCHASE)?;
            }
            subscriptions::insert_package(
                c,
                &package(ids[0], 40000001, "BASE", date(2026, 1, 1), None),
            )?;
            subscriptions::insert_package(
                c,
                &package(
                    ids[1],
                    40000001,
                    "DATA",
                    date(2026, 6, 1),
                    Some(date(2026, 9, 1)),
                ),
            )?;
            subscriptions::insert_package(
                c,
                &package(ids[2], 40000001, "ROAM", date(2027, 1, 1), None),
            )?;
            subscriptions::insert_package(
                c,
                &package(ids[3], 40000002, "BASE", date(2026, 1, 1), None),
            )?;
            Ok(ids)
        })
        .unwrap();
    assert_eq!([a, b, c3, other], [50000001, 50000002, 50000003, 50000004]);

    let active = |on: NaiveDate| -> Vec<i64> {
        store
            .read(|c| subscriptions::active_packages(c, 40000001, on))
            .unwrap()
            .iter()
            .map(|p| p.purchase_identifier)
            .collect()
    };
    assert!(active(date(2025, 12, 31)).is_empty());
    assert_eq!(active(date(2026, 1, 1)), [a]);
    assert_eq!(active(date(2026, 6, 1)), [a, b]);
    assert_eq!(active(date(2026, 8, 31)), [a, b]);
    assert_eq!(active(date(2026, 9, 1)), [a], "expiry date is exclusive");
    assert_eq!(active(date(2027, 1, 1)), [a, c3]);

    let all = store
        .read(|c| subscriptions::packages(c, 40000001))
        .unwrap();
    assert_eq!(
        all.iter()
            .map(|p| p.purchase_identifier)
            .collect::<Vec<_>>(),
        [a, b, c3]
    );
    assert!(all[0].is_base && !all[1].is_base);
    let stored = store
        .read(|c| subscriptions::get_package(c, b))
        .unwrap()
        .unwrap();
    assert_eq!(stored, all[1]);
    assert_eq!(stored.expiry_date, Some(date(2026, 9, 1)));
    assert!(store
        .read(|c| subscriptions::get_package(c, 59999999))
        .unwrap()
        .is_none());

    // Expiring.
    assert!(store
        .write(|c| subscriptions::expire_package(c, a, date(2026, 7, 1)))
        .unwrap());
    assert!(!store
        .write(|c| subscriptions::expire_package(c, 59999999, date(2026, 7, 1)))
        .unwrap());
    let expired = store
        .read(|c| subscriptions::get_package(c, a))
        .unwrap()
        .unwrap();
    assert_eq!(expired.expiry_date, Some(date(2026, 7, 1)));
    assert_eq!(active(date(2026, 6, 30)), [a, b]);
    assert_eq!(active(date(2026, 7, 1)), [b]);
    assert_eq!(active(date(2027, 1, 1)), [c3]);
    // The other subscription's package is untouched.
    let untouched = store
        .read(|c| subscriptions::get_package(c, other))
        .unwrap()
        .unwrap();
    assert_eq!(untouched.expiry_date, None);
}

#[test]
fn packages_in_use_count_unexpired_packages_of_live_subscriptions() {
    let db = TestDb::new();
    let store = db.store();
    subscriptions_fixture(&store);
    store
        .write(|c| -> Result<_, StoreError> {
            let rows = [
                package(50000001, 40000001, "BASE", date(2026, 1, 1), None),
                // Held twice by 40000001: counted once.
                package(50000002, 40000001, "DATA", date(2026, 1, 1), None),
                package(50000003, 40000001, "DATA", date(2026, 2, 1), None),
                package(
                    50000004,
                    40000002,
                    "DATA",
                    date(2026, 1, 1),
                    Some(date(2026, 6, 1)),
                ),
                // Effective later: already in use.
                package(50000005, 40000003, "DATA", date(2027, 1, 1), None),
                // Disconnected subscription: not counted.
                package(50000006, 40000004, "BASE", date(2026, 1, 1), None),
            ];
            for row in &rows {
                subscriptions::insert_package(c, row)?;
            }
            Ok(())
        })
        .unwrap();
    let count = |code: &str, today| {
        store
            .read(|c| subscriptions::count_using_package(c, code, today))
            .unwrap()
    };
    assert_eq!(count("BASE", date(2026, 3, 1)), 1);
    assert_eq!(count("DATA", date(2026, 3, 1)), 3);
    assert_eq!(
        count("DATA", date(2026, 6, 1)),
        2,
        "40000002's expired that day"
    );
    assert_eq!(count("ROAM", date(2026, 3, 1)), 0);
}

#[test]
fn managed_serials_are_in_use_while_their_subscription_is_live() {
    let db = TestDb::new();
    let store = db.store();
    subscriptions_fixture(&store);
    let in_use = |value: &str, except| {
        store
            .read(|c| subscriptions::managed_serial_in_use(c, value, except))
            .unwrap()
    };
    assert!(in_use("IMSI-1", None));
    assert!(in_use("IMSI-1", Some(40000002)));
    assert!(
        !in_use("IMSI-1", Some(40000001)),
        "its own holder is excepted"
    );
    assert!(!in_use("SIM-2", None), "non-managed serials do not count");
    assert!(in_use("SIM-1", None), "managed on 40000003");
    assert!(!in_use("SIM-1", Some(40000003)));
    assert!(
        !in_use("DUP", None),
        "held only by a disconnected subscription"
    );
    assert!(!in_use("NOPE", None));
}

#[test]
fn catalogue_versions_follow_each_other() {
    let db = TestDb::new();
    let store = db.store();
    let (latest, version, next) = store
        .read(|c| -> Result<_, StoreError> {
            Ok((
                catalogues::latest(c)?,
                catalogues::latest_version(c)?,
                catalogues::next_version(c)?,
            ))
        })
        .unwrap();
    assert_eq!((latest, version, next), (None, None, 1));

    let import = |document: &str| -> Result<CatalogueRow, StoreError> {
        store.write(|c| {
            let row = CatalogueRow {
                version: catalogues::next_version(c)?,
                imported_at: now(),
                imported_by: "admin".into(),
                document: document.into(),
            };
            catalogues::insert(c, &row)?;
            Ok(CatalogueRow {
                imported_at: db_time(row.imported_at),
                ..row
            })
        })
    };
    let v1 = import("<catalogue>1</catalogue>").unwrap();
    let v2 = import("<catalogue>2</catalogue>").unwrap();
    assert_eq!((v1.version, v2.version), (1, 2));
    store
        .read(|c| -> Result<_, StoreError> {
            assert_eq!(catalogues::latest(c)?, Some(v2.clone()));
            assert_eq!(catalogues::latest_version(c)?, Some(2));
            assert_eq!(catalogues::next_version(c)?, 3);
            assert_eq!(catalogues::get(c, 1)?, Some(v1.clone()));
            assert_eq!(catalogues::get(c, 3)?, None);
            Ok(())
        })
        .unwrap();

    // A concurrent import that computed the same version loses on the primary key.
    let racing = CatalogueRow {
        version: 2,
        imported_at: now(),
        imported_by: "other".into(),
        document: "<catalogue>racing</catalogue>".into(),
    };
    let err = store.write(|c| catalogues::insert(c, &racing));
    assert!(matches!(err, Err(StoreError::Conflict { .. })), "{err:?}");
    assert_eq!(
        store.read(catalogues::latest).unwrap().unwrap().document,
        "<catalogue>2</catalogue>"
    );
}

#[test]
fn wipe_all_removes_subscriptions_and_catalogues() {
    let db = TestDb::new();
    let store = db.store();
    subscriptions_fixture(&store);
    store
        .write(|c| -> Result<_, StoreError> {
            let id = counters::next(c, counters::PURCHASE)?;
            subscriptions::insert_package(
                c,
                &package(id, 40000001, "BASE", date(2026, 1, 1), None),
            )?;
            catalogues::insert(
                c,
                &CatalogueRow {
                    version: 1,
                    imported_at: now(),
                    imported_by: "admin".into(),
                    document: "<catalogue/>".into(),
                },
            )
        })
        .unwrap();
    assert_eq!(
        store
            .read(|c| counters::peek(c, counters::PURCHASE))
            .unwrap(),
        50000002
    );
    store.write(repo::wipe_all).unwrap();
    assert!(store.is_empty().unwrap());
    store
        .read(|c| -> Result<_, StoreError> {
            let (rows, total) = subscriptions::list(c, &SubscriptionFilter::default(), 0, 10)?;
            assert!(rows.is_empty());
            assert_eq!(total, 0);
            assert!(subscriptions::get_package(c, 50000001)?.is_none());
            assert!(subscriptions::serials(c, 40000001)?.is_empty());
            assert!(subscriptions::identities(c, 40000001)?.is_empty());
            assert_eq!(catalogues::latest_version(c)?, None);
            for (name, first) in counters::SEEDS {
                assert_eq!(counters::peek(c, name)?, *first, "{name}");
            }
            Ok(())
        })
        .unwrap();
    // The fixture loads again after the wipe.
    subscriptions_fixture(&store);
}

// ---- usage, allowances and spend caps (repo::usage) ----

fn cap(n: i64, code: &str, from: NaiveDate, amount_minor: i64) -> repo::usage::SpendCapRow {
    repo::usage::SpendCapRow {
        subscription_number: n,
        cap_code: code.into(),
        effective_date: from,
        amount_minor,
        expiry_date: None,
        created_at: now(),
    }
}

#[test]
fn a_new_spend_cap_ends_the_current_one_and_drops_later_ones() {
    use repo::usage::{caps, count_using_cap, replace_cap};
    let db = TestDb::new();
    let store = db.store();
    subscriptions_fixture(&store);
    let shown = |store: &Store| {
        store
            .read(|c| caps(c, 40000001))
            .unwrap()
            .into_iter()
            .map(|r| (r.cap_code, r.effective_date, r.amount_minor, r.expiry_date))
            .collect::<Vec<_>>()
    };
    store
        .write(|c| -> Result<_, StoreError> {
            replace_cap(c, &cap(40000001, "SPEND", date(2026, 11, 1), 4000))?;
            replace_cap(c, &cap(40000001, "SPEND", date(2026, 12, 1), 5000))?;
            replace_cap(c, &cap(40000001, "OOB", date(2026, 11, 1), 2000))
        })
        .unwrap();
    assert_eq!(
        shown(&store),
        [
            ("OOB".into(), date(2026, 11, 1), 2000, None),
            (
                "SPEND".into(),
                date(2026, 11, 1),
                4000,
                Some(date(2026, 12, 1))
            ),
            ("SPEND".into(), date(2026, 12, 1), 5000, None),
        ]
    );
    // From 2026-11-20 on: the December cap goes, November's ends on the 20th.
    store
        .write(|c| replace_cap(c, &cap(40000001, "SPEND", date(2026, 11, 20), 6000)))
        .unwrap();
    assert_eq!(
        shown(&store)[1..],
        [
            (
                "SPEND".into(),
                date(2026, 11, 1),
                4000,
                Some(date(2026, 11, 20))
            ),
            ("SPEND".into(), date(2026, 11, 20), 6000, None),
        ]
    );
    // Disconnected subscriptions do not hold a cap in use.
    store
        .write(|c| replace_cap(c, &cap(40000004, "OOB", date(2026, 11, 1), 100)))
        .unwrap();
    let used = |code: &str| {
        store
            .read(|c| count_using_cap(c, code, date(2026, 11, 22)))
            .unwrap()
    };
    assert_eq!((used("SPEND"), used("OOB"), used("NONE")), (1, 1, 0));
}

#[test]
fn usage_totals_records_and_draws_are_kept_per_period() {
    use repo::usage::{
        draws, insert_records, period, records, save_draw, save_period, AllowanceDraw, UsagePeriod,
        UsageRecord,
    };
    let db = TestDb::new();
    let store = db.store();
    subscriptions_fixture(&store);
    let start = date(2026, 11, 1);
    store
        .write(|c| {
            subscriptions::insert_package(c, &package(50000001, 40000001, "BASE", start, None))
        })
        .unwrap();
    let at = db_time(now());
    let record = |number: i64, quantity: i64, in_bundle: i64| UsageRecord {
        subscription_number: 40000001,
        period_start: start,
        record_number: number,
        used_at: at,
        usage_type: "Data".into(),
        quantity,
        in_bundle,
        charged_minor: quantity - in_bundle,
        recorded_at: at,
        request_id: "r1".into(),
    };
    let draw = |used: i64| AllowanceDraw {
        subscription_number: 40000001,
        period_start: start,
        purchase_identifier: 50000001,
        service_code: "A5GB".into(),
        used,
    };
    for (n, used) in [(1, 10), (2, 25)] {
        store
            .write(|c| -> Result<_, StoreError> {
                save_period(
                    c,
                    &UsagePeriod {
                        subscription_number: 40000001,
                        period_start: start,
                        records: n,
                        charged_minor: n * 5,
                    },
                )?;
                insert_records(c, &[record(n, used, used - 5)])?;
                save_draw(c, &draw(used))
            })
            .unwrap();
    }
    // 250 records in one call: more than one multi-row INSERT.
    let many: Vec<UsageRecord> = (3..253).map(|n| record(n, 1, 1)).collect();
    store.write(|c| insert_records(c, &many)).unwrap();
    let (totals, rows, used) = store
        .read(|c| -> Result<_, StoreError> {
            Ok((
                period(c, 40000001, start)?,
                records(c, 40000001, start)?,
                draws(c, 40000001, start)?,
            ))
        })
        .unwrap();
    assert_eq!(totals.map(|t| (t.records, t.charged_minor)), Some((2, 10)));
    assert_eq!(rows.len(), 252);
    assert_eq!(rows[1], record(2, 25, 20));
    assert_eq!(used, [draw(25)]);
    assert!(store
        .read(|c| period(c, 40000001, date(2026, 12, 1)))
        .unwrap()
        .is_none());
    // More in bundle than the quantity: the CHECK refuses it.
    let bad = store.write(|c| insert_records(c, &[record(300, 1, 2)]));
    assert!(matches!(bad, Err(StoreError::Reference { .. })), "{bad:?}");
}
