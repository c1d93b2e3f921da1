//! `TestDb`: one fresh, migrated database per test (feature `testing`).

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use crate::{PoolOptions, Store};

/// A database for one test, removed when the guard is dropped.
///
/// `CMP_TEST_DATABASE_URL` unset: a SQLite file in a temporary directory (never
/// `:memory:`, which each pooled connection would see as its own empty database).
/// Set to a `postgres://` URL: a fresh schema `t_<uuid>` in that database, chosen for
/// every connection by `options=-csearch_path=<schema>` in the URL, so unqualified table
/// names (and diesel's migration table) live there; dropped with CASCADE on drop.
///
/// ```ignore
/// let db = TestDb::new();
/// let store = db.store(); // migrated
/// ```
pub struct TestDb {
    url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<PgSchema>,
}

struct PgSchema {
    admin_url: String,
    name: String,
}

impl TestDb {
    /// Panics when the database cannot be set up (it is a test helper).
    pub fn new() -> TestDb {
        match std::env::var("CMP_TEST_DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => Self::postgres(url.trim()),
            _ => Self::sqlite(),
        }
    }

    fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        TestDb {
            url,
            _dir: Some(dir),
            pg: None,
        }
    }

    fn postgres(admin_url: &str) -> TestDb {
        assert!(
            admin_url.starts_with("postgres://") || admin_url.starts_with("postgresql://"),
            "CMP_TEST_DATABASE_URL must be a postgres:// URL"
        );
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("connect to CMP_TEST_DATABASE_URL: {e}"));
        conn.batch_execute(&format!("CREATE SCHEMA {name}"))
            .unwrap_or_else(|e| panic!("create test schema: {e}"));
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        TestDb {
            url: format!("{admin_url}{sep}options=-csearch_path%3D{name}"),
            _dir: None,
            pg: Some(PgSchema {
                admin_url: admin_url.to_string(),
                name,
            }),
        }
    }

    /// The URL to give `Store::open` (or the gateway's configuration).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// A migrated store on this database (small pool). Panics on failure.
    pub fn store(&self) -> Store {
        let opts = PoolOptions {
            max_size: Some(4),
            ..PoolOptions::default()
        };
        Store::open(&self.url, opts).unwrap_or_else(|e| panic!("open test store: {e}"))
    }
}

impl Default for TestDb {
    fn default() -> Self {
        TestDb::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(pg) = &self.pg else { return };
        // Do not hang the test run if a store still holds locks in that schema.
        let dropped = PgConnection::establish(&pg.admin_url).and_then(|mut c| {
            c.batch_execute(&format!(
                "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {} CASCADE",
                pg.name
            ))
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
        });
        if let Err(e) = dropped {
            eprintln!("TestDb: could not drop schema {}: {e}", pg.name);
        }
    }
}
