//! Liveness and readiness, answered on every host before any tenant resolution.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// The process is up.
pub(crate) async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// The owner database answers and is migrated.
pub(crate) async fn readyz(State(s): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    if !s.platform.owner.ping().await {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "reason": "owner database does not answer"})),
        );
    }
    match s.platform.owner.pending_migrations().await {
        Ok(p) if p.is_empty() => (StatusCode::OK, Json(json!({"status": "ready"}))),
        Ok(p) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                json!({"status": "unavailable", "reason": "owner migrations pending", "pending": p}),
            ),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "reason": "owner database does not answer"})),
        ),
    }
}
