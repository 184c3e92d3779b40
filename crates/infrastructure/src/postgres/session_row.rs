//! The Postgres row of `sessions` (INET and TEXT[] columns) and its binding in writes.

use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;
use sessions_domain::Session;
use uuid::Uuid;

use crate::{CorruptRow, session_record::SessionRecord};

/// A `sessions` row as Postgres returns it.
#[derive(Clone, sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: Uuid,
    user_id: Uuid,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    device_info: Option<String>,
    user_agent: Option<String>,
    ip_address: IpNetwork,
    location: Option<String>,
    last_activity_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    is_revoked: bool,
    revoked_at: Option<DateTime<Utc>>,
    revoked_reason: Option<String>,
    is_trusted: bool,
    refresh_token_id: Option<Uuid>,
    last_ip_address: Option<IpNetwork>,
    suspicious_activity_count: i32,
    last_provider_accessed: Option<String>,
    last_provider_sync_at: Option<DateTime<Utc>>,
    providers_accessed: Vec<String>,
    version: i64,
}

impl SessionRow {
    /// The session's id.
    pub(crate) fn id(&self) -> Uuid {
        self.id
    }
}

impl TryFrom<SessionRow> for Session {
    type Error = CorruptRow;

    fn try_from(row: SessionRow) -> Result<Self, CorruptRow> {
        SessionRecord {
            id: row.id,
            user_id: row.user_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
            device_info: row.device_info,
            user_agent: row.user_agent,
            ip_address: row.ip_address.ip(),
            location: row.location,
            last_activity_at: row.last_activity_at,
            expires_at: row.expires_at,
            is_revoked: row.is_revoked,
            revoked_at: row.revoked_at,
            revoked_reason: row.revoked_reason,
            is_trusted: row.is_trusted,
            refresh_token_id: row.refresh_token_id,
            last_ip_address: row.last_ip_address.map(|network| network.ip()),
            suspicious_activity_count: i64::from(row.suspicious_activity_count),
            last_provider_accessed: row.last_provider_accessed,
            last_provider_sync_at: row.last_provider_sync_at,
            providers_accessed: row.providers_accessed,
            version: row.version,
        }
        .into_session()
    }
}

/// Suspicious counts are `u32` in the domain and `INTEGER` here; saturate rather than fail.
pub(super) fn count_column(count: i64) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}
