//! Store behaviour on the backend chosen by `CMP_TEST_DATABASE_URL` (SQLite by default).

use chrono::{NaiveDate, NaiveDateTime, Utc};
use cmp_store::repo::{
    accounts, agreements, billing_media, corporates, counters, customers, groups, Account,
    Agreement, AgreementChanges, BillingMedia, Corporate, Customer, CustomerAddress, Group,
    UpdateOutcome,
};
use cmp_store::{db_time, DbConn, PoolOptions, Store, StoreError, TestDb};

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn group(code: &str) -> Group {
    Group {
        group_code: code.into(),
        description: format!("group {code}"),
        created_at: now(),
        last_amended_at: now(),
    }
}

fn corporate(code: &str, group_code: Option<&str>) -> Corporate {
    Corporate {
        corporate_code: code.into(),
        description: format!("corporate {code}"),
        group_code: group_code.map(Into::into),
        created_at: now(),
        last_amended_at: now(),
    }
}

fn customer(n: i64) -> Customer {
    Customer {
        customer_number: n,
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        date_of_birth: Some(date(1815, 12, 10)),
        email: Some("ada@example.com".into()),
        created_at: now(),
        last_amended_at: now(),
        ..Customer::default()
    }
}

fn account(n: i64, customer_number: i64, corporate_code: Option<&str>) -> Account {
    Account {
        account_number: n,
        customer_number,
        account_name: None,
        status: "Active".into(),
        corporate_code: corporate_code.map(Into::into),
        group_code: None,
        currency: "GBP".into(),
        payment_method: accounts::PAYMENT_MANUAL.into(),
        created_at: now(),
        last_amended_at: now(),
    }
}

/// An agreement logged at no level yet: set one of the three before inserting.
fn agreement(n: i64) -> Agreement {
    Agreement {
        agreement_number: n,
        group_code: None,
        corporate_code: None,
        account_number: None,
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

/// Group G1 > corporate C1 > customer 30000001 > account 10000001.
fn structure(store: &Store) {
    store
        .write(|c| -> Result<_, StoreError> {
            groups::insert(c, &group("G1"))?;
            corporates::insert(c, &corporate("C1", Some("G1")))?;
            customers::insert(c, &customer(30000001))?;
            accounts::insert(c, &account(10000001, 30000001, Some("C1")))
        })
        .unwrap();
}

#[test]
fn counters_start_at_their_seed_and_increase() {
    let db = TestDb::new();
    let store = db.store();
    let taken = store
        .write(|c| -> Result<_, StoreError> {
            Ok([
                counters::next(c, counters::ACCOUNT)?,
                counters::next(c, counters::ACCOUNT)?,
                counters::next(c, counters::AGREEMENT)?,
                counters::next(c, counters::CUSTOMER)?,
                counters::next(c, counters::SUBSCRIPTION)?,
                counters::next(c, counters::WORKFLOW_EVENT)?,
            ])
        })
        .unwrap();
    assert_eq!(
        taken,
        [10000001, 10000002, 20000001, 30000001, 40000001, 100000001]
    );
    let err = store.write(|c| counters::next(c, "no_such_counter"));
    assert!(matches!(err, Err(StoreError::NotFound)), "{err:?}");
}

#[test]
fn counters_are_unique_under_concurrent_writers() {
    let db = TestDb::new();
    let store = db.store();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                (0..10)
                    .map(|_| {
                        store
                            .write(|c| -> Result<_, StoreError> {
                                // Read first, then write: the pattern that deadlocks
                                // deferred SQLite transactions without the write lock.
                                counters::peek(c, counters::AGREEMENT)?;
                                counters::next(c, counters::AGREEMENT)
                            })
                            .unwrap()
                    })
                    .collect::<Vec<i64>>()
            })
        })
        .collect();
    let mut all: Vec<i64> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    all.sort();
    assert_eq!(all, (20000001..20000041).collect::<Vec<i64>>());
}

#[test]
fn ensure_above_moves_a_counter_forward_only() {
    let db = TestDb::new();
    let store = db.store();
    let next = store
        .write(|c| -> Result<_, StoreError> {
            counters::ensure_above(c, counters::CUSTOMER, 30000500)?;
            counters::ensure_above(c, counters::CUSTOMER, 30000010)?;
            counters::next(c, counters::CUSTOMER)
        })
        .unwrap();
    assert_eq!(next, 30000501);
}

#[test]
fn a_write_that_fails_midway_leaves_nothing_behind() {
    let db = TestDb::new();
    let store = db.store();
    // Fails in the database: a corporate in an unknown group.
    let err = store.write(|c| -> Result<_, StoreError> {
        counters::next(c, counters::CUSTOMER)?;
        groups::insert(c, &group("G1"))?;
        corporates::insert(c, &corporate("C1", Some("NOPE")))
    });
    assert!(matches!(err, Err(StoreError::Reference { .. })), "{err:?}");
    // Fails in the caller after a successful insert.
    let err = store.write(|c| -> Result<_, StoreError> {
        groups::insert(c, &group("G2"))?;
        Err::<(), _>(StoreError::Other("business rule".into()))
    });
    assert!(matches!(err, Err(StoreError::Other(_))));

    let (g1, g2, next) = store
        .read(|c| -> Result<_, StoreError> {
            Ok((
                groups::exists(c, "G1")?,
                groups::exists(c, "G2")?,
                counters::peek(c, counters::CUSTOMER)?,
            ))
        })
        .unwrap();
    assert!(!g1 && !g2);
    assert_eq!(next, 30000001, "the counter bump was rolled back too");
    assert!(store.is_empty().unwrap());
}

#[test]
fn a_shared_transaction_keeps_its_steps_only_on_commit() {
    let db = TestDb::new();
    let store = db.store();
    let exists = |code: &str| {
        store
            .read(|c| -> Result<_, StoreError> { groups::exists(c, code) })
            .unwrap()
    };
    // A failed step rolls back to its savepoint; the steps before it stay, and a later
    // step sees them (on PostgreSQL the transaction is still usable).
    let mut tx = store.begin().unwrap();
    tx.step(|c| -> Result<_, StoreError> { groups::insert(c, &group("T1")) })
        .unwrap();
    let failed = tx.step(|c| -> Result<_, StoreError> {
        groups::insert(c, &group("T2"))?;
        corporates::insert(c, &corporate("TC", Some("NOPE")))
    });
    assert!(
        matches!(failed, Err(StoreError::Reference { .. })),
        "{failed:?}"
    );
    let seen = tx
        .step(|c| -> Result<_, StoreError> {
            Ok((groups::exists(c, "T1")?, groups::exists(c, "T2")?))
        })
        .unwrap();
    assert_eq!(seen, (true, false));
    drop(tx);
    assert!(!exists("T1"), "dropped without commit: rolled back");
    // Committed: every step is kept.
    let mut tx = store.begin().unwrap();
    tx.step(|c| -> Result<_, StoreError> { groups::insert(c, &group("T3")) })
        .unwrap();
    tx.step(|c| -> Result<_, StoreError> { corporates::insert(c, &corporate("TC3", Some("T3"))) })
        .unwrap();
    tx.commit().unwrap();
    assert!(exists("T3"));
}

#[test]
fn an_agreement_at_two_levels_is_refused_by_the_database() {
    let db = TestDb::new();
    let store = db.store();
    structure(&store);
    let two_levels = Agreement {
        account_number: Some(10000001),
        corporate_code: Some("C1".into()),
        ..agreement(20000001)
    };
    let err = store.write(|c| agreements::insert(c, &two_levels));
    match err {
        Err(StoreError::Reference { constraint }) => {
            assert!(constraint.contains("agreements_one_level"), "{constraint}")
        }
        other => panic!("expected a Reference error, got {other:?}"),
    }
    let no_level = agreement(20000002);
    let err = store.write(|c| agreements::insert(c, &no_level));
    assert!(matches!(err, Err(StoreError::Reference { .. })), "{err:?}");
    let bad_cycle = Agreement {
        group_code: Some("G1".into()),
        billing_cycle: 32,
        ..agreement(20000003)
    };
    let err = store.write(|c| agreements::insert(c, &bad_cycle));
    assert!(matches!(err, Err(StoreError::Reference { .. })), "{err:?}");
}

#[test]
fn references_to_missing_rows_are_refused() {
    let db = TestDb::new();
    let store = db.store();
    structure(&store);
    let at_missing_corporate = Agreement {
        corporate_code: Some("NOPE".into()),
        ..agreement(20000001)
    };
    let err = store.write(|c| agreements::insert(c, &at_missing_corporate));
    assert!(matches!(err, Err(StoreError::Reference { .. })), "{err:?}");
    let err = store.write(|c| accounts::insert(c, &account(10000002, 30000001, Some("NOPE"))));
    assert!(matches!(err, Err(StoreError::Reference { .. })), "{err:?}");
    let err = store.write(|c| accounts::insert(c, &account(10000002, 39999999, None)));
    assert!(matches!(err, Err(StoreError::Reference { .. })), "{err:?}");
    let with_unknown_media = Agreement {
        group_code: Some("G1".into()),
        billing_media: Some("XX".into()),
        ..agreement(20000001)
    };
    let err = store.write(|c| agreements::insert(c, &with_unknown_media));
    assert!(matches!(err, Err(StoreError::Reference { .. })), "{err:?}");
}

#[test]
fn a_duplicate_key_is_a_conflict() {
    let db = TestDb::new();
    let store = db.store();
    store.write(|c| groups::insert(c, &group("G1"))).unwrap();
    let err = store.write(|c| groups::insert(c, &group("G1")));
    assert!(matches!(err, Err(StoreError::Conflict { .. })), "{err:?}");
}

#[test]
fn rows_read_back_equal_what_was_written() {
    let db = TestDb::new();
    let store = db.store();
    structure(&store);
    let address = CustomerAddress {
        customer_number: 30000001,
        address_type: customers::ADDRESS_BILLING.into(),
        line1: Some("1 High Street".into()),
        town: Some("London".into()),
        postcode: Some("N1 1AA".into()),
        ..CustomerAddress::default()
    };
    let with_media = Agreement {
        account_number: Some(10000001),
        billing_media: Some("PAPER".into()),
        invoice_consolidation_level: Some("Account".into()),
        ..agreement(20000001)
    };
    store
        .write(|c| -> Result<_, StoreError> {
            billing_media::insert(
                c,
                &BillingMedia {
                    code: "PAPER".into(),
                    description: "Paper bill".into(),
                },
            )?;
            customers::insert_address(c, &address)?;
            agreements::insert(c, &with_media)
        })
        .unwrap();
    store
        .read(|c| -> Result<_, StoreError> {
            let ag = agreements::get(c, 20000001)?.unwrap();
            assert_eq!(ag.created_at, db_time(with_media.created_at));
            assert_eq!(
                ag,
                Agreement {
                    created_at: db_time(with_media.created_at),
                    last_amended_at: db_time(with_media.last_amended_at),
                    ..with_media.clone()
                }
            );
            let cu = customers::get(c, 30000001)?.unwrap();
            assert_eq!(cu.date_of_birth, Some(date(1815, 12, 10)));
            assert_eq!(customers::addresses(c, 30000001)?, vec![address.clone()]);
            assert_eq!(accounts::list_for_customer(c, 30000001)?.len(), 1);
            assert_eq!(
                corporates::get(c, "C1")?.unwrap().group_code.as_deref(),
                Some("G1")
            );
            assert!(billing_media::exists(c, "PAPER")?);
            assert!(agreements::get(c, 20000099)?.is_none());
            Ok(())
        })
        .unwrap();
    assert!(!store.is_empty().unwrap());

    // An address of an unknown type is refused by the CHECK constraint.
    let err = store.write(|c| -> Result<_, StoreError> {
        customers::insert_address(
            c,
            &CustomerAddress {
                address_type: "Office".into(),
                ..address.clone()
            },
        )
    });
    assert!(matches!(err, Err(StoreError::Reference { .. })), "{err:?}");
}

#[test]
fn customers_update_and_addresses_are_replaced() {
    let db = TestDb::new();
    let store = db.store();
    structure(&store);
    let mut cu = store
        .read(|c| customers::get(c, 30000001))
        .unwrap()
        .unwrap();
    cu.mobile_phone = Some("07700900000".into());
    cu.last_amended_at = now();
    let mut address = CustomerAddress {
        customer_number: 30000001,
        address_type: customers::ADDRESS_HOME.into(),
        line1: Some("old".into()),
        ..CustomerAddress::default()
    };
    store
        .write(|c| -> Result<_, StoreError> {
            assert!(customers::update(c, &cu)?);
            customers::put_address(c, &address)?;
            address.line1 = Some("new".into());
            customers::put_address(c, &address)
        })
        .unwrap();
    let (read, addresses) = store
        .read(|c| -> Result<_, StoreError> {
            Ok((
                customers::get(c, 30000001)?.unwrap(),
                customers::addresses(c, 30000001)?,
            ))
        })
        .unwrap();
    assert_eq!(read.mobile_phone.as_deref(), Some("07700900000"));
    assert_eq!(read.last_amended_at, db_time(cu.last_amended_at));
    assert_eq!(addresses, vec![address]);
}

#[test]
fn agreements_are_listed_per_level_in_number_order() {
    let db = TestDb::new();
    let store = db.store();
    structure(&store);
    store
        .write(|c| -> Result<_, StoreError> {
            for n in [20000005, 20000002, 20000009] {
                let at_account = Agreement {
                    account_number: Some(10000001),
                    ..agreement(n)
                };
                agreements::insert(c, &at_account)?;
            }
            for n in [20000004, 20000001] {
                let at_corporate = Agreement {
                    corporate_code: Some("C1".into()),
                    ..agreement(n)
                };
                agreements::insert(c, &at_corporate)?;
            }
            for n in [20000008, 20000003] {
                let at_group = Agreement {
                    group_code: Some("G1".into()),
                    ..agreement(n)
                };
                agreements::insert(c, &at_group)?;
            }
            Ok(())
        })
        .unwrap();
    let numbers =
        |list: Vec<Agreement>| -> Vec<i64> { list.iter().map(|a| a.agreement_number).collect() };
    store
        .read(|c| -> Result<_, StoreError> {
            assert_eq!(
                numbers(agreements::list_logged_at_account(c, 10000001)?),
                [20000002, 20000005, 20000009]
            );
            assert_eq!(
                numbers(agreements::list_logged_at_corporate(c, "C1")?),
                [20000001, 20000004]
            );
            assert_eq!(
                numbers(agreements::list_logged_at_group(c, "G1")?),
                [20000003, 20000008]
            );
            assert!(agreements::list_logged_at_group(c, "NONE")?.is_empty());
            Ok(())
        })
        .unwrap();
}

fn insert_group_agreement(store: &Store, n: i64) -> Agreement {
    let row = Agreement {
        group_code: Some("G1".into()),
        ..agreement(n)
    };
    store.write(|c| agreements::insert(c, &row)).unwrap();
    store.read(|c| agreements::get(c, n)).unwrap().unwrap()
}

#[test]
fn an_update_with_a_stale_last_amended_date_is_refused() {
    let db = TestDb::new();
    let store = db.store();
    structure(&store);
    let read = insert_group_agreement(&store, 20000001);
    let changes = AgreementChanges {
        invoice_receipt_address: Some("Billing".into()),
        price_plan_code: Some("PP1".into()),
        ..AgreementChanges::default()
    };
    let later = read.last_amended_at + chrono::Duration::seconds(1);
    let update =
        |expected, now| store.write(|c| agreements::update(c, 20000001, &changes, expected, now));
    assert_eq!(
        update(Some(read.last_amended_at), later).unwrap(),
        UpdateOutcome::Updated
    );
    // A second client still holding the first read.
    let even_later = later + chrono::Duration::seconds(1);
    assert_eq!(
        update(Some(read.last_amended_at), even_later).unwrap(),
        UpdateOutcome::Stale
    );
    // Without an expected date, the update just applies.
    assert_eq!(update(None, even_later).unwrap(), UpdateOutcome::Updated);
    let missing = store.write(|c| agreements::update(c, 29999999, &changes, None, later));
    assert_eq!(missing.unwrap(), UpdateOutcome::NotFound);

    let after = store
        .read(|c| agreements::get(c, 20000001))
        .unwrap()
        .unwrap();
    assert_eq!(after.price_plan_code.as_deref(), Some("PP1"));
    assert_eq!(after.last_amended_at, db_time(even_later));
    assert_eq!(after.billing_cycle, read.billing_cycle, "untouched");
}

#[test]
fn due_actions_are_claimed_once_in_date_order() {
    use cmp_store::repo::scheduled_actions::{self as sa, ScheduledAction};
    let db = TestDb::new();
    let store = db.store();
    let row = |id, due| ScheduledAction {
        id,
        kind: sa::KIND_BILL_CYCLE_CHANGE.into(),
        entity_number: 20000001,
        due_date: due,
        state: sa::STATE_PENDING.into(),
        payload: "billingCycle=15".into(),
        created_at: now(),
        applied_at: None,
    };
    store
        .write(|c| -> Result<_, StoreError> {
            sa::insert(c, &row(1, date(2026, 12, 3)))?;
            sa::insert(c, &row(2, date(2026, 12, 1)))?;
            sa::insert(c, &row(3, date(2027, 1, 1)))
        })
        .unwrap();
    let today = date(2026, 12, 5);
    let claim = || {
        store
            .write(|c| sa::claim_next_due(c, today, now()))
            .unwrap()
            .map(|a| a.id)
    };
    assert_eq!(claim(), Some(2), "the earliest due first");
    assert_eq!(claim(), Some(1));
    assert_eq!(claim(), None, "row 3 is not due yet, 1 and 2 are applied");
    // A claim rolled back with its transaction leaves the row pending.
    let rolled_back: Result<(), StoreError> = store.write(|c| {
        sa::claim_next_due(c, date(2027, 1, 1), now())?;
        Err(StoreError::NotFound)
    });
    assert!(rolled_back.is_err());
    assert_eq!(
        store.read(|c| sa::count_due(c, date(2027, 1, 1))).unwrap(),
        1
    );
    assert!(store
        .write(|c| sa::finish(c, 3, sa::STATE_CANCELLED, now()))
        .unwrap());
    assert!(
        !store
            .write(|c| sa::finish(c, 3, sa::STATE_CANCELLED, now()))
            .unwrap(),
        "only a pending row is cancelled"
    );
}

#[test]
fn a_store_reopened_on_the_same_database_keeps_its_data() {
    let db = TestDb::new();
    structure(&db.store());
    let store = db.store();
    store.ping().unwrap();
    assert!(store.read(|c| groups::exists(c, "G1")).unwrap());
    // `DbConn` names the backend; the SQLite pragmas are set on pooled connections.
    let fk_on = store
        .read(|c: &mut DbConn| -> Result<bool, StoreError> {
            match c {
                DbConn::Sqlite(s) => {
                    use diesel::RunQueryDsl;
                    #[derive(diesel::QueryableByName)]
                    struct Fk {
                        #[diesel(sql_type = diesel::sql_types::Integer)]
                        foreign_keys: i32,
                    }
                    let r: Fk = diesel::sql_query("PRAGMA foreign_keys").get_result(s)?;
                    Ok(r.foreign_keys == 1)
                }
                DbConn::Pg(_) => Ok(true),
            }
        })
        .unwrap();
    assert!(fk_on);
}

#[test]
fn an_unreachable_database_is_reported_not_waited_for() {
    let opts = PoolOptions {
        max_size: Some(1),
        connection_timeout: Some(std::time::Duration::from_secs(1)),
    };
    let err = Store::open("postgres://nobody@127.0.0.1:1/none", opts.clone()).unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    let err = Store::open("sqlite:///no/such/dir/x.db", opts.clone()).unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    let err = Store::open("sqlite://:memory:", opts.clone()).unwrap_err();
    assert!(matches!(err, StoreError::Other(_)), "{err:?}");
    let err = Store::open("mysql://x", opts).unwrap_err();
    assert!(matches!(err, StoreError::Other(_)), "{err:?}");
}
