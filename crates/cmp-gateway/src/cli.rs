//! The command line: `serve`, `migrate`, `load` (one clap binary, a function per
//! subcommand). Flags and environment are read once into these structs.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://cmp.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, Parser)]
#[command(
    name = "cmp-gateway",
    version,
    about = "CMP web services gateway: REST XML, REST JSON and SOAP"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct DbArgs {
    /// sqlite://path.db (embedded, the default) or postgres://user@host/db
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway.
    Serve {
        #[arg(long, env = "CMP_BIND", default_value = DEFAULT_BIND)]
        bind: String,
        #[command(flatten)]
        db: DbArgs,
        /// Load fixtures/demo into an empty database first.
        #[arg(long)]
        demo: bool,
        /// Where the demo fixtures are.
        #[arg(long, env = "CMP_DEMO_PATH", default_value = "fixtures/demo")]
        demo_path: PathBuf,
        /// Sandbox mode: the test clock (GET/PUT /admin/clock) and POST /admin/reset.
        #[arg(long)]
        sandbox: bool,
        /// Worker threads (default: one per core).
        #[arg(long, env = "CMP_WORKERS")]
        workers: Option<usize>,
        /// Largest request body in bytes (413 beyond).
        #[arg(long, env = "CMP_MAX_BODY", default_value_t = 1024 * 1024)]
        max_body: usize,
        /// Seconds an operation may take before the client gets 503.
        #[arg(long, env = "CMP_REQUEST_TIMEOUT", default_value_t = 30)]
        request_timeout: u64,
        /// Seconds a client may take to send the request head (request line and headers):
        /// then a bare 408 and the connection closes.
        #[arg(long, env = "CMP_HEADER_TIMEOUT", default_value_t = 5)]
        header_timeout: u64,
        /// Seconds a client may take to send the body: then a 408 fault and the connection
        /// closes.
        #[arg(long, env = "CMP_BODY_TIMEOUT", default_value_t = 30)]
        body_timeout: u64,
        /// Longest request target (path and query) in bytes (414 beyond).
        #[arg(long, env = "CMP_MAX_URI", default_value_t = crate::DEFAULT_MAX_URI)]
        max_uri: usize,
        /// Largest header block in bytes (431 beyond).
        #[arg(long, env = "CMP_MAX_HEADER_BYTES", default_value_t = crate::DEFAULT_MAX_HEADER_BYTES)]
        max_header_bytes: usize,
        /// Milliseconds to wait for a database connection before answering 503.
        #[arg(long, env = "CMP_DB_WAIT_MS", default_value_t = 5000)]
        db_wait_ms: u64,
        /// Database connections in the pool (default 8 on PostgreSQL; on SQLite one per core
        /// the process may use, at most 4).
        #[arg(long, env = "CMP_DB_POOL")]
        db_pool: Option<u32>,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Load a fixture file or directory, or (`--synthetic N`) fill the database with N
    /// subscriptions copied in bulk from the demo (loaded first into an empty database).
    Load {
        #[arg(required_unless_present = "synthetic")]
        path: Option<PathBuf>,
        /// Total subscriptions wanted: the demo's structure is copied until there are N.
        #[arg(long, conflicts_with = "path")]
        synthetic: Option<i64>,
        /// Where the demo fixtures are (the template of `--synthetic`).
        #[arg(long, env = "CMP_DEMO_PATH", default_value = "fixtures/demo")]
        demo_path: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Manage API keys (effective at once in running gateways).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key; its secret is printed once on stdout and stored only as a hash.
    Add {
        name: String,
        #[arg(long, value_parser = ["read", "write", "admin"])]
        role: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List the keys (names, roles, dates; never secrets).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a key.
    Revoke {
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

impl KeysCommand {
    pub fn database_url(&self) -> &str {
        match self {
            KeysCommand::Add { db, .. }
            | KeysCommand::List { db }
            | KeysCommand::Revoke { db, .. } => &db.database_url,
        }
    }
}
