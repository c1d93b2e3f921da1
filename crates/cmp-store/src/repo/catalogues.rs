//! The product catalogue: each import is a new version (the whole document, as imported);
//! the highest version is the current catalogue.
//!
//! An import takes `next_version` and inserts it in the same transaction: two imports
//! racing for the same version make the second fail on the primary key (a `Conflict`),
//! so no import silently replaces another.

use chrono::NaiveDateTime;
use diesel::dsl::max;
use diesel::prelude::*;

use crate::schema::catalogues::{self, dsl as c};
use crate::FirstRow;
use crate::{db_time, DbConn, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = catalogues)]
pub struct CatalogueRow {
    /// 1, 2, 3… in import order.
    pub version: i64,
    pub imported_at: NaiveDateTime,
    /// Who imported it (the API key's name).
    pub imported_by: String,
    /// The catalogue document as imported.
    pub document: String,
}

/// A version already taken: `Conflict`.
pub fn insert(conn: &mut DbConn, row: &CatalogueRow) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let row = CatalogueRow {
        imported_at: db_time(row.imported_at),
        ..row.clone()
    };
    diesel::insert_into(catalogues::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

/// The current catalogue (highest version), if any was imported.
pub fn latest(conn: &mut DbConn) -> Result<Option<CatalogueRow>, StoreError> {
    crate::on_backend!(conn => {
    Ok(catalogues::table
        .order(c::version.desc())
        .select(CatalogueRow::as_select())
        .first_row(conn)
        .optional()?)
    })
}

/// The current catalogue's version, without reading its document.
pub fn latest_version(conn: &mut DbConn) -> Result<Option<i64>, StoreError> {
    Ok(catalogues::table
        .select(max(c::version))
        .get_result::<Option<i64>>(conn)?)
}

/// The version the next import gets: the latest plus one, or 1.
pub fn next_version(conn: &mut DbConn) -> Result<i64, StoreError> {
    Ok(latest_version(conn)?.map_or(1, |v| v + 1))
}

/// One version, if it exists.
pub fn get(conn: &mut DbConn, version: i64) -> Result<Option<CatalogueRow>, StoreError> {
    crate::on_backend!(conn => {
    Ok(catalogues::table
        .find(version)
        .select(CatalogueRow::as_select())
        .first_row(conn)
        .optional()?)
    })
}
