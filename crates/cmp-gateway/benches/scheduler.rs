//! `cargo bench -p cmp-gateway --bench scheduler`: how many due scheduled actions a second
//! the scheduler applies (`cmp_core::scheduled::apply_due`, as the background worker and
//! `PUT /admin/clock` run it). SQLite (a temporary file) by default;
//! `CMP_TEST_DATABASE_URL=postgres://…` runs it on a fresh PostgreSQL schema instead, with
//! one and then two schedulers racing for the same rows. Measures; asserts nothing but
//! success.
//!
//! Each action is a scheduled disconnection (termination fees suppressed): one
//! transaction claims the row and applies it (the subscription's row locked and updated,
//! its packages and services ended, its other pending actions cancelled, an audit entry,
//! a workflow event and an outbox message).

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use cmp_core::{scheduled, Context, FixedClock};
use cmp_store::{due_disconnections, TestDb};

const ACTIONS: i64 = 2000;

/// Applies `ACTIONS` due actions with `workers` schedulers at once; answers actions/s.
fn run(workers: usize) -> f64 {
    let db = Arc::new(TestDb::new());
    due_disconnections(&db.store(), ACTIONS);
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
    ));
    let started = Instant::now();
    let threads: Vec<_> = (0..workers)
        .map(|i| {
            let ctx = Context::new(db.store(), clock.clone(), format!("bench-{i}"));
            std::thread::spawn(move || scheduled::apply_due(&ctx).expect("the scheduler runs"))
        })
        .collect();
    let applied: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let elapsed = started.elapsed();
    assert_eq!(applied as i64, ACTIONS, "every action applied once");
    applied as f64 / elapsed.as_secs_f64()
}

fn main() {
    let postgres = std::env::var("CMP_TEST_DATABASE_URL").is_ok_and(|u| !u.trim().is_empty());
    let backend = if postgres { "PostgreSQL" } else { "SQLite" };
    println!("scheduled disconnections on {backend}, {ACTIONS} due");
    let counts: &[usize] = if postgres { &[1, 2] } else { &[1] };
    for &workers in counts {
        let rate = run(workers);
        println!("  {workers} scheduler(s): {rate:.0} actions/s");
    }
}
