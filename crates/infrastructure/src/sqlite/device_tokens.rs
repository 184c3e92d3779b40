//! Device tokens in SQLite: the lookup by hash, the write a login makes inside its session's
//! start, and the expiry.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_application::ports::{DeviceTokenStore, StoreError};
use sessions_domain::{DeviceToken, DeviceTokenId, TokenHash, UserId};
use sqlx::SqliteConnection;

use super::{
    SqliteStore,
    encoding::{corrupt, micros, time, uuid},
};
use crate::CorruptRow;

const TABLE: &str = "device_tokens";

#[derive(sqlx::FromRow)]
struct DeviceTokenRow {
    id: String,
    user_id: String,
    token_hash: Vec<u8>,
    created_at: i64,
    last_used_at: i64,
    expires_at: i64,
}

impl TryFrom<DeviceTokenRow> for DeviceToken {
    type Error = CorruptRow;

    fn try_from(row: DeviceTokenRow) -> Result<Self, CorruptRow> {
        let hash: [u8; 32] = row
            .token_hash
            .try_into()
            .map_err(|_| corrupt(TABLE, "token_hash is not 32 bytes"))?;
        Ok(Self {
            id: DeviceTokenId::from_uuid(uuid(TABLE, &row.id)?),
            user_id: UserId::from_uuid(uuid(TABLE, &row.user_id)?),
            hash: TokenHash::from_bytes(hash),
            created_at: time(TABLE, row.created_at)?,
            last_used_at: time(TABLE, row.last_used_at)?,
            expires_at: time(TABLE, row.expires_at)?,
        })
    }
}

/// Writes `token`: inserted, or, renewed, replacing the value and lifetime of the stored
/// token with its id (of the same user only).
pub(super) async fn write_device_token(
    connection: &mut SqliteConnection,
    token: &DeviceToken,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        r#"
        INSERT INTO device_tokens
            (id, user_id, token_hash, created_at, last_used_at, expires_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        ON CONFLICT (id) DO UPDATE SET
            token_hash = excluded.token_hash,
            last_used_at = excluded.last_used_at,
            expires_at = excluded.expires_at
        WHERE user_id = excluded.user_id
        "#,
    )
    .bind(token.id.as_uuid().to_string())
    .bind(token.user_id.as_uuid().to_string())
    .bind(token.hash.as_bytes().as_slice())
    .bind(micros(token.created_at))
    .bind(micros(token.last_used_at))
    .bind(micros(token.expires_at))
    .execute(connection)
    .await
    .map(drop)
}

#[async_trait]
impl DeviceTokenStore for SqliteStore {
    #[tracing::instrument(skip_all)]
    async fn find_device_token(&self, hash: &TokenHash) -> Result<Option<DeviceToken>, StoreError> {
        let row: Option<DeviceTokenRow> = sqlx::query_as(
            "SELECT id, user_id, token_hash, created_at, last_used_at, expires_at \
             FROM device_tokens WHERE token_hash = ?1",
        )
        .bind(hash.as_bytes().as_slice())
        .fetch_optional(self.readers())
        .await
        .map_err(StoreError::new)?;
        Ok(row.map(DeviceToken::try_from).transpose()?)
    }

    #[tracing::instrument(skip_all)]
    async fn delete_expired_device_tokens(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "DELETE FROM device_tokens WHERE id IN (\
             SELECT id FROM device_tokens WHERE expires_at < ?1 LIMIT ?2)",
        )
        .bind(micros(before))
        .bind(i64::from(limit))
        .execute(self.writer())
        .await
        .map_err(StoreError::new)?;
        Ok(result.rows_affected())
    }
}
