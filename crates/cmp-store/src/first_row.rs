//! `query.first_row(conn)`: diesel's `.first(conn)` with `LIMIT 1` written into the SQL
//! text instead of bound.
//!
//! Why: `.first()` binds its limit (`LIMIT ?`). SQLite (3.47 and later) reads a bound
//! LIMIT while it plans, and so marks the statement to be prepared again whenever that
//! parameter is bound again — which diesel does on every execution. Every cached
//! `.first()` statement was parsed anew on each call (`sqlite3Reprepare`, an eighth of the
//! sample request's time in the profile). A constant limit keeps the prepared statement.
//!
//! Not for a query that ends with a locking clause (`FOR UPDATE`): the limit would come
//! after it. Those keep `.first()`.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::methods::LoadQuery;
use diesel::{QueryResult, RunQueryDsl};

/// `Q` followed by ` LIMIT 1`.
#[derive(Debug, Clone, Copy, QueryId)]
pub struct LimitOne<Q>(Q);

impl<Q: Query> Query for LimitOne<Q> {
    type SqlType = Q::SqlType;
}

impl<DB: Backend, Q: QueryFragment<DB>> QueryFragment<DB> for LimitOne<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(" LIMIT 1");
        Ok(())
    }
}

impl<Q, Conn> RunQueryDsl<Conn> for LimitOne<Q> {}

/// The first row of a query, as `.first()` returns it (`NotFound` when there is none).
pub trait FirstRow: Sized {
    fn first_row<'q, U, Conn>(self, conn: &mut Conn) -> QueryResult<U>
    where
        LimitOne<Self>: LoadQuery<'q, Conn, U>,
    {
        LimitOne(self).get_result(conn)
    }
}

impl<Q: Query> FirstRow for Q {}
