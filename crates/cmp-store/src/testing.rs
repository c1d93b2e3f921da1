//! `TestDb`: one fresh, migrated database per test (feature `testing`).

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use crate::{PoolOptions, Store};

/// A database for one test, removed when the guard is dropped.
///
/// `CMP_TEST_DATABASE_URL` unset: a SQLite file in a temporary directory (never
/// `:memory:`, which each pooled connection would see as its own empty database).
/// Set to a `postgres://` URL: a fresh schema `t_<uuid>` in that database, chosen for
/// every connection by `options=-csearch_path=<schema>` in the URL, so unqualified table
/// names (and diesel's migration table) live there; dropped with CASCADE on drop.
///
/// ```ignore
/// let db = TestDb::new();
/// let store = db.store(); // migrated
/// ```
pub struct TestDb {
    url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<PgSchema>,
}

struct PgSchema {
    admin_url: String,
    name: String,
}

impl TestDb {
    /// Panics when the database cannot be set up (it is a test helper).
    pub fn new() -> TestDb {
        match std::env::var("CMP_TEST_DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => Self::postgres(url.trim()),
            _ => Self::sqlite(),
        }
    }

    fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        TestDb {
            url,
            _dir: Some(dir),
            pg: None,
        }
    }

    fn postgres(admin_url: &str) -> TestDb {
        assert!(
            admin_url.starts_with("postgres://") || admin_url.starts_with("postgresql://"),
            "CMP_TEST_DATABASE_URL must be a postgres:// URL"
        );
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("connect to CMP_TEST_DATABASE_URL: {e}"));
        conn.batch_execute(&format!("CREATE SCHEMA {name}"))
            .unwrap_or_else(|e| panic!("create test schema: {e}"));
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        TestDb {
            url: format!("{admin_url}{sep}options=-csearch_path%3D{name}"),
            _dir: None,
            pg: Some(PgSchema {
                admin_url: admin_url.to_string(),
                name,
            }),
        }
    }

    /// The URL to give `Store::open` (or the gateway's configuration).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// A migrated store on this database (small pool). Panics on failure.
    pub fn store(&self) -> Store {
        let opts = PoolOptions {
            max_size: Some(4),
            ..PoolOptions::default()
        };
        Store::open(&self.url, opts).unwrap_or_else(|e| panic!("open test store: {e}"))
    }
}

impl Default for TestDb {
    fn default() -> Self {
        TestDb::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(pg) = &self.pg else { return };
        // Do not hang the test run if a store still holds locks in that schema.
        let dropped = PgConnection::establish(&pg.admin_url).and_then(|mut c| {
            c.batch_execute(&format!(
                "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {} CASCADE",
                pg.name
            ))
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
        });
        if let Err(e) = dropped {
            eprintln!("TestDb: could not drop schema {}: {e}", pg.name);
        }
    }
}

/// Builds a corporate customer directly through the repositories (one transaction): group
/// `BIGGRP`, corporate `BIGCRP` in it with an agreement, customer 90000001 with
/// `accounts` accounts under the corporate (numbers from 90000001), each with
/// `subscriptions_per_account` Active subscriptions (numbers from 90000001) on that
/// agreement, each with a managed serial number 1. For the structure query tests and
/// benchmark. Returns the customer number.
pub fn big_corporate_customer(store: &Store, accounts: i64, subscriptions_per_account: i64) -> i64 {
    use crate::repo::{self, subscriptions as subs};
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .expect("a valid time");
    let customer = 90_000_001;
    store
        .write(|c| {
            repo::groups::insert(
                c,
                &repo::Group {
                    group_code: "BIGGRP".into(),
                    description: "Big group".into(),
                    created_at: now,
                    last_amended_at: now,
                },
            )?;
            repo::corporates::insert(
                c,
                &repo::Corporate {
                    corporate_code: "BIGCRP".into(),
                    description: "Big corporate".into(),
                    group_code: Some("BIGGRP".into()),
                    created_at: now,
                    last_amended_at: now,
                },
            )?;
            repo::customers::insert(
                c,
                &repo::Customer {
                    customer_number: customer,
                    title: None,
                    first_name: None,
                    last_name: None,
                    date_of_birth: None,
                    gender: None,
                    marital_status: None,
                    occupation: None,
                    id_type: None,
                    id_number: None,
                    company_name: Some("Big Ltd".into()),
                    company_registration_number: None,
                    vat_number: None,
                    home_phone: None,
                    work_phone: None,
                    mobile_phone: None,
                    fax: None,
                    email: None,
                    created_at: now,
                    last_amended_at: now,
                },
            )?;
            let agreement = 90_000_001;
            repo::agreements::insert(
                c,
                &repo::Agreement {
                    agreement_number: agreement,
                    group_code: None,
                    corporate_code: Some("BIGCRP".into()),
                    account_number: None,
                    billing_cycle: 1,
                    invoice_consolidation_level: None,
                    invoice_receipt_address: None,
                    next_expected_invoice_date: now.date(),
                    billing_media: None,
                    price_plan_code: None,
                    created_at: now,
                    last_amended_at: now,
                },
            )?;
            let mut sub = 90_000_001;
            for i in 0..accounts {
                let account_number = 90_000_001 + i;
                repo::accounts::insert(
                    c,
                    &repo::Account {
                        account_number,
                        customer_number: customer,
                        account_name: Some(format!("Big {i}")),
                        status: "Active".into(),
                        corporate_code: Some("BIGCRP".into()),
                        group_code: None,
                        currency: "GBP".into(),
                        payment_method: repo::accounts::PAYMENT_MANUAL.into(),
                        created_at: now,
                        last_amended_at: now,
                    },
                )?;
                for _ in 0..subscriptions_per_account {
                    subs::insert(
                        c,
                        &repo::Subscription {
                            subscription_number: sub,
                            account_number,
                            agreement_number: agreement,
                            status: subs::STATUS_ACTIVE.into(),
                            price_plan_code: "SIMO12".into(),
                            connected_date: Some(now.date()),
                            disconnected_date: None,
                            user_name: None,
                            cost_centre: None,
                            contract_start: None,
                            contract_term_months: None,
                            created_at: now,
                            last_amended_at: now,
                        },
                    )?;
                    subs::insert_serial(
                        c,
                        &repo::SerialNumberRow {
                            subscription_number: sub,
                            kind: subs::SERIAL_MANAGED.into(),
                            enumeration_id: 1,
                            value: format!("4477{sub:08}"),
                        },
                    )?;
                    sub += 1;
                }
            }
            Ok::<_, crate::StoreError>(())
        })
        .expect("the big customer is written");
    customer
}

/// `count` Active subscriptions (through [`big_corporate_customer`], 100 an account, so
/// `count` is rounded up to a hundred) and, for each, a pending Disconnection due
/// 2026-11-22 (with termination fees suppressed). For the scheduler's concurrency test and
/// benchmark. Returns the subscription numbers.
pub fn due_disconnections(store: &Store, count: i64) -> Vec<i64> {
    use crate::repo::scheduled_actions::{self as sa, ScheduledAction};
    let accounts = (count + 99) / 100;
    big_corporate_customer(store, accounts, 100);
    let numbers: Vec<i64> = (0..accounts * 100).map(|i| 90_000_001 + i).collect();
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("a valid time");
    store
        .write(|c| {
            for (i, n) in numbers.iter().enumerate() {
                let id = crate::repo::counters::next(c, sa::COUNTER)?;
                sa::insert(
                    c,
                    &ScheduledAction {
                        id,
                        kind: sa::KIND_DISCONNECTION.into(),
                        entity_number: *n,
                        // Spread over a few days, all due by 2026-11-22.
                        due_date: now.date() - chrono::Days::new((i % 5) as u64),
                        state: sa::STATE_PENDING.into(),
                        payload: "suppressTerminationFees=true".into(),
                        created_at: now,
                        applied_at: None,
                    },
                )?;
            }
            Ok::<_, crate::StoreError>(())
        })
        .expect("insert the due actions");
    numbers
}
