//! Corporates (optionally in a group).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::corporates;
use crate::{db_time, DbConn, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = corporates)]
pub struct Corporate {
    pub corporate_code: String,
    pub description: String,
    pub group_code: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_amended_at: NaiveDateTime,
}

pub type NewCorporate = Corporate;

pub fn insert(conn: &mut DbConn, row: &Corporate) -> Result<(), StoreError> {
    let row = Corporate {
        created_at: db_time(row.created_at),
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    diesel::insert_into(corporates::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, corporate_code: &str) -> Result<Option<Corporate>, StoreError> {
    Ok(corporates::table
        .find(corporate_code)
        .select(Corporate::as_select())
        .first(conn)
        .optional()?)
}

pub fn exists(conn: &mut DbConn, corporate_code: &str) -> Result<bool, StoreError> {
    Ok(
        diesel::select(diesel::dsl::exists(corporates::table.find(corporate_code)))
            .get_result(conn)?,
    )
}
