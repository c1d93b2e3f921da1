//! Corporates (optionally in a group).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::corporates;
use crate::FirstRow;
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
    crate::on_backend!(conn => {
    let row = Corporate {
        created_at: db_time(row.created_at),
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    };
    diesel::insert_into(corporates::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

pub fn get(conn: &mut DbConn, corporate_code: &str) -> Result<Option<Corporate>, StoreError> {
    crate::on_backend!(conn => {
    Ok(corporates::table
        .find(corporate_code)
        .select(Corporate::as_select())
        .first_row(conn)
        .optional()?)
    })
}

pub fn exists(conn: &mut DbConn, corporate_code: &str) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    Ok(
        diesel::select(diesel::dsl::exists(corporates::table.find(corporate_code)))
            .get_result(conn)?,
    )
    })
}

/// What the 7.3.8 corporate service adds to a corporate: its posting account and e-mail.
#[derive(Clone, Debug, Default, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = corporates)]
pub struct CorporateDetails {
    pub posting_account_number: Option<i64>,
    pub email_address: Option<String>,
}

pub fn details(
    conn: &mut DbConn,
    corporate_code: &str,
) -> Result<Option<CorporateDetails>, StoreError> {
    crate::on_backend!(conn => {
    Ok(corporates::table
        .find(corporate_code)
        .select(CorporateDetails::as_select())
        .first_row(conn)
        .optional()?)
    })
}

pub fn set_details(
    conn: &mut DbConn,
    corporate_code: &str,
    d: &CorporateDetails,
) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    use corporates::dsl as c;
    diesel::update(corporates::table.find(corporate_code))
        .set((
            c::posting_account_number.eq(d.posting_account_number),
            c::email_address.eq(&d.email_address),
        ))
        .execute(conn)?;
    Ok(())
    })
}

/// The fields an update may change; `None` keeps the stored value.
#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = corporates)]
pub struct CorporateChanges {
    pub description: Option<String>,
    pub group_code: Option<String>,
}

/// Applies `changes` and stamps `last_amended_at = stamp`, only while the row still
/// carries `expected` (when given).
pub fn update(
    conn: &mut DbConn,
    corporate_code: &str,
    changes: &CorporateChanges,
    expected: Option<NaiveDateTime>,
    stamp: NaiveDateTime,
) -> Result<crate::repo::UpdateOutcome, StoreError> {
    use corporates::dsl as c;
    let mut q = diesel::update(corporates::table)
        .filter(c::corporate_code.eq(corporate_code))
        .into_boxed();
    if let Some(e) = expected {
        q = q.filter(c::last_amended_at.eq(db_time(e)));
    }
    let n = q
        .set((changes, c::last_amended_at.eq(db_time(stamp))))
        .execute(conn)?;
    crate::repo::agreements::outcome(n, || exists(conn, corporate_code))
}
