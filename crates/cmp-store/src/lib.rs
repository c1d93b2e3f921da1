//! CMP persistence: the Diesel schema, embedded migrations for SQLite and PostgreSQL, the
//! connection pool, and one repository module per aggregate.
//!
//! Callers go through [`Store::read`] and [`Store::write`] and call the plain functions of
//! [`repo`] with the connection they are given. Every write runs in one transaction.
//! Timestamps are UTC `NaiveDateTime`s truncated to microseconds ([`db_time`]), the
//! precision PostgreSQL keeps, so what is read back equals what was written.

pub mod db;
mod error;
mod first_row;
pub mod repo;
pub mod schema;
pub mod stats;
pub mod synthetic;
#[cfg(feature = "testing")]
mod testing;
mod writer_turn;

use chrono::{NaiveDateTime, SubsecRound};
use diesel::connection::SimpleConnection;
use diesel::{Connection, ExpressionMethods, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use db::{DbConn, DbUrl, Pool, PoolOptions};
pub use error::StoreError;
pub use first_row::FirstRow;
#[cfg(feature = "testing")]
pub use testing::{big_corporate_customer, due_disconnections, TestDb};

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Key of the PostgreSQL advisory lock held while migrating, so that several gateway
/// instances starting together do not run the same migration twice.
const MIGRATION_LOCK: i64 = 0x0043_4d50_5f6d_6967; // "CMP_mig"

// The one-row table every SQLite write transaction updates first (`Store::write`).
diesel::table! {
    write_lock (id) {
        id -> Integer,
        n -> BigInt,
    }
}

/// `t` truncated to microseconds: the precision both backends store.
pub fn db_time(t: NaiveDateTime) -> NaiveDateTime {
    t.trunc_subsecs(6)
}

/// The database behind the gateway: a pool plus the transaction rules.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// Callers waiting for a connection right now (for the metrics).
    waiting: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// SQLite writers of this process take turns here ([`writer_turn`]).
    writers: std::sync::Arc<writer_turn::WriterTurns>,
}

/// The pool as the metrics show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    pub max_size: u32,
    pub in_use: u32,
    pub idle: u32,
    pub waiting: usize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("state", &self.pool.state())
            .finish()
    }
}

impl Store {
    /// Opens the pool and applies pending migrations.
    pub fn open(url: &str, opts: PoolOptions) -> Result<Store, StoreError> {
        let store = Store {
            pool: db::build_pool(url, &opts)?,
            waiting: Default::default(),
            writers: Default::default(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Opens the pool without applying migrations (`open` applies them): for looking at a
    /// database as it is, as readiness does ([`Store::migrations_applied`]).
    pub fn open_unmigrated(url: &str, opts: PoolOptions) -> Result<Store, StoreError> {
        Ok(Store {
            pool: db::build_pool(url, &opts)?,
            waiting: Default::default(),
            writers: Default::default(),
        })
    }

    /// Whether every migration of this build is applied. Read-only: it looks at diesel's
    /// bookkeeping table (absent: nothing is applied) and creates nothing, so a readiness
    /// check never migrates nor writes.
    pub fn migrations_applied(&self) -> Result<bool, StoreError> {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        #[derive(diesel::QueryableByName)]
        struct Version {
            #[diesel(sql_type = diesel::sql_types::Text)]
            version: String,
        }
        fn versions<DB: diesel::backend::Backend>(m: &EmbeddedMigrations) -> Vec<String> {
            diesel::migration::MigrationSource::<DB>::migrations(m)
                .map(|v| v.iter().map(|m| m.name().version().to_string()).collect())
                .unwrap_or_default()
        }
        let mut conn = self.pool.get()?;
        let (expected, table_sql) = match &*conn {
            DbConn::Pg(_) => (
                versions::<diesel::pg::Pg>(&PG_MIGRATIONS),
                "SELECT count(*) AS n FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = '__diesel_schema_migrations'",
            ),
            DbConn::Sqlite(_) => (
                versions::<diesel::sqlite::Sqlite>(&SQLITE_MIGRATIONS),
                "SELECT count(*) AS n FROM sqlite_master \
                 WHERE type = 'table' AND name = '__diesel_schema_migrations'",
            ),
        };
        if diesel::sql_query(table_sql)
            .get_result::<Count>(&mut *conn)?
            .n
            == 0
        {
            return Ok(expected.is_empty());
        }
        let applied: Vec<Version> =
            diesel::sql_query("SELECT version FROM __diesel_schema_migrations").load(&mut *conn)?;
        Ok(expected
            .iter()
            .all(|v| applied.iter().any(|a| a.version == *v)))
    }

    /// Applies pending migrations (also done by `open`).
    pub fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.get()?;
        let failed = |e: Box<dyn std::error::Error + Send + Sync>| {
            StoreError::Other(format!("migration failed: {e}"))
        };
        let applied = match &mut *conn {
            DbConn::Pg(c) => {
                c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
                let result = c
                    .run_pending_migrations(PG_MIGRATIONS)
                    .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>());
                c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
                result.map_err(failed)?
            }
            DbConn::Sqlite(c) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|v| v.iter().map(ToString::to_string).collect())
                .map_err(failed)?,
        };
        for version in applied {
            log::info!("applied migration {version}");
        }
        Ok(())
    }

    /// Runs `f` on a pooled connection, outside any transaction (each statement sees the
    /// latest committed data). Use `write` for anything that writes.
    pub fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut DbConn) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.connection()?;
        let result = f(&mut conn);
        if result.is_err() {
            drop_if_dead(&mut conn);
        }
        result
    }

    /// Runs `f` in one transaction: committed if it returns `Ok`, rolled back otherwise.
    ///
    /// On SQLite the transaction first updates the one-row `write_lock` table, so it holds
    /// the write lock from its first statement (like `BEGIN IMMEDIATE`): concurrent writers
    /// wait for each other (busy_timeout) instead of failing with SQLITE_BUSY when two
    /// read-then-write transactions meet. On PostgreSQL, after a failed statement the
    /// transaction is aborted: return the error rather than carry on inside `f`.
    ///
    /// `f` may fail with any error that a store error converts into (a caller's own
    /// error type carrying business faults); either way the transaction rolls back.
    pub fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut DbConn) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut pooled = self.connection()?;
        // After the connection is in hand, so a writer never holds the turn while it
        // waits for the pool.
        let _turn = self.turn(&pooled)?;
        let result = in_transaction(&mut pooled, |conn| {
            take_write_lock(conn)?;
            f(conn)
        });
        if result.is_err() {
            drop_if_dead(&mut pooled);
        }
        result
    }

    /// Opens one transaction that several steps share ([`Tx::step`]): an operation made of
    /// other operations (a 7.3.8 CreateSubscription with its bolt-ons and caps) commits
    /// all of them or none. On SQLite it takes the write lock first, as [`Store::write`].
    pub fn begin(&self) -> Result<Tx, StoreError> {
        use diesel::connection::TransactionManager;
        let mut conn = self.connection()?;
        let turn = self.turn(&conn)?;
        <DbConn as Connection>::TransactionManager::begin_transaction(&mut *conn)?;
        let mut tx = Tx {
            conn,
            open: true,
            _turn: turn,
        };
        take_write_lock(&mut tx.conn)?;
        Ok(tx)
    }

    /// A SQLite writer's turn (none on PostgreSQL, whose writers do not lock the database).
    fn turn(&self, conn: &DbConn) -> Result<Option<writer_turn::Turn>, StoreError> {
        match conn {
            DbConn::Sqlite(_) => self.writers.take().map(Some),
            DbConn::Pg(_) => Ok(None),
        }
    }

    /// Readiness check: one `SELECT 1`.
    pub fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.get()?;
        diesel::sql_query("SELECT 1").execute(&mut *conn)?;
        Ok(())
    }

    /// True when there is no customer, group, corporate, account or agreement (the demo
    /// data is loaded only into an empty database). Reference data and counters are not
    /// looked at.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        #[derive(diesel::QueryableByName)]
        struct NotEmpty {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            not_empty: bool,
        }
        const SQL: &str = "SELECT (EXISTS (SELECT 1 FROM customers) \
            OR EXISTS (SELECT 1 FROM customer_groups) OR EXISTS (SELECT 1 FROM corporates) \
            OR EXISTS (SELECT 1 FROM accounts) OR EXISTS (SELECT 1 FROM agreements)) AS not_empty";
        self.read(|c| Ok(!diesel::sql_query(SQL).get_result::<NotEmpty>(c)?.not_empty))
    }

    /// A pooled connection, counting the wait (bounded by the pool's connection timeout:
    /// past it the caller gets `Unavailable`, never an endless queue).
    fn connection(&self) -> Result<db::PooledConn, StoreError> {
        use std::sync::atomic::Ordering;
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let conn = self.pool.get();
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        Ok(conn?)
    }

    pub fn pool_status(&self) -> PoolStatus {
        let s = self.pool.state();
        PoolStatus {
            max_size: self.pool.max_size(),
            in_use: s.connections - s.idle_connections,
            idle: s.idle_connections,
            waiting: self.waiting.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The pool, for callers that size a blocking thread pool on it.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use diesel::sql_types::BigInt;

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    /// Tables other than diesel's own bookkeeping.
    fn table_count(conn: &mut DbConn) -> i64 {
        let sql = match conn {
            DbConn::Pg(_) => {
                "SELECT count(*) AS n FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'"
            }
            DbConn::Sqlite(_) => {
                "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' \
                 AND name <> '__diesel_schema_migrations' AND name NOT LIKE 'sqlite_%'"
            }
        };
        diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
    }

    #[test]
    fn migrations_revert_completely_and_reapply() {
        let db = TestDb::new();
        let store = db.store();
        let mut conn = store.pool.get().unwrap();
        assert!(table_count(&mut conn) > 0);
        match &mut *conn {
            DbConn::Pg(c) => c.revert_all_migrations(PG_MIGRATIONS).map(drop),
            DbConn::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(drop),
        }
        .unwrap();
        assert_eq!(table_count(&mut conn), 0, "down.sql leaves a table behind");
        drop(conn);
        store.migrate().unwrap();
        assert!(store.is_empty().unwrap());
    }

    #[test]
    fn an_unmigrated_database_says_so_and_a_migrated_one_too() {
        let db = TestDb::new();
        let store = db.store();
        assert!(store.migrations_applied().unwrap());
        let mut conn = store.pool.get().unwrap();
        match &mut *conn {
            DbConn::Pg(c) => c.revert_last_migration(PG_MIGRATIONS).map(drop),
            DbConn::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS).map(drop),
        }
        .unwrap();
        drop(conn);
        assert!(!store.migrations_applied().unwrap());
        store.migrate().unwrap();
        assert!(store.migrations_applied().unwrap());

        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
        let fresh = Store::open_unmigrated(&url, PoolOptions::default()).unwrap();
        fresh.ping().unwrap();
        assert!(!fresh.migrations_applied().unwrap());
    }

    #[test]
    fn both_backends_have_the_same_migration_versions() {
        let versions = |backend: &str| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(backend);
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        assert_eq!(versions("postgres"), versions("sqlite"));
    }

    #[test]
    fn timestamps_are_kept_to_the_microsecond() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
            .unwrap()
            .and_hms_nano_opt(10, 0, 0, 123_456_789)
            .unwrap();
        assert_eq!(db_time(t).and_utc().timestamp_subsec_nanos(), 123_456_000);
    }

    #[test]
    fn database_urls_name_their_backend() {
        let pg = |u: &str| DbUrl::Postgres(u.to_string());
        let lite = |p: &str| DbUrl::Sqlite(p.to_string());
        assert_eq!(
            DbUrl::parse("postgres://h/db").unwrap(),
            pg("postgres://h/db")
        );
        assert_eq!(
            DbUrl::parse("postgresql://h/db").unwrap(),
            pg("postgresql://h/db")
        );
        assert_eq!(DbUrl::parse("sqlite://cmp.db").unwrap(), lite("cmp.db"));
        assert_eq!(
            DbUrl::parse("sqlite:///var/cmp.db").unwrap(),
            lite("/var/cmp.db")
        );
        assert_eq!(
            DbUrl::parse("sqlite:data/cmp.db").unwrap(),
            lite("data/cmp.db")
        );
        assert_eq!(DbUrl::parse("cmp.db").unwrap(), lite("cmp.db"));
        assert!(DbUrl::parse("sqlite://:memory:").is_err());
        assert!(DbUrl::parse("mysql://h/db").is_err());
    }
}

/// A transaction open across several steps ([`Store::begin`]). Each step runs in a
/// savepoint, so a step that fails leaves the transaction usable (on PostgreSQL too);
/// nothing is kept unless [`Tx::commit`] is called: dropping it rolls everything back.
pub struct Tx {
    conn: db::PooledConn,
    open: bool,
    /// Released after `Drop::drop` has rolled back (fields drop after it).
    _turn: Option<writer_turn::Turn>,
}

impl Tx {
    /// Runs `f` in a savepoint of the transaction: rolled back to it if `f` fails.
    pub fn step<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut DbConn) -> Result<T, E>,
    ) -> Result<T, E> {
        in_transaction(&mut self.conn, f)
    }

    pub fn commit(mut self) -> Result<(), StoreError> {
        use diesel::connection::TransactionManager;
        self.open = false;
        <DbConn as Connection>::TransactionManager::commit_transaction(&mut *self.conn)?;
        Ok(())
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        use diesel::connection::TransactionManager;
        if self.open {
            // A failed rollback leaves the connection broken: the pool drops it on return.
            let rolled_back =
                <DbConn as Connection>::TransactionManager::rollback_transaction(&mut *self.conn);
            if rolled_back.is_ok() {
                drop_if_dead(&mut self.conn);
            }
        }
    }
}

/// On SQLite, the first statement of a write transaction: it takes the database's write
/// lock at once (like `BEGIN IMMEDIATE`). Through the DSL, not SQL text: diesel keeps the
/// prepared statement, so SQLite does not parse it again on every write.
fn take_write_lock(conn: &mut DbConn) -> Result<(), StoreError> {
    if let DbConn::Sqlite(c) = conn {
        diesel::update(write_lock::table)
            .set(write_lock::n.eq(write_lock::n + 1))
            .execute(c)?;
    }
    Ok(())
}

/// After a failure, outside any transaction: a connection that no longer answers is
/// marked broken, so the pool drops it when it comes back instead of lending it again.
/// The pool does not test connections before lending them (`db::build_pool`): a round
/// trip per checkout on PostgreSQL. After a database restart, each dead connection fails
/// one request (503, Retry-After) and is replaced.
fn drop_if_dead(conn: &mut DbConn) {
    use diesel::connection::{TransactionManager, TransactionManagerStatus};
    use diesel::r2d2::R2D2Connection;
    if conn.ping().is_err() {
        *<DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn) =
            TransactionManagerStatus::InError;
    }
}

/// Runs `f` in a transaction of `conn` (a savepoint when one is open already).
fn in_transaction<T, E: From<StoreError>>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    /// Diesel's transaction wants an error built from its own; keep the caller's apart.
    enum TxError<E> {
        Caller(E),
        Diesel(diesel::result::Error),
    }
    impl<E> From<diesel::result::Error> for TxError<E> {
        fn from(e: diesel::result::Error) -> Self {
            TxError::Diesel(e)
        }
    }
    conn.transaction(|conn| f(conn).map_err(TxError::Caller))
        .map_err(|e| match e {
            TxError::Caller(e) => e,
            TxError::Diesel(e) => StoreError::from(e).into(),
        })
}
