//! The audit trail of one of the caller's sessions.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sessions_application::event_data;
use sessions_domain::{SessionEvent, SessionId};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    dto::rfc3339,
    extract::{ApiPath, CurrentSession},
    problem::{ApiError, ProblemBody},
    state::AppState,
};

/// One event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventBody {
    /// `session_created`, `session_revoked`, `ip_changed`, `suspicious_activity`,
    /// `provider_accessed`, `session_trusted`, `session_untrusted`, `refresh_token_reuse`.
    #[serde(rename = "type")]
    pub event_type: &'static str,
    /// When it happened.
    #[serde(serialize_with = "rfc3339")]
    pub at: DateTime<Utc>,
    /// The event's fields, e.g. `{"reason": "logout"}`.
    #[schema(value_type = Object)]
    pub data: Value,
}

impl From<SessionEvent> for EventBody {
    fn from(event: SessionEvent) -> Self {
        Self {
            event_type: event.kind.type_name(),
            at: event.at,
            data: event_data::to_data(&event.kind),
        }
    }
}

/// The events of a session.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventsBody {
    /// Oldest first.
    pub events: Vec<EventBody>,
}

/// The audit trail of one of the caller's sessions, oldest first.
#[utoipa::path(get, path = "/v1/sessions/{id}/events", operation_id = "list_session_events", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, description = "The events", body = EventsBody),
        (status = 401, description = "`unauthorized`, `session_revoked`, `session_expired`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`session_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: id is not a UUID", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    CurrentSession(caller): CurrentSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<EventsBody>, ApiError> {
    let events = state
        .service
        .list_events(caller.claims.user_id, SessionId::from_uuid(id))
        .await?;
    Ok(Json(EventsBody {
        events: events.into_iter().map(EventBody::from).collect(),
    }))
}
