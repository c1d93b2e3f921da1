//! The one mapping from Diesel and pool errors to [`StoreError`].
//!
//! Messages carry the database's primary message or a constraint name, never the SQL
//! parameters (PostgreSQL puts the offending values in `details`, which is not read here).

use diesel::result::{ConnectionError, DatabaseErrorInformation, DatabaseErrorKind, Error};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique or primary key constraint was violated.
    #[error("unique constraint violated: {constraint}")]
    Conflict { constraint: String },
    /// A foreign key, check or not-null constraint was violated.
    #[error("reference or check constraint violated: {constraint}")]
    Reference { constraint: String },
    /// Pool timeout, connection refused or lost, SQLite busy beyond busy_timeout.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

/// The constraint's name on PostgreSQL; on SQLite (which gives no name) what its message
/// says after "constraint failed: " (`table.column`, a CHECK's name), or the message.
fn constraint(info: &dyn DatabaseErrorInformation) -> String {
    if let Some(name) = info.constraint_name() {
        return name.to_string();
    }
    let msg = info.message();
    match msg.split_once("constraint failed: ") {
        Some((_, what)) => what.to_string(),
        None => msg.to_string(),
    }
}

impl From<Error> for StoreError {
    fn from(e: Error) -> Self {
        match e {
            Error::NotFound => StoreError::NotFound,
            Error::DatabaseError(kind, info) => match kind {
                DatabaseErrorKind::UniqueViolation => StoreError::Conflict {
                    constraint: constraint(info.as_ref()),
                },
                DatabaseErrorKind::ForeignKeyViolation
                | DatabaseErrorKind::CheckViolation
                | DatabaseErrorKind::NotNullViolation => StoreError::Reference {
                    constraint: constraint(info.as_ref()),
                },
                DatabaseErrorKind::ClosedConnection => {
                    StoreError::Unavailable(info.message().to_string())
                }
                _ => {
                    let msg = info.message();
                    // SQLITE_BUSY after busy_timeout, or libpq losing the server mid-query.
                    if msg.contains("database is locked")
                        || msg.contains("server closed the connection")
                        || msg.contains("no connection to the server")
                    {
                        StoreError::Unavailable(msg.to_string())
                    } else {
                        StoreError::Other(msg.to_string())
                    }
                }
            },
            other => StoreError::Other(other.to_string()),
        }
    }
}

impl From<ConnectionError> for StoreError {
    fn from(e: ConnectionError) -> Self {
        match e {
            ConnectionError::InvalidConnectionUrl(m) => {
                StoreError::Other(format!("invalid database URL: {m}"))
            }
            ConnectionError::BadConnection(m) => StoreError::Unavailable(m),
            ConnectionError::CouldntSetupConfiguration(e) => StoreError::from(e),
            other => StoreError::Unavailable(other.to_string()),
        }
    }
}

/// Errors of our connection manager, as seen when the pool builds connections.
impl From<diesel::r2d2::Error> for StoreError {
    fn from(e: diesel::r2d2::Error) -> Self {
        match e {
            diesel::r2d2::Error::ConnectionError(e) => StoreError::from(e),
            diesel::r2d2::Error::QueryError(e) => StoreError::from(e),
        }
    }
}

/// The pool's own error: a timeout waiting for a connection (it carries the last
/// connection error, if any).
impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}
