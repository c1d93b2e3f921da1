//! Two schedulers on one PostgreSQL database (two threads, two connection pools, as two
//! gateway processes would have) apply 1 000 due actions at once: each exactly once.
//! PostgreSQL only (CMP_TEST_DATABASE_URL); on SQLite every write takes the one write
//! lock, so there is no race to prove.

use std::sync::{Arc, Barrier};

use chrono::{TimeZone, Utc};
use cmp_core::{scheduled, Context, FixedClock};
use cmp_store::repo::scheduled_actions as sa;
use cmp_store::repo::selfcare;
use cmp_store::repo::subscriptions::{self as subs, STATUS_DISCONNECTED};
use cmp_store::{due_disconnections, TestDb};

#[test]
fn two_schedulers_apply_each_of_1000_due_actions_exactly_once() {
    if std::env::var("CMP_TEST_DATABASE_URL").is_err() {
        eprintln!(
            "CMP_TEST_DATABASE_URL is not set: the two-scheduler test runs on PostgreSQL only"
        );
        return;
    }
    let db = TestDb::new();
    let numbers = due_disconnections(&db.store(), 1000);
    assert_eq!(numbers.len(), 1000);
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
    ));
    let start = Arc::new(Barrier::new(2));
    let workers: Vec<_> = ["scheduler-a", "scheduler-b"]
        .into_iter()
        .map(|name| {
            // Each worker its own pool, as a second gateway process would have.
            let ctx = Context::new(db.store(), clock.clone(), name);
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                scheduled::apply_due(&ctx).expect("the scheduler runs")
            })
        })
        .collect();
    let applied: Vec<usize> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert_eq!(applied.iter().sum::<usize>(), 1000, "applied {applied:?}");
    eprintln!("applied per scheduler: {applied:?}");

    let store = db.store();
    store
        .read(|c| -> Result<(), cmp_store::StoreError> {
            assert_eq!(sa::count_in_state(c, sa::STATE_APPLIED)?, 1000);
            assert_eq!(sa::count_in_state(c, sa::STATE_PENDING)?, 0);
            assert_eq!(sa::count_in_state(c, sa::STATE_FAILED)?, 0);
            for n in &numbers {
                let sub = subs::get(c, *n)?.unwrap();
                assert_eq!(sub.status, STATUS_DISCONNECTED);
                // One disconnection event per subscription: applied once, not twice.
                let events =
                    selfcare::workflows(c, &["Subscription"], Some(&n.to_string()), None, 10)?;
                assert_eq!(events.len(), 1, "subscription {n}: {events:?}");
            }
            Ok(())
        })
        .unwrap();
    // Nothing is left to apply.
    let ctx = Context::new(store, clock, "scheduler-c");
    assert_eq!(scheduled::apply_due(&ctx).unwrap(), 0);
}
