//! Customer groups (top of the customer structure).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::customer_groups;
use crate::FirstRow;
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
    crate::on_backend!(conn => {
    let row = Group {
        created_at: db_time(row.created_at),
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    diesel::insert_into(customer_groups::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

pub fn get(conn: &mut DbConn, group_code: &str) -> Result<Option<Group>, StoreError> {
    crate::on_backend!(conn => {
    Ok(customer_groups::table
        .find(group_code)
        .select(Group::as_select())
        .first_row(conn)
        .optional()?)
    })
}

pub fn exists(conn: &mut DbConn, group_code: &str) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    Ok(
        diesel::select(diesel::dsl::exists(customer_groups::table.find(group_code)))
            .get_result(conn)?,
    )
    })
}

/// What the 7.3.8 group service adds to a group: its posting account and e-mail.
#[derive(Clone, Debug, Default, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = customer_groups)]
pub struct GroupDetails {
    pub posting_account_number: Option<i64>,
    pub email_address: Option<String>,
}

pub fn details(conn: &mut DbConn, group_code: &str) -> Result<Option<GroupDetails>, StoreError> {
    crate::on_backend!(conn => {
    Ok(customer_groups::table
        .find(group_code)
        .select(GroupDetails::as_select())
        .first_row(conn)
        .optional()?)
    })
}

pub fn set_details(
    conn: &mut DbConn,
    group_code: &str,
    d: &GroupDetails,
) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    use customer_groups::dsl as g;
    diesel::update(customer_groups::table.find(group_code))
        .set((
            g::posting_account_number.eq(d.posting_account_number),
            g::email_address.eq(&d.email_address),
        ))
        .execute(conn)?;
    Ok(())
    })
}

/// Changes the description (when given) and stamps `last_amended_at = stamp`, only while
/// the row still carries `expected` (when given).
pub fn update(
    conn: &mut DbConn,
    group_code: &str,
    description: Option<&str>,
    expected: Option<NaiveDateTime>,
    stamp: NaiveDateTime,
) -> Result<crate::repo::UpdateOutcome, StoreError> {
    use customer_groups::dsl as g;
    let mut q = diesel::update(customer_groups::table)
        .filter(g::group_code.eq(group_code))
        .into_boxed();
    if let Some(e) = expected {
        q = q.filter(g::last_amended_at.eq(db_time(e)));
    }
    let n = match description {
        Some(d) => q
            .set((g::description.eq(d), g::last_amended_at.eq(db_time(stamp))))
            .execute(conn)?,
        None => q.set(g::last_amended_at.eq(db_time(stamp))).execute(conn)?,
    };
    crate::repo::agreements::outcome(n, || exists(conn, group_code))
}
