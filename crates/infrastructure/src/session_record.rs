//! A `sessions` row in driver-neutral types (`SessionRecord`), and its one mapping to and from
//! the domain's Session. Each storage adapter converts its own row type into this.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sessions_domain::{
    DeviceInfo, Location, ProviderSet, ProviderSlug, RefreshTokenId, Revocation, RevocationReason,
    Session, SessionId, SessionState, UserAgent, UserId,
};
use uuid::Uuid;

use crate::CorruptRow;

/// The columns every adapter selects, in this order; a macro so that statements can be
/// assembled at compile time with `concat!`.
macro_rules! session_columns {
    () => {
        "id, user_id, created_at, updated_at, device_info, user_agent, ip_address, location, \
         last_activity_at, expires_at, is_revoked, revoked_at, revoked_reason, is_trusted, \
         refresh_token_id, last_ip_address, suspicious_activity_count, \
         last_provider_accessed, last_provider_sync_at, providers_accessed, version"
    };
}
pub(crate) use session_columns;

/// [`session_columns!`] as a constant, for statements assembled at run time.
pub(crate) const SESSION_COLUMNS: &str = session_columns!();

/// One `sessions` row.
#[derive(Debug)]
pub(crate) struct SessionRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub device_info: Option<String>,
    pub user_agent: Option<String>,
    pub ip_address: IpAddr,
    pub location: Option<String>,
    pub last_activity_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub is_revoked: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub is_trusted: bool,
    pub refresh_token_id: Option<Uuid>,
    pub last_ip_address: Option<IpAddr>,
    pub suspicious_activity_count: i64,
    pub last_provider_accessed: Option<String>,
    pub last_provider_sync_at: Option<DateTime<Utc>>,
    pub providers_accessed: Vec<String>,
    pub version: i64,
}

fn corrupt(detail: impl Into<String>) -> CorruptRow {
    CorruptRow {
        table: "sessions",
        detail: detail.into(),
    }
}

fn slug(raw: &str) -> Result<ProviderSlug, CorruptRow> {
    ProviderSlug::parse(raw).map_err(|_| corrupt(format!("provider {raw:?}")))
}

impl SessionRecord {
    /// The domain session this row stores.
    pub fn into_session(self) -> Result<Session, CorruptRow> {
        let revocation = match (self.is_revoked, self.revoked_at, self.revoked_reason) {
            (true, Some(at), Some(reason)) => Some(Revocation {
                at,
                reason: reason
                    .parse::<RevocationReason>()
                    .map_err(|error| corrupt(error.to_string()))?,
            }),
            (false, None, None) => None,
            _ => return Err(corrupt("revocation fields not set together")),
        };
        let location = match self.location {
            Some(text) => Some(
                Location::parse_display(&text)
                    .ok_or_else(|| corrupt(format!("location {text:?}")))?,
            ),
            None => None,
        };
        let providers = self
            .providers_accessed
            .iter()
            .map(|raw| slug(raw))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Session::restore(SessionState {
            id: SessionId::from_uuid(self.id),
            user_id: UserId::from_uuid(self.user_id),
            created_at: self.created_at,
            updated_at: self.updated_at,
            device_info: self.device_info.map(DeviceInfo::new),
            user_agent: self.user_agent.as_deref().and_then(UserAgent::from_header),
            ip_address: self.ip_address,
            location,
            last_activity_at: self.last_activity_at,
            expires_at: self.expires_at,
            revocation,
            is_trusted: self.is_trusted,
            refresh_token_id: self.refresh_token_id.map(RefreshTokenId::from_uuid),
            last_ip_address: self.last_ip_address,
            suspicious_activity_count: u32::try_from(self.suspicious_activity_count)
                .map_err(|_| corrupt("negative suspicious_activity_count"))?,
            last_provider_accessed: self
                .last_provider_accessed
                .as_deref()
                .map(slug)
                .transpose()?,
            last_provider_sync_at: self.last_provider_sync_at,
            providers_accessed: ProviderSet::from_slugs(providers),
            version: self.version,
        }))
    }

    /// The row that stores `session`.
    pub fn from_session(session: &Session) -> Self {
        let state = session.state();
        Self {
            id: state.id.as_uuid(),
            user_id: state.user_id.as_uuid(),
            created_at: state.created_at,
            updated_at: state.updated_at,
            device_info: state.device_info.as_ref().map(|d| d.as_str().to_owned()),
            user_agent: state.user_agent.as_ref().map(|a| a.as_str().to_owned()),
            ip_address: state.ip_address,
            location: state.location.as_ref().map(ToString::to_string),
            last_activity_at: state.last_activity_at,
            expires_at: state.expires_at,
            is_revoked: state.revocation.is_some(),
            revoked_at: state.revocation.map(|r| r.at),
            revoked_reason: state.revocation.map(|r| r.reason.as_str().to_owned()),
            is_trusted: state.is_trusted,
            refresh_token_id: state.refresh_token_id.map(|id| id.as_uuid()),
            last_ip_address: state.last_ip_address,
            suspicious_activity_count: i64::from(state.suspicious_activity_count),
            last_provider_accessed: state
                .last_provider_accessed
                .as_ref()
                .map(|p| p.as_str().to_owned()),
            last_provider_sync_at: state.last_provider_sync_at,
            providers_accessed: state
                .providers_accessed
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            version: state.version,
        }
    }
}
