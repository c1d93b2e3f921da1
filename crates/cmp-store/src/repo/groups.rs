//! Customer groups (top of the customer structure).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::customer_groups;
use crate::{db_time, DbConn, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = customer_groups)]
pub struct Group {
    pub group_code: String,
    pub description: String,
    pub created_at: NaiveDateTime,
    pub last_amended_at: NaiveDateTime,
}

pub type NewGroup = Group;

pub fn insert(conn: &mut DbConn, row: &Group) -> Result<(), StoreError> {
    let row = Group {
        created_at: db_time(row.created_at),
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    diesel::insert_into(customer_groups::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, group_code: &str) -> Result<Option<Group>, StoreError> {
    Ok(customer_groups::table
        .find(group_code)
        .select(Group::as_select())
        .first(conn)
        .optional()?)
}

pub fn exists(conn: &mut DbConn, group_code: &str) -> Result<bool, StoreError> {
    Ok(
        diesel::select(diesel::dsl::exists(customer_groups::table.find(group_code)))
            .get_result(conn)?,
    )
}
