//! `GET /metrics` in the Prometheus text format: requests by operation, dialect and
//! status; latency histograms by operation; the database pool; the scheduler.
//!
//! Label values come from the registry (operation names) and fixed sets (dialects,
//! statuses), never from the request, so a client cannot grow the series without bound.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use actix_web::{web, HttpResponse};

use crate::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(&'static str, &'static str, u16), u64>,
    latency: BTreeMap<&'static str, Histogram>,
    scheduler_runs: u64,
    scheduler_lag: f64,
    scheduler_last_run: Option<SystemTime>,
}

#[derive(Default)]
pub struct Metrics(Mutex<Inner>);

impl Metrics {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn observe_request(
        &self,
        operation: &'static str,
        dialect: &'static str,
        status: u16,
        elapsed: Duration,
    ) {
        let secs = elapsed.as_secs_f64();
        let mut m = self.inner();
        *m.requests.entry((operation, dialect, status)).or_default() += 1;
        let h = m.latency.entry(operation).or_default();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            h.counts[i] += 1;
        }
        h.sum += secs;
        h.count += 1;
    }

    /// A scheduler run that started `lag` after it was due.
    pub fn observe_scheduler(&self, lag: Duration) {
        let mut m = self.inner();
        m.scheduler_runs += 1;
        m.scheduler_lag = lag.as_secs_f64();
        m.scheduler_last_run = Some(SystemTime::now());
    }

    pub fn render(&self, pool: cmp_store::PoolStatus) -> String {
        let m = self.inner();
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP cmp_requests_total Requests answered, by operation, dialect and HTTP status.\n# TYPE cmp_requests_total counter\n");
        for ((op, dialect, status), n) in &m.requests {
            let _ = writeln!(out, "cmp_requests_total{{operation=\"{op}\",dialect=\"{dialect}\",status=\"{status}\"}} {n}");
        }
        out.push_str("# HELP cmp_request_duration_seconds Time to answer, by operation.\n# TYPE cmp_request_duration_seconds histogram\n");
        for (op, h) in &m.latency {
            let mut cumulative = 0;
            for (b, c) in BUCKETS.iter().zip(h.counts) {
                cumulative += c;
                let _ = writeln!(out, "cmp_request_duration_seconds_bucket{{operation=\"{op}\",le=\"{b}\"}} {cumulative}");
            }
            let _ = writeln!(
                out,
                "cmp_request_duration_seconds_bucket{{operation=\"{op}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "cmp_request_duration_seconds_sum{{operation=\"{op}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "cmp_request_duration_seconds_count{{operation=\"{op}\"}} {}",
                h.count
            );
        }
        let gauges = [
            (
                "cmp_db_pool_max",
                "Connections the pool may open.",
                pool.max_size as f64,
            ),
            (
                "cmp_db_pool_in_use",
                "Connections lent out now.",
                pool.in_use as f64,
            ),
            (
                "cmp_db_pool_idle",
                "Open connections waiting to be lent.",
                pool.idle as f64,
            ),
            (
                "cmp_db_pool_waiting",
                "Callers waiting for a connection.",
                pool.waiting as f64,
            ),
            (
                "cmp_scheduler_lag_seconds",
                "How late the last scheduler run started.",
                m.scheduler_lag,
            ),
        ];
        for (name, help, v) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
        let _ = writeln!(
            out,
            "# HELP cmp_scheduler_runs_total Scheduler runs.\n# TYPE cmp_scheduler_runs_total counter\ncmp_scheduler_runs_total {}",
            m.scheduler_runs
        );
        if let Some(t) = m
            .scheduler_last_run
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        {
            let _ = writeln!(
                out,
                "# HELP cmp_scheduler_last_run_timestamp_seconds When the scheduler last ran.\n# TYPE cmp_scheduler_last_run_timestamp_seconds gauge\ncmp_scheduler_last_run_timestamp_seconds {}",
                t.as_secs_f64()
            );
        }
        out
    }
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let body = state.metrics.render(state.store.pool_status());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_and_bucketed() {
        let m = Metrics::default();
        m.observe_request("GetAccount", "json", 200, Duration::from_millis(3));
        m.observe_request("GetAccount", "json", 200, Duration::from_millis(30));
        let text = m.render(cmp_store::PoolStatus {
            max_size: 4,
            in_use: 1,
            idle: 2,
            waiting: 0,
        });
        assert!(text.contains(
            r#"cmp_requests_total{operation="GetAccount",dialect="json",status="200"} 2"#
        ));
        assert!(text.contains(
            r#"cmp_request_duration_seconds_bucket{operation="GetAccount",le="0.005"} 1"#
        ));
        assert!(text.contains(
            r#"cmp_request_duration_seconds_bucket{operation="GetAccount",le="+Inf"} 2"#
        ));
        assert!(text.contains("cmp_db_pool_in_use 1"));
    }
}
