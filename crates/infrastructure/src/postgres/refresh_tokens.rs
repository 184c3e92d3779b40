//! Refresh tokens in Postgres, and their atomic rotation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;
use sessions_application::ports::{RefreshRotation, RefreshTokenStore, StoreError, WriteError};
use sessions_domain::{RefreshToken, RefreshTokenId, Session, TokenHash};
use sqlx::PgPool;
use uuid::Uuid;

use super::{PostgresStore, session_row::SessionRow};
use crate::rotation_batch::{RotationRequest, UsedBy};
use crate::{
    CorruptRow,
    batcher::{BATCH_SIZE, BATCH_SLOTS, Batcher, keyed_reads},
    statements::tokens_with_sessions,
};

/// The lookup of presented refresh tokens with their sessions, for a batch of hashes (see
/// [`token_reads`]).
const FIND_TOKENS_WITH_SESSIONS: &str = tokens_with_sessions!("token_hash = ANY($1)");

/// A `refresh_tokens` row joined with its session's row.
#[derive(Clone, sqlx::FromRow)]
pub(super) struct TokenWithSessionRow {
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

/// Batched reads of refresh tokens (with their sessions) by hash on `pool`. Planned for each
/// batch (not prepared once): `refresh_tokens` grows by one row per refresh, and a plan
/// cached while the table was small (a sequential scan) would be kept long after it is not.
pub(super) fn token_reads(pool: PgPool) -> Batcher<[u8; 32], Option<TokenWithSessionRow>> {
    keyed_reads(BATCH_SLOTS, BATCH_SIZE, move |hashes: Vec<[u8; 32]>| {
        let pool = pool.clone();
        async move {
            let hashes: Vec<&[u8]> = hashes.iter().map(<[u8; 32]>::as_slice).collect();
            let rows: Vec<TokenWithSessionRow> = sqlx::query_as(FIND_TOKENS_WITH_SESSIONS)
                .bind(hashes)
                .persistent(false)
                .fetch_all(&pool)
                .await
                .map_err(StoreError::new)?;
            // A stored hash that is not 32 bytes matches no presented one; it is never
            // answered (the read finds nothing), exactly as an equality lookup would.
            Ok(rows
                .into_iter()
                .filter_map(|row| Some((row.token_hash.as_slice().try_into().ok()?, row)))
                .collect())
        }
    })
}

#[async_trait]
impl RefreshTokenStore for PostgresStore {
    #[tracing::instrument(skip_all)]
    async fn find_with_session(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<(RefreshToken, Session)>, StoreError> {
        let row = self.tokens_by_hash.run(*hash.as_bytes()).await?;
        Ok(row.map(TryFrom::try_from).transpose()?)
    }

    #[tracing::instrument(skip_all, fields(session_id = %rotation.session.id()))]
    async fn rotate(&self, rotation: &RefreshRotation) -> Result<(), WriteError> {
        // Written together with whatever other rotations are queued (see `rotations`).
        if self.rotations.run(RotationRequest::from(rotation)).await? {
            Ok(())
        } else {
            Err(WriteError::Conflict)
        }
    }
}
