//! One connection type over both backends, and the r2d2 pool of it.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::StoreError;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Set on every SQLite connection the pool opens. busy_timeout comes first so that the
/// journal mode switch itself waits for a lock instead of failing.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL; \
     PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";

/// Which backend a database URL names, and what to hand to its `establish`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DbUrl {
    Postgres(String),
    /// A file path (diesel's SQLite `establish` wants a path, not `sqlite://`).
    Sqlite(String),
}

impl DbUrl {
    /// `postgres://…` / `postgresql://…`; `sqlite://path`, `sqlite:path` or a bare path
    /// ending in `.db`. `:memory:` is refused: each pooled connection would get its own
    /// empty database.
    pub fn parse(url: &str) -> Result<DbUrl, StoreError> {
        let path = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_string()));
        } else if let Some(p) = url.strip_prefix("sqlite://") {
            p
        } else if let Some(p) = url.strip_prefix("sqlite:") {
            p
        } else if url.ends_with(".db") {
            url
        } else {
            return Err(StoreError::Other(
                "database URL must start with postgres://, postgresql:// or sqlite://".into(),
            ));
        };
        if path.is_empty() || path.contains(":memory:") {
            return Err(StoreError::Other(
                "SQLite needs a file path (an in-memory database is not shared by a pool)".into(),
            ));
        }
        Ok(DbUrl::Sqlite(path.to_string()))
    }

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        Ok(match self {
            DbUrl::Postgres(url) => {
                let mut c = PgConnection::establish(url)?;
                c.set_instrumentation(crate::stats::count_statement);
                DbConn::Pg(c)
            }
            DbUrl::Sqlite(path) => {
                let mut c = SqliteConnection::establish(path)?;
                c.batch_execute(SQLITE_PRAGMAS)?;
                c.set_instrumentation(crate::stats::count_statement);
                DbConn::Sqlite(c)
            }
        })
    }
}

/// Our own r2d2 manager instead of diesel's `ConnectionManager<DbConn>`: the derived
/// `DbConn::establish` tries every backend in turn and reports only "invalid connection url",
/// hiding why a connection failed; this one knows the backend and keeps the real error.
/// It also runs the SQLite pragmas on each new connection.
#[derive(Debug)]
pub struct DbManager {
    url: DbUrl,
}

impl ManageConnection for DbManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        self.url.connect()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

pub type Pool = r2d2::Pool<DbManager>;
pub type PooledConn = r2d2::PooledConnection<DbManager>;

/// Pool settings; `None` takes the backend's default.
#[derive(Clone, Debug, Default)]
pub struct PoolOptions {
    /// Default 8 for PostgreSQL; for SQLite, the cores the process may use (at most 4).
    pub max_size: Option<u32>,
    /// How long to wait for a connection before `StoreError::Unavailable`. Default 5 s.
    pub connection_timeout: Option<Duration>,
}

/// Builds the pool. Fails (rather than hangs) when the database cannot be reached.
pub fn build_pool(url: &str, opts: &PoolOptions) -> Result<Pool, StoreError> {
    let url = DbUrl::parse(url)?;
    match &url {
        // The pool would report only a timeout: connect once to get the real cause
        // (bad password, unknown database, refused).
        DbUrl::Postgres(u) => drop(PgConnection::establish(u)?),
        // Switch to WAL once, alone, before several connections open at the same time
        // (the setting is stored in the file).
        DbUrl::Sqlite(_) => drop(url.connect()?),
    }
    let default_size = match url {
        DbUrl::Postgres(_) => 8,
        // One connection per core the process may run on (at most 4): SQLite's reads
        // are CPU work on the page cache, and more connections than cores only switch
        // between threads (the sample request on one core: 8 850 req/s with one
        // connection, 6 000 with four).
        DbUrl::Sqlite(_) => {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(4) as u32)
        }
    };
    Ok(r2d2::Pool::builder()
        .max_size(opts.max_size.unwrap_or(default_size))
        // No `SELECT 1` before every checkout (two per request, each a round trip on
        // PostgreSQL): a connection that fails is checked after the failure instead, and
        // dropped when it is dead (`drop_if_dead` in lib.rs).
        .test_on_check_out(false)
        .connection_timeout(opts.connection_timeout.unwrap_or(Duration::from_secs(5)))
        .build(DbManager { url })?)
}

/// Runs `$body` with `$conn` rebound to the backend's own connection, so that diesel
/// runs its queries directly: through the [`DbConn`] wrapper (diesel's derived
/// `MultiConnection`) every execution builds the statement's SQL text again, twice — for
/// the statement cache's check and for the binds — even when the prepared statement is
/// cached: a seventh of the sample request's time in the profile. The body is compiled
/// once per backend.
#[macro_export]
macro_rules! on_backend {
    ($conn:ident => $body:expr) => {
        match $conn {
            $crate::DbConn::Sqlite($conn) => $body,
            $crate::DbConn::Pg($conn) => $body,
        }
    };
}
