//! The one clock all "today" logic reads (DOMAIN.md, Time and scheduled actions).

use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    /// Moves the clock to `t`; false for a clock that cannot be set (the system's).
    fn set(&self, _t: DateTime<Utc>) -> bool {
        false
    }
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// Wall-clock time.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until it is set: tests and the sandbox.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(t: DateTime<Utc>) -> Self {
        FixedClock(Mutex::new(t))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn set(&self, t: DateTime<Utc>) -> bool {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = t;
        true
    }
}

/// The sandbox clock: wall-clock time shifted by an offset that `set` changes, so time
/// still passes after it is moved.
#[derive(Debug, Default)]
pub struct AdjustableClock(Mutex<TimeDelta>);

impl Clock for AdjustableClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn set(&self, t: DateTime<Utc>) -> bool {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = t - Utc::now();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_adjustable_clock_keeps_running_after_it_is_set() {
        let c = AdjustableClock::default();
        let target = Utc::now() + TimeDelta::days(40);
        assert!(c.set(target));
        let d = c.now() - target;
        assert!(d >= TimeDelta::zero() && d < TimeDelta::seconds(5));
        assert!(!SystemClock.set(target));
    }
}
