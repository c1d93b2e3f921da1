//! The audit trail: who changed which entity, when, through which operation.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::audit_log::{self, dsl as a};
use crate::{db_time, DbConn, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditEntry {
    pub at: NaiveDateTime,
    pub actor: String,
    pub operation: String,
    pub entity_type: String,
    pub entity_id: String,
    pub external_reference: Option<String>,
    pub request_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub operation: String,
    pub entity_type: String,
    pub entity_id: String,
    pub external_reference: Option<String>,
    pub request_id: String,
}

/// Call inside the writing transaction, so the entry and the change stand or fall together.
pub fn insert(conn: &mut DbConn, row: &NewAuditEntry) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    let row = NewAuditEntry {
        at: db_time(row.at),
        ..row.clone()
    };
    diesel::insert_into(audit_log::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
    })
}

/// Entries from `since` on, oldest first, optionally for one entity type (and id); at
/// most `limit`.
pub fn list(
    conn: &mut DbConn,
    entity_type: Option<&str>,
    entity_id: Option<&str>,
    since: Option<NaiveDateTime>,
    limit: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut q = audit_log::table
        .select(AuditEntry::as_select())
        .into_boxed();
    if let Some(t) = entity_type {
        q = q.filter(a::entity_type.eq(t.to_string()));
    }
    if let Some(id) = entity_id {
        q = q.filter(a::entity_id.eq(id.to_string()));
    }
    if let Some(s) = since {
        q = q.filter(a::at.ge(s));
    }
    Ok(q.order((a::at, a::id)).limit(limit).load(conn)?)
}
