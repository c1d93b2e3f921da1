//! Scheduled actions (migration `000013_scheduled_actions`): a future disconnection, a
//! future price plan change or a pending bill cycle change, each a row with a due date and
//! a state. The scheduler claims due rows one at a time ([`claim_next_due`]) inside the
//! transaction that applies them, so an action is applied once however many gateways run.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::scheduled_actions::{self, dsl as sa};
use crate::FirstRow;
use crate::{db_time, DbConn, StoreError};

/// `kind` values (a CHECK constraint allows only these).
pub const KIND_DISCONNECTION: &str = "Disconnection";
pub const KIND_PRICE_PLAN_CHANGE: &str = "PricePlanChange";
pub const KIND_BILL_CYCLE_CHANGE: &str = "BillCycleChange";

/// `state` values (a CHECK constraint allows only these). `Failed`: the action could no
/// longer be applied when it fell due (the reason is logged and in a workflow event).
pub const STATE_PENDING: &str = "Pending";
pub const STATE_APPLIED: &str = "Applied";
pub const STATE_CANCELLED: &str = "Cancelled";
pub const STATE_FAILED: &str = "Failed";

/// The counter numbering the rows (seeded by the migration).
pub const COUNTER: &str = "scheduled_action";

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = scheduled_actions)]
pub struct ScheduledAction {
    pub id: i64,
    pub kind: String,
    /// The subscription (disconnection, price plan change) or agreement (bill cycle).
    pub entity_number: i64,
    pub due_date: NaiveDate,
    pub state: String,
    /// What the action needs, as `key=value` lines (see the core's `scheduled` module).
    pub payload: String,
    pub created_at: NaiveDateTime,
    /// When it was applied, cancelled or failed.
    pub applied_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, row: &ScheduledAction) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let row = ScheduledAction {
        created_at: db_time(row.created_at),
        applied_at: row.applied_at.map(db_time),
        ..row.clone()
    };
    diesel::insert_into(scheduled_actions::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

/// The pending action of `kind` on `entity`, if any (the earliest due when several).
pub fn pending(
    conn: &mut DbConn,
    kind: &str,
    entity: i64,
) -> Result<Option<ScheduledAction>, StoreError> {
    crate::on_backend!(conn => {
    Ok(scheduled_actions::table
        .filter(sa::kind.eq(kind))
        .filter(sa::entity_number.eq(entity))
        .filter(sa::state.eq(STATE_PENDING))
        .order((sa::due_date, sa::id))
        .select(ScheduledAction::as_select())
        .first_row(conn)
        .optional()?)
    })
}

/// Every action of `kind` on `entity`, oldest first.
pub fn of_entity(
    conn: &mut DbConn,
    kind: &str,
    entity: i64,
) -> Result<Vec<ScheduledAction>, StoreError> {
    crate::on_backend!(conn => {
    Ok(scheduled_actions::table
        .filter(sa::kind.eq(kind))
        .filter(sa::entity_number.eq(entity))
        .order(sa::id)
        .select(ScheduledAction::as_select())
        .load(conn)?)
    })
}

/// Moves a pending row to `state` (Cancelled, Failed) with one conditional UPDATE. False
/// when it was no longer pending (applied or cancelled by someone else first).
pub fn finish(
    conn: &mut DbConn,
    id: i64,
    state: &str,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    let n = diesel::update(
        scheduled_actions::table
            .filter(sa::id.eq(id))
            .filter(sa::state.eq(STATE_PENDING)),
    )
    .set((sa::state.eq(state), sa::applied_at.eq(Some(db_time(now)))))
    .execute(conn)?;
    Ok(n == 1)
    })
}

/// Cancels every pending action of `kind` on `entity`; how many were pending.
pub fn cancel_all(
    conn: &mut DbConn,
    kind: &str,
    entity: i64,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    crate::on_backend!(conn => {
    Ok(diesel::update(
        scheduled_actions::table
            .filter(sa::kind.eq(kind))
            .filter(sa::entity_number.eq(entity))
            .filter(sa::state.eq(STATE_PENDING)),
    )
    .set((
        sa::state.eq(STATE_CANCELLED),
        sa::applied_at.eq(Some(db_time(now))),
    ))
    .execute(conn)?)
    })
}

/// Claims the pending action due first (by due date, then number) among those due on or
/// before `today`: its state becomes Applied by a conditional UPDATE (`state =
/// 'Pending'`), so of two transactions that found the same row only one wins; the other
/// looks again. On PostgreSQL the row is read `FOR UPDATE SKIP LOCKED`, so a second
/// scheduler passes over a row being applied instead of waiting for it. Call it inside
/// `Store::write` and apply the action in the same transaction: a rollback un-claims it.
pub fn claim_next_due(
    conn: &mut DbConn,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Option<ScheduledAction>, StoreError> {
    loop {
        let due = scheduled_actions::table
            .filter(sa::state.eq(STATE_PENDING))
            .filter(sa::due_date.le(today))
            .order((sa::due_date, sa::id));
        let next: Option<ScheduledAction> = match conn {
            DbConn::Pg(c) => due
                .select(ScheduledAction::as_select())
                .for_update()
                .skip_locked()
                .first(c)
                .optional()?,
            DbConn::Sqlite(c) => due
                .select(ScheduledAction::as_select())
                .first_row(c)
                .optional()?,
        };
        let Some(row) = next else { return Ok(None) };
        let now = db_time(now);
        let claimed = diesel::update(
            scheduled_actions::table
                .filter(sa::id.eq(row.id))
                .filter(sa::state.eq(STATE_PENDING)),
        )
        .set((sa::state.eq(STATE_APPLIED), sa::applied_at.eq(Some(now))))
        .execute(conn)?;
        if claimed == 1 {
            return Ok(Some(ScheduledAction {
                state: STATE_APPLIED.to_string(),
                applied_at: Some(now),
                ..row
            }));
        }
    }
}

/// How many actions are pending and due on or before `today`.
pub fn count_due(conn: &mut DbConn, today: NaiveDate) -> Result<i64, StoreError> {
    crate::on_backend!(conn => {
    Ok(scheduled_actions::table
        .filter(sa::state.eq(STATE_PENDING))
        .filter(sa::due_date.le(today))
        .count()
        .get_result(conn)?)
    })
}

/// Counts the rows in `state` (tests and the benchmark).
pub fn count_in_state(conn: &mut DbConn, state: &str) -> Result<i64, StoreError> {
    crate::on_backend!(conn => {
    Ok(scheduled_actions::table
        .filter(sa::state.eq(state))
        .count()
        .get_result(conn)?)
    })
}

pub fn wipe(conn: &mut DbConn) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    diesel::delete(scheduled_actions::table).execute(conn)?;
    Ok(())
    })
}
