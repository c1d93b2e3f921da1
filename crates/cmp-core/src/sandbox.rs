//! Sandbox mode: the test clock and wiping the data (SERVICES.md §6). The gateway serves
//! these only when started with `--sandbox`.

use chrono::{DateTime, SecondsFormat, Utc};
use cmp_model::messages::{ClockResponse, GetClockRequest, ResetRequest, SetClockRequest};
use cmp_model::{Code, Fault};

use crate::{faults, scheduled, Context, OpResult};

pub fn get_clock(ctx: &Context, req: GetClockRequest) -> OpResult<ClockResponse> {
    Ok(ClockResponse {
        external_reference: req.external_reference,
        now: ctx.clock.now(),
        applied_actions: None,
    })
}

/// The latest time the clock may show: every date the gateway derives from it (a bill
/// period, a contract end, a year of usage) must still be a four-digit year that it can
/// write and read back.
pub const LATEST_CLOCK: &str = "9998-12-31T23:59:59Z";

fn latest_clock() -> DateTime<Utc> {
    LATEST_CLOCK
        .parse()
        .expect("LATEST_CLOCK is a valid RFC 3339 time")
}

/// Moves the clock forwards, then runs every scheduled action that became due, in date
/// order. It never moves backwards: what was done at a later time would then lie in the
/// future (a reset with `now` is the way back).
pub fn set_clock(ctx: &Context, req: SetClockRequest) -> OpResult<ClockResponse> {
    let now = SetClockRequest::path().now();
    if req.now > latest_clock() {
        return Err(faults::invalid(
            Code::OutOfRange,
            now,
            format!("is after {LATEST_CLOCK}, the latest time the sandbox clock may show"),
        ));
    }
    let current = ctx.clock.now();
    if req.now < current {
        return Err(faults::rule(
            Code::ClockBackwards,
            now,
            format!(
                "is before the clock ({}): the clock never moves backwards; POST /admin/reset with now starts again earlier",
                current.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
        ));
    }
    move_clock(ctx, req.now)?;
    let applied = scheduled::apply_due(ctx)?;
    Ok(ClockResponse {
        external_reference: req.external_reference,
        now: ctx.clock.now(),
        applied_actions: Some(applied as i64),
    })
}

/// Sets the clock to `t`, backwards too (only a reset may: it wipes what was done later).
pub fn move_clock(ctx: &Context, t: DateTime<Utc>) -> OpResult<()> {
    if t > latest_clock() {
        return Err(faults::invalid(
            Code::OutOfRange,
            ResetRequest::path().now(),
            format!("is after {LATEST_CLOCK}, the latest time the sandbox clock may show"),
        ));
    }
    if ctx.clock.set(t) {
        Ok(())
    } else {
        Err(Fault::new(
            Code::ClockNotSettable,
            "the clock can be set only in sandbox mode",
        ))
    }
}

/// Deletes every customer, structure and reference row and restarts the number counters.
pub fn wipe(ctx: &Context) -> OpResult<()> {
    ctx.write(|c| Ok(cmp_store::repo::wipe_all(c)?))
}
