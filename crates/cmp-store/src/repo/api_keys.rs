//! API keys: a name, a role and the SHA-256 of the secret (never the secret).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::api_keys::{self, dsl as k};
use crate::FirstRow;
use crate::{db_time, DbConn, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    pub name: String,
    /// The public part of the key, used to find it.
    pub key_id: String,
    /// Hex SHA-256 of the secret part.
    pub secret_hash: String,
    /// `read`, `write` or `admin`.
    pub role: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, row: &ApiKey) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let row = ApiKey {
        created_at: db_time(row.created_at),
        ..row.clone()
    };
    diesel::insert_into(api_keys::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

/// An active (not revoked) key by its public id.
pub fn active_by_key_id(conn: &mut DbConn, key_id: &str) -> Result<Option<ApiKey>, StoreError> {
    crate::on_backend!(conn => {
    Ok(api_keys::table
        .filter(k::key_id.eq(key_id))
        .filter(k::revoked_at.is_null())
        .select(ApiKey::as_select())
        .first_row(conn)
        .optional()?)
    })
}

/// An active key by name (HTTP Basic sends the name as the user).
pub fn active_by_name(conn: &mut DbConn, name: &str) -> Result<Option<ApiKey>, StoreError> {
    crate::on_backend!(conn => {
    Ok(api_keys::table
        .filter(k::name.eq(name))
        .filter(k::revoked_at.is_null())
        .select(ApiKey::as_select())
        .first_row(conn)
        .optional()?)
    })
}

/// Whether any key is active: without one the gateway runs open (on loopback only).
pub fn any_active(conn: &mut DbConn) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    Ok(diesel::select(diesel::dsl::exists(
        api_keys::table.filter(k::revoked_at.is_null()),
    ))
    .get_result(conn)?)
    })
}

pub fn list(conn: &mut DbConn) -> Result<Vec<ApiKey>, StoreError> {
    crate::on_backend!(conn => {
    Ok(api_keys::table
        .order(k::name)
        .select(ApiKey::as_select())
        .load(conn)?)
    })
}

/// Revokes an active key; false when there is none of that name.
pub fn revoke(conn: &mut DbConn, name: &str, now: NaiveDateTime) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    let n = diesel::update(
        api_keys::table
            .filter(k::name.eq(name))
            .filter(k::revoked_at.is_null()),
    )
    .set(k::revoked_at.eq(Some(db_time(now))))
    .execute(conn)?;
    Ok(n > 0)
    })
}
