//! `GET /health/live` (the process answers) and `GET /health/ready` (the database
//! answers and is migrated).

use actix_web::{web, HttpResponse};

use crate::AppState;

pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "live"}))
}

pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let store = state.store.clone();
    match web::block(move || store.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(serde_json::json!({"status": "ready"})),
        _ => HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "5"))
            .json(serde_json::json!({"status": "unavailable"})),
    }
}
