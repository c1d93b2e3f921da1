//! `GET /health/live` (the process answers) and `GET /health/ready` (the database
//! answers and is migrated).

use actix_web::{web, HttpResponse};

use crate::AppState;

pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "live"}))
}

/// Ready when the database answers and every migration of this build is applied (a
/// reachable but un-migrated or half-migrated database is not ready: 503).
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let store = state.store.clone();
    let check = move || {
        store.ping()?;
        store.migrations_applied()
    };
    let (status, reason) = match web::block(check).await {
        Ok(Ok(true)) => return HttpResponse::Ok().json(serde_json::json!({"status": "ready"})),
        Ok(Ok(false)) => ("unavailable", "migrations pending"),
        _ => ("unavailable", "database unreachable"),
    };
    HttpResponse::ServiceUnavailable()
        .insert_header(("Retry-After", "5"))
        .json(serde_json::json!({"status": status, "reason": reason}))
}
