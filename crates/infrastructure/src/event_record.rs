//! A `session_events` row in driver-neutral types, and its one mapping to and from the
//! domain's events. Each storage adapter converts its own row type into this.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sessions_application::event_data;
use sessions_domain::{
    AccountEvent, Actor, Cause, DeviceInfo, IncidentId, Location, Origin, RecordedEvent,
    SessionEvent, SessionId, UserAgent, UserId,
};
use uuid::Uuid;

use crate::CorruptRow;

/// The columns of a cause, in the order every adapter writes and reads them.
macro_rules! cause_columns {
    () => {
        "actor, actor_session_id, incident_id, ip, user_agent, device, location"
    };
}
pub(crate) use cause_columns;

/// The columns of an event's cause.
#[derive(Clone, Debug)]
pub(crate) struct CauseRecord {
    pub actor: &'static str,
    pub actor_session_id: Option<Uuid>,
    pub incident_id: Option<Uuid>,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub device: Option<String>,
    pub location: Option<String>,
}

impl CauseRecord {
    pub(crate) fn of(cause: &Cause) -> Self {
        let origin = cause.origin.as_ref();
        Self {
            actor: cause.actor.kind_name(),
            actor_session_id: cause.actor.session_id().map(|id| id.as_uuid()),
            incident_id: cause.incident.map(|id| id.as_uuid()),
            ip: origin.map(|origin| origin.ip),
            user_agent: origin
                .and_then(|origin| origin.user_agent.as_ref())
                .map(|agent| agent.as_str().to_owned()),
            device: origin
                .and_then(|origin| origin.device.as_ref())
                .map(|device| device.as_str().to_owned()),
            location: origin
                .and_then(|origin| origin.location.as_ref())
                .map(ToString::to_string),
        }
    }
}

/// One event to append.
#[derive(Clone, Debug)]
pub(crate) struct EventRecord {
    pub session_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub event_type: &'static str,
    pub occurred_at: DateTime<Utc>,
    pub data: String,
    pub cause: CauseRecord,
}

impl EventRecord {
    pub(crate) fn of_session(event: &SessionEvent) -> Self {
        Self {
            session_id: Some(event.session_id.as_uuid()),
            user_id: Some(event.user_id.as_uuid()),
            event_type: event.kind.type_name(),
            occurred_at: event.at,
            data: event_data::to_data(&event.kind).to_string(),
            cause: CauseRecord::of(&event.cause),
        }
    }

    pub(crate) fn of_account(event: &AccountEvent) -> Self {
        Self {
            session_id: None,
            user_id: event.user_id.map(|id| id.as_uuid()),
            event_type: event.kind.type_name(),
            occurred_at: event.at,
            data: event_data::account_to_data(&event.kind).to_string(),
            cause: CauseRecord::of(&event.cause),
        }
    }
}

/// One stored event, read back.
#[derive(Debug)]
pub(crate) struct StoredEvent {
    pub id: i64,
    pub session_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    pub data: String,
    pub actor: String,
    pub actor_session_id: Option<Uuid>,
    pub incident_id: Option<Uuid>,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub device: Option<String>,
    pub location: Option<String>,
}

fn corrupt(detail: impl Into<String>) -> CorruptRow {
    CorruptRow {
        table: "session_events",
        detail: detail.into(),
    }
}

impl TryFrom<StoredEvent> for RecordedEvent {
    type Error = CorruptRow;

    fn try_from(row: StoredEvent) -> Result<Self, CorruptRow> {
        let data = serde_json::from_str(&row.data).map_err(|error| corrupt(error.to_string()))?;
        let kind = event_data::audit_from_data(&row.event_type, &data)
            .map_err(|error| corrupt(error.to_string()))?;
        let actor = Actor::from_parts(&row.actor, row.actor_session_id.map(SessionId::from_uuid))
            .ok_or_else(|| corrupt(format!("unknown actor {:?}", row.actor)))?;
        let origin = row.ip.map(|ip| Origin {
            ip,
            user_agent: row.user_agent.as_deref().and_then(UserAgent::from_header),
            device: row.device.map(DeviceInfo::new),
            location: row.location.as_deref().and_then(Location::parse_display),
        });
        Ok(RecordedEvent {
            sequence: row.id,
            session_id: row.session_id.map(SessionId::from_uuid),
            user_id: row.user_id.map(UserId::from_uuid),
            at: row.occurred_at,
            cause: Cause {
                actor,
                origin,
                incident: row.incident_id.map(IncidentId::from_uuid),
            },
            kind,
        })
    }
}
