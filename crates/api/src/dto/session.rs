//! The Session JSON: every field of the aggregate but `refresh_token_id`, plus `is_current`
//! and `is_active`. Nullable fields are present as `null`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sessions_application::{SessionPage, SessionView};
use sessions_domain::ProviderSlug;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{optional_rfc3339, rfc3339};

/// A session as clients see it.
#[allow(clippy::struct_excessive_bools)] // the wire format of SPEC §4
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionBody {
    /// Session id (UUID v7).
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// Sign-in time.
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Last change.
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: DateTime<Utc>,
    /// Human form of the device, e.g. "Chrome on macOS".
    #[schema(example = "Chrome on macOS")]
    pub device_info: Option<String>,
    /// First 512 characters of the `User-Agent` header.
    pub user_agent: Option<String>,
    /// Client address at sign-in.
    #[schema(example = "203.0.113.7")]
    pub ip_address: String,
    /// "City, CC", "CC", or null.
    #[schema(example = "New York, US")]
    pub location: Option<String>,
    /// Last recorded activity (written at most once a minute).
    #[serde(serialize_with = "rfc3339")]
    pub last_activity_at: DateTime<Utc>,
    /// Absolute end of the session.
    #[serde(serialize_with = "rfc3339")]
    pub expires_at: DateTime<Utc>,
    /// Whether the session was revoked.
    pub is_revoked: bool,
    /// When it was revoked.
    #[serde(serialize_with = "optional_rfc3339")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why: `logout`, `logout_all`, `user_revoked`, `password_changed`,
    /// `suspicious_activity`, `refresh_token_reuse`, `session_limit`, `admin`.
    pub revoked_reason: Option<String>,
    /// Whether the owner marked this device trusted.
    pub is_trusted: bool,
    /// Most recent client address.
    pub last_ip_address: Option<String>,
    /// Suspicious requests seen.
    pub suspicious_activity_count: u32,
    /// Most recently accessed provider.
    pub last_provider_accessed: Option<String>,
    /// When a provider was last accessed.
    #[serde(serialize_with = "optional_rfc3339")]
    pub last_provider_sync_at: Option<DateTime<Utc>>,
    /// Distinct providers accessed, first access first.
    pub providers_accessed: Vec<String>,
    /// Whether this is the session of the request's access token.
    pub is_current: bool,
    /// Whether the session is usable now.
    pub is_active: bool,
}

impl From<SessionView> for SessionBody {
    fn from(view: SessionView) -> Self {
        let state = view.session.state();
        Self {
            id: state.id.as_uuid(),
            user_id: state.user_id.as_uuid(),
            created_at: state.created_at,
            updated_at: state.updated_at,
            device_info: state.device_info.as_ref().map(ToString::to_string),
            user_agent: state
                .user_agent
                .as_ref()
                .map(|agent| agent.as_str().to_owned()),
            ip_address: state.ip_address.to_string(),
            location: state.location.as_ref().map(ToString::to_string),
            last_activity_at: state.last_activity_at,
            expires_at: state.expires_at,
            is_revoked: state.revocation.is_some(),
            revoked_at: state.revocation.map(|revocation| revocation.at),
            revoked_reason: state
                .revocation
                .map(|revocation| revocation.reason.as_str().to_owned()),
            is_trusted: state.is_trusted,
            last_ip_address: state.last_ip_address.map(|ip| ip.to_string()),
            suspicious_activity_count: state.suspicious_activity_count,
            last_provider_accessed: state
                .last_provider_accessed
                .as_ref()
                .map(|provider| provider.as_str().to_owned()),
            last_provider_sync_at: state.last_provider_sync_at,
            providers_accessed: state
                .providers_accessed
                .iter()
                .map(ProviderSlug::as_str)
                .map(str::to_owned)
                .collect(),
            is_current: view.is_current,
            is_active: view.is_active,
        }
    }
}

/// One page of sessions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionPageBody {
    /// Sessions, newest first.
    pub sessions: Vec<SessionBody>,
    /// Opaque cursor of the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl From<SessionPage> for SessionPageBody {
    fn from(page: SessionPage) -> Self {
        Self {
            sessions: page.sessions.into_iter().map(SessionBody::from).collect(),
            next_cursor: page.next_cursor.map(|cursor| cursor.encode()),
        }
    }
}
