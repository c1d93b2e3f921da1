//! Billing media codes (reference data).

use diesel::prelude::*;

use crate::schema::billing_media;
use crate::FirstRow;
use crate::{DbConn, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = billing_media)]
pub struct BillingMedia {
    pub code: String,
    pub description: String,
}

pub type NewBillingMedia = BillingMedia;

pub fn insert(conn: &mut DbConn, row: &BillingMedia) -> Result<(), StoreError> {
    diesel::insert_into(billing_media::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, code: &str) -> Result<Option<BillingMedia>, StoreError> {
    Ok(billing_media::table
        .find(code)
        .select(BillingMedia::as_select())
        .first_row(conn)
        .optional()?)
}

pub fn exists(conn: &mut DbConn, code: &str) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(billing_media::table.find(code))).get_result(conn)?)
}

/// All codes, ordered by code.
pub fn list(conn: &mut DbConn) -> Result<Vec<BillingMedia>, StoreError> {
    Ok(billing_media::table
        .order(billing_media::code)
        .select(BillingMedia::as_select())
        .load(conn)?)
}

/// Makes the table hold exactly `rows` (a catalogue import): inserts new codes, updates
/// descriptions, deletes codes no longer listed (a code still used by an agreement makes
/// the delete fail on its foreign key, and the import with it).
pub fn replace_all(conn: &mut DbConn, rows: &[BillingMedia]) -> Result<(), StoreError> {
    let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    diesel::delete(billing_media::table.filter(billing_media::code.ne_all(codes))).execute(conn)?;
    for r in rows {
        let n = diesel::update(billing_media::table.find(&r.code))
            .set(billing_media::description.eq(&r.description))
            .execute(conn)?;
        if n == 0 {
            insert(conn, r)?;
        }
    }
    Ok(())
}
