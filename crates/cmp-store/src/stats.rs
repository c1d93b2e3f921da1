//! How many SQL statements this thread has sent: a Diesel instrumentation set on every
//! pooled connection counts each statement it starts, per thread (an operation runs its
//! store calls on one thread), so a test or a benchmark can show that a query takes a
//! fixed number of statements whatever the number of rows.

use std::cell::Cell;

use diesel::connection::InstrumentationEvent;

thread_local! {
    static STATEMENTS: Cell<u64> = const { Cell::new(0) };
}

/// The instrumentation hook (see `db::DbUrl::connect`).
pub(crate) fn count_statement(event: InstrumentationEvent<'_>) {
    if let InstrumentationEvent::StartQuery { .. } = event {
        STATEMENTS.with(|n| n.set(n.get() + 1));
    }
}

/// Statements started on this thread so far.
pub fn statements() -> u64 {
    STATEMENTS.with(Cell::get)
}

/// Runs `f` and returns its result with the number of statements it started on this thread.
pub fn counting<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = statements();
    let out = f();
    (out, statements() - before)
}
