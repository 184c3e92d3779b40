//! The SQLite row of `sessions` and its mapping to the domain's Session.

use sessions_domain::Session;

use super::encoding::{corrupt, ip, time, uuid};
use crate::{CorruptRow, session_record::SessionRecord};

/// A `sessions` row as SQLite returns it (columns in `SESSION_COLUMNS` order).
#[derive(Clone, sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: String,
    user_id: String,
    created_at: i64,
    updated_at: i64,
    device_info: Option<String>,
    user_agent: Option<String>,
    ip_address: String,
    location: Option<String>,
    last_activity_at: i64,
    expires_at: i64,
    is_revoked: bool,
    revoked_at: Option<i64>,
    revoked_reason: Option<String>,
    is_trusted: bool,
    refresh_token_id: Option<String>,
    last_ip_address: Option<String>,
    suspicious_activity_count: i64,
    last_provider_accessed: Option<String>,
    last_provider_sync_at: Option<i64>,
    providers_accessed: String,
    version: i64,
}

impl SessionRow {
    /// The session's id as stored.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

impl TryFrom<SessionRow> for Session {
    type Error = CorruptRow;

    fn try_from(row: SessionRow) -> Result<Self, CorruptRow> {
        const TABLE: &str = "sessions";
        let at = |micros| time(TABLE, micros);
        SessionRecord {
            id: uuid(TABLE, &row.id)?,
            user_id: uuid(TABLE, &row.user_id)?,
            created_at: at(row.created_at)?,
            updated_at: at(row.updated_at)?,
            device_info: row.device_info,
            user_agent: row.user_agent,
            ip_address: ip(&row.ip_address)?,
            location: row.location,
            last_activity_at: at(row.last_activity_at)?,
            expires_at: at(row.expires_at)?,
            is_revoked: row.is_revoked,
            revoked_at: row.revoked_at.map(at).transpose()?,
            revoked_reason: row.revoked_reason,
            is_trusted: row.is_trusted,
            refresh_token_id: row
                .refresh_token_id
                .as_deref()
                .map(|id| uuid(TABLE, id))
                .transpose()?,
            last_ip_address: row.last_ip_address.as_deref().map(ip).transpose()?,
            suspicious_activity_count: row.suspicious_activity_count,
            last_provider_accessed: row.last_provider_accessed,
            last_provider_sync_at: row.last_provider_sync_at.map(at).transpose()?,
            providers_accessed: serde_json::from_str(&row.providers_accessed)
                .map_err(|error| corrupt(TABLE, format!("providers_accessed: {error}")))?,
            version: row.version,
        }
        .into_session()
    }
}
