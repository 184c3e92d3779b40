//! Administration of sessions: revoke one, clean up ended ones.

use axum::{Json, extract::State, http::StatusCode};
use serde::Serialize;
use sessions_domain::SessionId;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    extract::{AdminCaller, ApiPath},
    problem::{ApiError, ProblemBody},
    state::AppState,
};

/// Revoke one session (reason `admin`).
#[utoipa::path(delete, path = "/v1/admin/sessions/{id}", operation_id = "admin_revoke_session", tag = "admin",
    params(("id" = Uuid, Path, description = "Session id")),
    security(("admin_token" = [])),
    responses(
        (status = 204, description = "Revoked (or already revoked)"),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`session_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: id is not a UUID", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    AdminCaller(admin): AdminCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .admin_revoke_session(SessionId::from_uuid(id), &admin)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a cleanup deleted.
#[derive(Debug, Serialize, ToSchema)]
pub struct CleanupBody {
    /// Sessions deleted.
    pub deleted: u64,
}

/// Delete sessions that expired or were revoked longer ago than the retention.
#[utoipa::path(post, path = "/v1/admin/sessions/cleanup", operation_id = "admin_cleanup", tag = "admin",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Cleaned up", body = CleanupBody),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn cleanup(
    State(state): State<AppState>,
    _admin: AdminCaller,
) -> Result<Json<CleanupBody>, ApiError> {
    let report = state.service.cleanup().await?;
    Ok(Json(CleanupBody {
        deleted: report.deleted,
    }))
}
