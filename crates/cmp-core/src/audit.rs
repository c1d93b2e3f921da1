//! Reading the audit trail (`GET /admin/audit`). Entries are written by
//! [`crate::Context::audit`] inside each write's transaction.

use cmp_model::messages::{AuditEntry, GetAuditRequest, GetAuditResponse};
use cmp_store::repo::audit;

use crate::{Context, OpResult};

/// Entries oldest first; `entity` is `type` or `type:id`; at most `limit` (default 100).
pub fn get_audit(ctx: &Context, req: GetAuditRequest) -> OpResult<GetAuditResponse> {
    let (entity_type, entity_id) = match req.entity.as_deref() {
        Some(e) => match e.split_once(':') {
            Some((t, id)) => (Some(t), Some(id)),
            None => (Some(e), None),
        },
        None => (None, None),
    };
    let since = req.since.map(|t| cmp_store::db_time(t.naive_utc()));
    let limit = req.limit.unwrap_or(100);
    let rows = ctx.read(|c| Ok(audit::list(c, entity_type, entity_id, since, limit)?))?;
    Ok(GetAuditResponse {
        external_reference: req.external_reference,
        entry: rows
            .into_iter()
            .map(|r| AuditEntry {
                at: r.at.and_utc(),
                actor: r.actor,
                operation: r.operation,
                entity_type: r.entity_type,
                entity_id: r.entity_id,
                external_reference: r.external_reference,
                request_id: r.request_id,
            })
            .collect(),
    })
}
