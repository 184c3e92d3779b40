//! Refresh tokens in Postgres, and their atomic rotation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;
use sessions_application::ports::{RefreshRotation, RefreshTokenStore, StoreError, WriteError};
use sessions_domain::{RefreshToken, RefreshTokenId, Session, TokenHash};
use uuid::Uuid;

use super::{PostgresStore, session_row::SessionRow};
use crate::{
    CorruptRow,
    rotation::{RotationRequest, UsedBy},
    tokens_with_sessions::tokens_with_sessions,
};

/// The lookup of a presented refresh token (`$1`, its hash) with its session.
const FIND_TOKEN_WITH_SESSION: &str = tokens_with_sessions!("token_hash = $1");

/// A `refresh_tokens` row joined with its session's row.
#[derive(Clone, sqlx::FromRow)]
pub(crate) struct TokenWithSessionRow {
    token_id: Uuid,
    token_hash: Vec<u8>,
    token_issued_at: DateTime<Utc>,
    token_used_at: Option<DateTime<Utc>>,
    token_successor_id: Option<Uuid>,
    token_used_by_ip: Option<IpNetwork>,
    token_used_by_browser: Option<String>,
    token_used_by_os: Option<String>,
    #[sqlx(flatten)]
    session: SessionRow,
}

impl TryFrom<TokenWithSessionRow> for (RefreshToken, Session) {
    type Error = CorruptRow;

    fn try_from(row: TokenWithSessionRow) -> Result<Self, CorruptRow> {
        let hash: [u8; 32] = row.token_hash.try_into().map_err(|_| CorruptRow {
            table: "refresh_tokens",
            detail: "token_hash is not 32 bytes".into(),
        })?;
        let session = Session::try_from(row.session)?;
        let token = RefreshToken {
            id: RefreshTokenId::from_uuid(row.token_id),
            session_id: session.id(),
            hash: TokenHash::from_bytes(hash),
            issued_at: row.token_issued_at,
            used_at: row.token_used_at,
            successor_id: row.token_successor_id.map(RefreshTokenId::from_uuid),
            used_by: UsedBy {
                ip: row.token_used_by_ip.map(|network| network.ip()),
                browser: row.token_used_by_browser,
                os: row.token_used_by_os,
            }
            .client(),
        };
        Ok((token, session))
    }
}

impl TokenWithSessionRow {
    /// The stored hash of the token.
    pub(crate) fn token_hash(&self) -> &[u8] {
        &self.token_hash
    }
}

/// One rotation, in the transaction `tx` (see `RotationRequest`): the session moves to the
/// successor only if its version is the one read and the presented token is still unused
/// (the session's row lock, held until commit, serialises rotations of one chain); then the
/// token is marked used and the successor inserted. Whether it happened.
async fn rotate_one(
    tx: &mut sqlx::PgConnection,
    request: &RotationRequest,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query(
        r#"
        UPDATE sessions SET
            refresh_token_id = $3, last_activity_at = $4, updated_at = $5,
            version = version + 1
        WHERE id = $1 AND version = $2
          AND EXISTS (SELECT 1 FROM refresh_tokens WHERE id = $6 AND used_at IS NULL)
        "#,
    )
    .bind(request.session_id)
    .bind(request.version)
    .bind(request.successor_id())
    .bind(request.last_activity_at)
    .bind(request.updated_at)
    .bind(request.used_id)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        r#"
        UPDATE refresh_tokens SET
            used_at = $2, successor_id = $3,
            used_by_ip = $4, used_by_browser = $5, used_by_os = $6
        WHERE id = $1 AND used_at IS NULL
        "#,
    )
    .bind(request.used_id)
    .bind(request.used_at)
    .bind(request.successor_id())
    .bind(request.used_by.ip.map(IpNetwork::from))
    .bind(request.used_by.browser.as_deref())
    .bind(request.used_by.os.as_deref())
    .execute(&mut *tx)
    .await?;
    let successor = &request.successor;
    sqlx::query(
        "INSERT INTO refresh_tokens (id, session_id, token_hash, issued_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(successor.id.as_uuid())
    .bind(successor.session_id.as_uuid())
    .bind(successor.hash.as_bytes().as_slice())
    .bind(successor.issued_at)
    .execute(&mut *tx)
    .await?;
    Ok(true)
}

#[async_trait]
impl RefreshTokenStore for PostgresStore {
    #[tracing::instrument(skip_all)]
    async fn find_with_session(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<(RefreshToken, Session)>, StoreError> {
        let row: Option<TokenWithSessionRow> = match &self.batches {
            None => sqlx::query_as(FIND_TOKEN_WITH_SESSION)
                .bind(hash.as_bytes().as_slice())
                .persistent(false)
                .fetch_optional(self.pool())
                .await
                .map_err(StoreError::new)?,
            Some(batches) => batches.token(*hash.as_bytes()).await?,
        };
        Ok(row.map(TryFrom::try_from).transpose()?)
    }

    #[tracing::instrument(skip_all, fields(session_id = %rotation.session.id()))]
    async fn rotate(&self, rotation: &RefreshRotation) -> Result<(), WriteError> {
        let request = RotationRequest::from(rotation);
        let rotated = match &self.batches {
            None => {
                let mut tx = self.pool().begin().await.map_err(StoreError::new)?;
                let rotated = rotate_one(&mut tx, &request)
                    .await
                    .map_err(StoreError::new)?;
                tx.commit().await.map_err(StoreError::new)?;
                rotated
            }
            Some(batches) => batches.rotate(request).await?,
        };
        if rotated {
            Ok(())
        } else {
            Err(WriteError::Conflict)
        }
    }
}
