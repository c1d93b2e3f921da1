//! QueryCustomerStructure and `GET /customers/{n}/structure` for a corporate customer
//! with 1 000 accounts and 10 000 subscriptions: time per query and statements per query.
//! `cargo bench -p cmp-gateway --bench structure` (SQLite; PostgreSQL with
//! CMP_TEST_DATABASE_URL). Not run by `cargo test`; it measures, it asserts nothing.

use std::sync::Arc;
use std::time::Instant;

use cmp_core::structure::tree;
use cmp_core::{Context, FixedClock};
use cmp_model::messages as m;
use cmp_store::{big_corporate_customer, stats, TestDb};

fn main() {
    let db = TestDb::new();
    let store = db.store();
    let started = Instant::now();
    let customer = big_corporate_customer(&store, 1_000, 10);
    eprintln!(
        "built 1 000 accounts / 10 000 subscriptions in {:?}",
        started.elapsed()
    );
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let ctx = Context::new(store, clock, "bench");
    let runs = 20;
    let by_customer = || {
        let req = m::GetCustomerStructureRequest {
            external_reference: None,
            customer_number: customer,
            subscription_status_filter: None,
        };
        tree::get_customer_structure(&ctx, req).expect("answers")
    };
    let by_corporate = || {
        let req = m::QueryCustomerStructureRequest {
            external_reference: None,
            customer_level: m::CustomerLevel::Corporate,
            customer_level_id: "BIGCRP".into(),
            tree_filter: None,
            subscription_status_filter: None,
        };
        tree::query_customer_structure(&ctx, req).expect("answers")
    };
    measure("GET /customers/{n}/structure", runs, || drop(by_customer()));
    measure("QueryCustomerStructure (Corporate)", runs, || {
        drop(by_corporate())
    });
    drop(db);
}

fn measure(name: &str, runs: u32, f: impl Fn()) {
    f(); // warm up
    let mut times = Vec::new();
    let mut statements = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let ((), n) = stats::counting(&f);
        times.push(t.elapsed());
        statements = n;
    }
    times.sort();
    println!(
        "{name}: median {:?}, min {:?}, max {:?} over {runs} runs; {statements} statements",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
}
