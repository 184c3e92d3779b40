//! Operations endpoints: liveness, readiness, Prometheus metrics.

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use serde_json::{Value, json};

use crate::{problem::ApiError, state::AppState};

/// `GET /healthz`: the process is up.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: 200 when the store answers, else 503 `store_unavailable`.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state.service.check_ready().await?;
    Ok(Json(json!({ "status": "ready" })))
}

/// `GET /metrics`: Prometheus text format; refreshes the active-sessions gauge first.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    match state.service.count_active_sessions().await {
        #[allow(clippy::cast_precision_loss)]
        Ok(count) => metrics::gauge!("sessions_active").set(count as f64),
        Err(error) => tracing::warn!(%error, "active sessions not counted"),
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
