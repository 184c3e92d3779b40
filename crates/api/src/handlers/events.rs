//! A user's audit trail: their own security activity, and the events of one of their
//! sessions, a page at a time.

use axum::{Json, extract::State};
use serde::Deserialize;
use sessions_application::use_cases::{EventCursor, EventLimit, EventPaging};
use sessions_domain::SessionId;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::{
    dto::EventPageBody,
    extract::{ApiPath, ApiQuery, CurrentSession},
    problem::{ApiError, ProblemBody},
    state::AppState,
};

/// Paging of event lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventPagingQuery {
    /// Page size, 1–500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = r"^[0-9]{1,18}$")]
    pub cursor: Option<String>,
}

impl EventPagingQuery {
    /// The page this query asks for.
    pub fn into_paging(self) -> Result<EventPaging, ApiError> {
        paging(self.limit, self.cursor)
    }
}

/// The page that `limit` and `cursor` ask for.
pub fn paging(limit: Option<u32>, cursor: Option<String>) -> Result<EventPaging, ApiError> {
    Ok(EventPaging {
        after: cursor
            .map(|cursor| EventCursor::parse(&cursor))
            .transpose()
            .map_err(|error| ApiError::invalid(format!("cursor: {error}")))?,
        limit: limit
            .map(EventLimit::new)
            .transpose()
            .map_err(|error| ApiError::invalid(format!("limit: {error}")))?
            .unwrap_or_default(),
    })
}

/// The audit trail of one of the caller's sessions, oldest first.
#[utoipa::path(get, path = "/v1/sessions/{id}/events", operation_id = "list_session_events", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id"), EventPagingQuery),
    responses(
        (status = 200, description = "One page of the session's events, oldest first", body = EventPageBody),
        (status = 401, description = "`unauthorized`, `session_revoked`, `session_expired`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`session_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: id is not a UUID, bad `limit` or `cursor`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    CurrentSession(caller, _): CurrentSession,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<EventPagingQuery>,
) -> Result<Json<EventPageBody>, ApiError> {
    let page = state
        .service
        .list_events(
            caller.claims.user_id,
            SessionId::from_uuid(id),
            query.into_paging()?,
        )
        .await?;
    Ok(Json(page.into()))
}

/// The caller's own security activity, newest first: sign-ins with their device, address
/// and location, failed sign-ins to their account, password changes, revocations and the
/// rest of what happened to their sessions.
#[utoipa::path(get, path = "/v1/users/me/events", operation_id = "list_my_events", tag = "users", security(("bearer" = [])),
    params(EventPagingQuery),
    responses(
        (status = 200, description = "One page of the caller's events, newest first", body = EventPageBody),
        (status = 401, description = "`unauthorized`, `session_revoked`, `session_expired`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: bad `limit` or `cursor`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn mine(
    State(state): State<AppState>,
    CurrentSession(caller, _): CurrentSession,
    ApiQuery(query): ApiQuery<EventPagingQuery>,
) -> Result<Json<EventPageBody>, ApiError> {
    let page = state
        .service
        .list_user_events(caller.claims.user_id, query.into_paging()?)
        .await?;
    Ok(Json(page.into()))
}
