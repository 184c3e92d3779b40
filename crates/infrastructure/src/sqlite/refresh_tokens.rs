//! Refresh tokens in SQLite, and their atomic rotation.

use async_trait::async_trait;
use sessions_application::ports::{RefreshRotation, RefreshTokenStore, StoreError, WriteError};
use sessions_domain::{RefreshToken, RefreshTokenId, Session, TokenHash};
use sqlx::SqliteConnection;

use super::{
    SqliteStore,
    encoding::{corrupt, micros, time, uuid},
    session_row::SessionRow,
};
use crate::{
    CorruptRow,
    rotation::{RotationRequest, UsedBy},
    tokens_with_sessions::tokens_with_sessions,
};

/// The lookup of one presented refresh token (`$1`, its hash) and its session in one round
/// trip.
const FIND_TOKEN_WITH_SESSION: &str = tokens_with_sessions!("token_hash = $1");

/// A `refresh_tokens` row joined with its session's row.
#[derive(sqlx::FromRow)]
struct TokenWithSessionRow {
    token_id: String,
    token_hash: Vec<u8>,
    token_issued_at: i64,
    token_used_at: Option<i64>,
    token_successor_id: Option<String>,
    token_used_by_ip: Option<String>,
    token_used_by_browser: Option<String>,
    token_used_by_os: Option<String>,
    #[sqlx(flatten)]
    session: SessionRow,
}

impl TryFrom<TokenWithSessionRow> for (RefreshToken, Session) {
    type Error = CorruptRow;

    fn try_from(row: TokenWithSessionRow) -> Result<Self, CorruptRow> {
        const TABLE: &str = "refresh_tokens";
        let hash: [u8; 32] = row
            .token_hash
            .try_into()
            .map_err(|_| corrupt(TABLE, "token_hash is not 32 bytes"))?;
        let session = Session::try_from(row.session)?;
        let token = RefreshToken {
            id: RefreshTokenId::from_uuid(uuid(TABLE, &row.token_id)?),
            session_id: session.id(),
            hash: TokenHash::from_bytes(hash),
            issued_at: time(TABLE, row.token_issued_at)?,
            used_at: row.token_used_at.map(|at| time(TABLE, at)).transpose()?,
            successor_id: row
                .token_successor_id
                .as_deref()
                .map(|id| uuid(TABLE, id).map(RefreshTokenId::from_uuid))
                .transpose()?,
            used_by: UsedBy {
                ip: row
                    .token_used_by_ip
                    .map(|ip| {
                        ip.parse()
                            .map_err(|_| corrupt(TABLE, format!("used_by_ip {ip:?}")))
                    })
                    .transpose()?,
                browser: row.token_used_by_browser,
                os: row.token_used_by_os,
            }
            .client(),
        };
        Ok((token, session))
    }
}

/// Inserts a new (unused) token.
pub(super) async fn insert_token(
    connection: &mut SqliteConnection,
    token: &RefreshToken,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        r#"
        INSERT INTO refresh_tokens (id, session_id, token_hash, issued_at, used_at, successor_id)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        "#,
    )
    .bind(token.id.as_uuid().to_string())
    .bind(token.session_id.as_uuid().to_string())
    .bind(token.hash.as_bytes().as_slice())
    .bind(micros(token.issued_at))
    .bind(token.used_at.map(micros))
    .bind(token.successor_id.map(|id| id.as_uuid().to_string()))
    .execute(connection)
    .await?;
    Ok(())
}

/// One rotation: the session moves to the successor only if its version is the one read and
/// the presented token is still unused; then (no other writer can come in between) the token
/// is marked used and the successor inserted. Whether it happened.
pub(crate) async fn rotate_one(
    connection: &mut SqliteConnection,
    request: &RotationRequest,
) -> Result<bool, sqlx::Error> {
    let (session_id, successor_id, used_id) = (
        request.session_id.to_string(),
        request.successor_id().to_string(),
        request.used_id.to_string(),
    );
    let moved = sqlx::query(
        r#"
        UPDATE sessions SET
            refresh_token_id = ?3,
            last_activity_at = ?4,
            updated_at = ?5,
            version = version + 1
        WHERE id = ?1 AND version = ?2
          AND EXISTS (SELECT 1 FROM refresh_tokens WHERE id = ?6 AND used_at IS NULL)
        "#,
    )
    .bind(&session_id)
    .bind(request.version)
    .bind(&successor_id)
    .bind(micros(request.last_activity_at))
    .bind(micros(request.updated_at))
    .bind(&used_id)
    .execute(&mut *connection)
    .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE refresh_tokens SET used_at = ?2, successor_id = ?3, \
         used_by_ip = ?4, used_by_browser = ?5, used_by_os = ?6 WHERE id = ?1",
    )
    .bind(&used_id)
    .bind(request.used_at.map(micros))
    .bind(&successor_id)
    .bind(request.used_by.ip.map(|ip| ip.to_string()))
    .bind(request.used_by.browser.as_deref())
    .bind(request.used_by.os.as_deref())
    .execute(&mut *connection)
    .await?;
    insert_token(connection, &request.successor).await?;
    Ok(true)
}

#[async_trait]
impl RefreshTokenStore for SqliteStore {
    #[tracing::instrument(skip_all)]
    async fn find_with_session(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<(RefreshToken, Session)>, StoreError> {
        let row: Option<TokenWithSessionRow> = sqlx::query_as(FIND_TOKEN_WITH_SESSION)
            .bind(hash.as_bytes().as_slice())
            .fetch_optional(self.readers())
            .await
            .map_err(StoreError::new)?;
        Ok(row.map(TryFrom::try_from).transpose()?)
    }

    #[tracing::instrument(skip_all, fields(session_id = %rotation.session.id()))]
    async fn rotate(&self, rotation: &RefreshRotation) -> Result<(), WriteError> {
        let request = RotationRequest::from(rotation);
        let rotated = match &self.batches {
            None => {
                let mut tx = self.begin_write().await.map_err(StoreError::new)?;
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
