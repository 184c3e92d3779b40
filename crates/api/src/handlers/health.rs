//! Operations endpoints: liveness, readiness, Prometheus metrics.

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use serde_json::{Value, json};

use crate::{
    extract::MetricsCaller, problem::ApiError, state::AppState, store_status::PROBE_TIMEOUT,
};

/// `GET /healthz`: the process is up.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: 200 when the store answers, else 503 `store_unavailable` — at once while
/// the probe finds it unavailable, else after at most the probe's timeout.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    if !state.store.is_available() {
        return Err(ApiError::store_unreachable());
    }
    tokio::time::timeout(PROBE_TIMEOUT, state.service.check_ready())
        .await
        .map_err(|_| ApiError::store_unreachable())??;
    Ok(Json(json!({ "status": "ready" })))
}

/// `GET /metrics`: Prometheus text format, as recorded; a scrape costs the store nothing
/// (the active-sessions gauge is refreshed in the background).
pub async fn metrics(State(state): State<AppState>, _scraper: MetricsCaller) -> impl IntoResponse {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
