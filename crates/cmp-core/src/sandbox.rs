//! Sandbox mode: the test clock and wiping the data (SERVICES.md §6). The gateway serves
//! these only when started with `--sandbox`.

use cmp_model::messages::{ClockResponse, GetClockRequest, SetClockRequest};
use cmp_model::Fault;

use crate::{scheduled, Context, OpResult};

pub fn get_clock(ctx: &Context, req: GetClockRequest) -> OpResult<ClockResponse> {
    Ok(ClockResponse {
        external_reference: req.external_reference,
        now: ctx.clock.now(),
        applied_actions: None,
    })
}

/// Moves the clock, then runs every scheduled action that became due.
pub fn set_clock(ctx: &Context, req: SetClockRequest) -> OpResult<ClockResponse> {
    if !ctx.clock.set(req.now) {
        return Err(Fault::new(
            cmp_model::Code::ClockNotSettable,
            "the clock can be set only in sandbox mode",
        ));
    }
    let applied = scheduled::apply_due(ctx)?;
    Ok(ClockResponse {
        external_reference: req.external_reference,
        now: ctx.clock.now(),
        applied_actions: Some(applied as i64),
    })
}

/// Deletes every customer, structure and reference row and restarts the number counters.
pub fn wipe(ctx: &Context) -> OpResult<()> {
    ctx.write(|c| Ok(cmp_store::repo::wipe_all(c)?))
}
