//! An event of the audit trail on the wire: what happened, to which session and account,
//! who caused it and from where.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sessions_application::{event_data, use_cases::EventPage};
use sessions_domain::RecordedEvent;
use utoipa::ToSchema;
use uuid::Uuid;

use super::rfc3339;

/// Who caused an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorBody {
    /// `user`, `admin`, `service`, `system`, or `unrecorded` (recorded before events named
    /// their actor).
    #[serde(rename = "type")]
    pub actor_type: &'static str,
    /// For a user: the session they acted through (none for a failed sign-in).
    pub session_id: Option<Uuid>,
}

/// One event of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventBody {
    /// Position in the trail: later events have larger ids.
    pub id: i64,
    /// `session_created`, `session_revoked`, `ip_changed`, `suspicious_activity`,
    /// `provider_accessed`, `session_trusted`, `session_untrusted`, `refresh_token_reuse`,
    /// `refresh_replayed`, `login_failed`, `login_locked_out`, `password_changed`,
    /// `user_deleted`.
    #[serde(rename = "type")]
    pub event_type: &'static str,
    /// When it happened.
    #[serde(serialize_with = "rfc3339")]
    pub at: DateTime<Utc>,
    /// The session, for session events.
    pub session_id: Option<Uuid>,
    /// The account; none for a failed sign-in to an address that names no account.
    pub user_id: Option<Uuid>,
    /// Who caused it.
    pub actor: ActorBody,
    /// The incident response an administrator's revocation belonged to.
    pub incident_id: Option<Uuid>,
    /// The client address of the request that caused it.
    pub ip: Option<String>,
    /// That request's user agent.
    pub user_agent: Option<String>,
    /// The device that user agent describes, e.g. "Chrome 120 on macOS".
    pub device: Option<String>,
    /// Where the address is, "City, CC" or "CC".
    pub location: Option<String>,
    /// The event's own fields, e.g. `{"reason": "logout"}`.
    #[schema(value_type = Object)]
    pub data: Value,
}

impl From<RecordedEvent> for EventBody {
    fn from(event: RecordedEvent) -> Self {
        let origin = event.cause.origin;
        Self {
            id: event.sequence,
            event_type: event.kind.type_name(),
            at: event.at,
            session_id: event.session_id.map(|id| id.as_uuid()),
            user_id: event.user_id.map(|id| id.as_uuid()),
            actor: ActorBody {
                actor_type: event.cause.actor.kind_name(),
                session_id: event.cause.actor.session_id().map(|id| id.as_uuid()),
            },
            incident_id: event.cause.incident.map(|id| id.as_uuid()),
            ip: origin.as_ref().map(|origin| origin.ip.to_string()),
            user_agent: origin
                .as_ref()
                .and_then(|origin| origin.user_agent.as_ref())
                .map(|agent| agent.as_str().to_owned()),
            device: origin
                .as_ref()
                .and_then(|origin| origin.device.as_ref())
                .map(|device| device.as_str().to_owned()),
            location: origin
                .as_ref()
                .and_then(|origin| origin.location.as_ref())
                .map(ToString::to_string),
            data: event_data::audit_to_data(&event.kind),
        }
    }
}

/// One page of events.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPageBody {
    /// The events, in the route's order.
    pub events: Vec<EventBody>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl From<EventPage> for EventPageBody {
    fn from(page: EventPage) -> Self {
        Self {
            events: page.events.into_iter().map(EventBody::from).collect(),
            next_cursor: page.next.map(|cursor| cursor.to_string()),
        }
    }
}
