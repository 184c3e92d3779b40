//! A user's own sessions: list, read, revoke, trust.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use sessions_application::{PageSize, SessionCursor, SessionView, use_cases::SessionListing};
use sessions_domain::SessionId;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    dto::{SessionBody, SessionPageBody},
    extract::{ApiPath, ApiQuery, CurrentSession},
    problem::{ApiError, ProblemBody},
    state::AppState,
};

/// Paging of session lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only active sessions (default `true`).
    pub active_only: Option<bool>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = r"^[0-9a-f]{1,15}-[0-9a-f]{32}$")]
    pub cursor: Option<String>,
}

impl ListQuery {
    /// The listing this query asks for.
    pub fn into_listing(self) -> Result<SessionListing, ApiError> {
        let page_size = match self.limit {
            Some(limit) => PageSize::new(limit)
                .map_err(|error| ApiError::invalid(format!("limit: {error}")))?,
            None => PageSize::default(),
        };
        let after = self
            .cursor
            .map(|cursor| SessionCursor::decode(&cursor))
            .transpose()
            .map_err(|error| ApiError::invalid(format!("cursor: {error}")))?;
        Ok(SessionListing {
            active_only: self.active_only.unwrap_or(true),
            page_size,
            after,
        })
    }
}

/// List the caller's sessions, newest first.
#[utoipa::path(get, path = "/v1/sessions", operation_id = "list_sessions", tag = "sessions", params(ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page", body = SessionPageBody),
        (status = 401, description = "`unauthorized`, `session_revoked`, `session_expired`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: bad `limit` or `cursor`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    CurrentSession(caller, _): CurrentSession,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<SessionPageBody>, ApiError> {
    let page = state
        .service
        .list_sessions(&caller.session, query.into_listing()?)
        .await?;
    Ok(Json(page.into()))
}

/// The session of the caller's access token.
#[utoipa::path(get, path = "/v1/sessions/current", operation_id = "get_current_session", tag = "sessions", security(("bearer" = [])),
    responses(
        (status = 200, description = "The current session", body = SessionBody),
        (status = 401, description = "`unauthorized`, `session_revoked`, `session_expired`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn current(CurrentSession(caller, _): CurrentSession) -> Json<SessionBody> {
    // Authentication just found this session active, and it is the token's own.
    Json(
        SessionView {
            session: caller.session,
            is_current: true,
            is_active: true,
        }
        .into(),
    )
}

/// One of the caller's sessions.
#[utoipa::path(get, path = "/v1/sessions/{id}", operation_id = "get_session", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "The session", body = SessionBody),
        (status = 401, description = "`unauthorized`, `session_revoked`, `session_expired`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`session_not_found` (also another user's)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: id is not a UUID", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    CurrentSession(caller, _): CurrentSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<SessionBody>, ApiError> {
    let view = state
        .service
        .get_session(
            caller.claims.user_id,
            Some(caller.claims.session_id),
            SessionId::from_uuid(id),
        )
        .await?;
    Ok(Json(view.into()))
}

/// Revoke one of the caller's sessions (`user_revoked`; idempotent).
#[utoipa::path(delete, path = "/v1/sessions/{id}", operation_id = "revoke_session", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Revoked (or already revoked); revoking the current session logs out"),
        (status = 401, description = "`unauthorized`, `session_revoked`, `session_expired`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`session_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: id is not a UUID", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    current: CurrentSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .revoke_session(
            current.0.claims.user_id,
            SessionId::from_uuid(id),
            &current.caller(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many sessions a bulk revocation ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedCountBody {
    /// Sessions revoked.
    pub revoked_count: u64,
}

/// Revoke every session of the caller but the current one (`logout_all`).
#[utoipa::path(delete, path = "/v1/sessions", operation_id = "revoke_other_sessions", tag = "sessions", security(("bearer" = [])),
    responses(
        (status = 200, description = "Revoked", body = RevokedCountBody),
        (status = 401, description = "`unauthorized`, `session_revoked`, `session_expired`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn revoke_others(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<Json<RevokedCountBody>, ApiError> {
    let claims = &current.0.claims;
    let revoked_count = state
        .service
        .revoke_other_sessions(claims.user_id, claims.session_id, &current.caller())
        .await?;
    Ok(Json(RevokedCountBody { revoked_count }))
}

async fn set_trusted(
    state: &AppState,
    caller: &CurrentSession,
    id: Uuid,
    trusted: bool,
) -> Result<Json<SessionBody>, ApiError> {
    let claims = &caller.0.claims;
    let view = state
        .service
        .set_trusted(
            claims.user_id,
            Some(claims.session_id),
            SessionId::from_uuid(id),
            trusted,
            &caller.caller(),
        )
        .await?;
    Ok(Json(view.into()))
}

/// Mark one of the caller's sessions as a trusted device.
#[utoipa::path(put, path = "/v1/sessions/{id}/trust", operation_id = "trust_session", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "Trusted", body = SessionBody),
        (status = 401, description = "`unauthorized`, `session_revoked`, `session_expired`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`session_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`session_inactive`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: id is not a UUID", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn trust(
    State(state): State<AppState>,
    caller: CurrentSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<SessionBody>, ApiError> {
    set_trusted(&state, &caller, id, true).await
}

/// Remove the trusted mark of one of the caller's sessions.
#[utoipa::path(delete, path = "/v1/sessions/{id}/trust", operation_id = "untrust_session", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "Untrusted", body = SessionBody),
        (status = 401, description = "`unauthorized`, `session_revoked`, `session_expired`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`session_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`session_inactive`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: id is not a UUID", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn untrust(
    State(state): State<AppState>,
    caller: CurrentSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<SessionBody>, ApiError> {
    set_trusted(&state, &caller, id, false).await
}
