//! Number generators (`id_counters`): unique across processes, never reused.

use diesel::prelude::*;

use crate::schema::id_counters::dsl::{id_counters, name as counter_name, next_value};
use crate::{DbConn, StoreError};

/// Counter names seeded by the migrations, with their first value.
pub const ACCOUNT: &str = "account"; // 10000001
pub const AGREEMENT: &str = "agreement"; // 20000001
pub const CUSTOMER: &str = "customer"; // 30000001
pub const SUBSCRIPTION: &str = "subscription"; // 40000001
pub const WORKFLOW_EVENT: &str = "workflow_event"; // 100000001
/// Purchase identifiers of subscription packages (seeded by the subscriptions migration).
pub const PURCHASE: &str = "purchase"; // 50000001

/// Takes the next number of counter `name`. Call it inside `Store::write`: the UPDATE
/// locks the counter row until the transaction ends, so no two transactions get the same
/// number; a rolled-back transaction gives its number back, as nothing used it.
/// Unknown name: `NotFound`.
pub fn next(conn: &mut DbConn, name: &str) -> Result<i64, StoreError> {
    let row = id_counters.filter(counter_name.eq(name));
    let bump = diesel::update(row).set(next_value.eq(next_value + 1));
    let after: Option<i64> = match conn {
        // One round trip: the row stays locked until the commit, so every round trip
        // after this one is time other writers of the counter wait.
        DbConn::Pg(c) => bump.returning(next_value).get_result(c).optional()?,
        DbConn::Sqlite(c) => match bump.execute(c)? {
            0 => None,
            _ => Some(row.select(next_value).get_result(c)?),
        },
    };
    after.map(|n| n - 1).ok_or(StoreError::NotFound)
}

/// Makes sure `next` will return a number above `n` (after loading rows with explicit
/// numbers, such as fixtures). Unknown name: `NotFound`.
pub fn ensure_above(conn: &mut DbConn, name: &str, n: i64) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let row = id_counters.filter(counter_name.eq(name));
    diesel::update(row.filter(next_value.le(n)))
        .set(next_value.eq(n + 1))
        .execute(conn)?;
    let exists: bool = diesel::select(diesel::dsl::exists(row)).get_result(conn)?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
    })
}

/// The value `next` would return, without taking it.
pub fn peek(conn: &mut DbConn, name: &str) -> Result<i64, StoreError> {
    crate::on_backend!(conn => {
    Ok(id_counters
        .filter(counter_name.eq(name))
        .select(next_value)
        .get_result(conn)?)
    })
}

/// The first value of each counter, as the migrations seed them.
pub const SEEDS: &[(&str, i64)] = &[
    (ACCOUNT, 10_000_001),
    (AGREEMENT, 20_000_001),
    (CUSTOMER, 30_000_001),
    (SUBSCRIPTION, 40_000_001),
    (WORKFLOW_EVENT, 100_000_001),
    (PURCHASE, 50_000_001),
    (super::payments::CARD_COUNTER, 70_000_001),
    (super::payments::DIRECT_DEBIT_COUNTER, 80_000_001),
    (super::selfcare::OUTBOX_COUNTER, 1),
    (super::scheduled_actions::COUNTER, 1),
    (
        super::subscription_details::SERVICE_INSTANCE_COUNTER,
        60_000_001,
    ),
];

/// Puts every counter back to its seed.
pub fn reset_all(conn: &mut DbConn) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    for (name, first) in SEEDS {
        diesel::update(id_counters.filter(counter_name.eq(*name)))
            .set(next_value.eq(*first))
            .execute(conn)?;
    }
    Ok(())
    })
}

/// Sets the next number of counter `name` (fixtures that need known numbers). The caller
/// makes sure nothing was numbered from it yet; primary keys refuse any reuse anyway.
pub fn set_next(conn: &mut DbConn, name: &str, value: i64) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let n = diesel::update(id_counters.filter(counter_name.eq(name)))
        .set(next_value.eq(value))
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
    })
}
