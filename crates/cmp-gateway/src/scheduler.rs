//! The background worker that applies scheduled actions when they fall due
//! (disconnections, price plan changes, bill cycle changes: `cmp_core::scheduled`). Safe
//! with several gateways on one database: the store claims each row.

use std::time::Duration;

use cmp_core::scheduled;

use crate::AppState;

/// Runs due actions now and then every `every`, until the server stops.
pub fn spawn(state: AppState, every: Duration) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(every);
        loop {
            let due = tick.tick().await;
            state.metrics.observe_scheduler(due.elapsed());
            let ctx = state.context("scheduler");
            match actix_web::web::block(move || scheduled::apply_due(&ctx)).await {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => log::info!(target: "cmp::scheduler", "applied {n} scheduled actions"),
                Ok(Err(f)) => {
                    log::warn!(target: "cmp::scheduler", "scheduled actions failed: {}", f.message_id)
                }
                Err(e) => {
                    log::warn!(target: "cmp::scheduler", "scheduled actions did not run: {e}")
                }
            }
        }
    });
}
