//! Sessions in Postgres: the atomic start under the session limit, versioned writes, the
//! keyset-paginated list, bulk revocation and batched cleanup.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;
use sessions_application::ports::{
    CleanupBatch, DeletedBatch, EndedBy, SessionQuery, SessionRepository, SessionStart,
    StartSessionError, StoreError, WriteError,
};
use sessions_domain::{
    EvictionCandidate, RevocationReason, Session, SessionEvent, SessionId, SessionLimit, UserId,
    choose_evictions,
};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::{
    PostgresStore,
    device_tokens::write_device_token,
    events::{EventColumns, insert_event_columns, insert_events},
    queries,
    session_row::{SessionRow, count_column},
    users::limit_from_column,
};
use crate::session_columns::{SessionColumns, session_columns};

/// The session every authenticated request reads (`$1` its id).
const FIND_SESSION: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM sessions WHERE id = $1"
);

/// Binds `$1`…`$6` of [`queries::session_page`].
fn bind_page<O>(
    query: sqlx::query::QueryAs<'_, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    user_id: UserId,
    page: SessionQuery,
) -> sqlx::query::QueryAs<'_, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    query
        .bind(user_id.as_uuid())
        .bind(i64::from(page.limit))
        .bind(page.active.map(|filter| filter.now))
        .bind(page.active.and_then(|filter| filter.idle_since))
        .bind(page.after.map(|cursor| cursor.created_at))
        .bind(page.after.map(|cursor| cursor.id.as_uuid()))
}

/// `SET` clause writing every mutable column of a session: `$1` id and `$2` the version
/// read are for the `WHERE`; `$3`…`$14` are bound by [`bind_session_update`].
const SESSION_UPDATE_SET: &str = "updated_at = $3, last_activity_at = $4, \
    is_revoked = $5, revoked_at = $6, revoked_reason = $7, is_trusted = $8, \
    refresh_token_id = $9, last_ip_address = $10, suspicious_activity_count = $11, \
    last_provider_accessed = $12, last_provider_sync_at = $13, providers_accessed = $14, \
    version = version + 1";

/// Binds `$1`…`$14` of a statement using [`SESSION_UPDATE_SET`].
fn bind_session_update<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    session: &Session,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    let row = SessionColumns::from_session(session);
    bind_mutable_columns(query.bind(row.id).bind(row.version), row)
}

/// Binds a session's mutable columns, in the order of [`SESSION_UPDATE_SET`]: `updated_at`,
/// `last_activity_at`, the revocation (`is_revoked`, `revoked_at`, `revoked_reason`),
/// `is_trusted`, `refresh_token_id`, `last_ip_address`, `suspicious_activity_count`, and the
/// provider columns (`last_provider_accessed`, `last_provider_sync_at`,
/// `providers_accessed`).
fn bind_mutable_columns(
    query: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
    row: SessionColumns,
) -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments> {
    query
        .bind(row.updated_at)
        .bind(row.last_activity_at)
        .bind(row.is_revoked)
        .bind(row.revoked_at)
        .bind(row.revoked_reason)
        .bind(row.is_trusted)
        .bind(row.refresh_token_id)
        .bind(row.last_ip_address.map(IpNetwork::from))
        .bind(count_column(row.suspicious_activity_count))
        .bind(row.last_provider_accessed)
        .bind(row.last_provider_sync_at)
        .bind(row.providers_accessed)
}

/// Writes every mutable column of `session` if its stored version is still the one it was
/// read with, advancing the version. Returns whether the row was written.
async fn update_session<'c>(
    executor: impl PgExecutor<'c>,
    session: &Session,
) -> Result<bool, sqlx::Error> {
    let sql = format!("UPDATE sessions SET {SESSION_UPDATE_SET} WHERE id = $1 AND version = $2");
    let result = bind_session_update(sqlx::query(&sql), session)
        .execute(executor)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// A session's start, writing the sessions table once: the sessions evicted to make room
/// (`$22`, an array, possibly empty) are revoked at `$23`, and the new session is inserted
/// (`$1`…`$21`, bound by [`bind_new_session`]). They are different rows, so one snapshot
/// serves both.
const EVICT_AND_INSERT_SESSION: &str = r#"
    WITH evicted AS (
        UPDATE sessions SET
            is_revoked = TRUE, revoked_at = $23, revoked_reason = 'session_limit',
            updated_at = $23, version = version + 1
        WHERE id = ANY($22) AND is_revoked = FALSE
    )
    INSERT INTO sessions (
        id, user_id, created_at, device_info, user_agent, ip_address, location, expires_at,
        version, updated_at, last_activity_at, is_revoked, revoked_at, revoked_reason,
        is_trusted, refresh_token_id, last_ip_address, suspicious_activity_count,
        last_provider_accessed, last_provider_sync_at, providers_accessed
    ) VALUES (
        $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
        $19, $20, $21
    )
"#;

/// What a session's start writes after the session: its refresh token (`$6`…`$11`) and the
/// events (`$1`…`$5`, [`EventColumns`]). A statement of its own because the references of
/// both to the session are checked against what earlier statements wrote.
const INSERT_TOKEN_AND_EVENTS: &str = concat!(
    "WITH token AS (INSERT INTO refresh_tokens ",
    "(id, session_id, token_hash, issued_at, used_at, successor_id) ",
    "VALUES ($6, $7, $8, $9, $10, $11)) ",
    insert_event_columns!()
);

/// Binds `$1`…`$21` of [`EVICT_AND_INSERT_SESSION`]: the columns set once, then the mutable
/// ones.
fn bind_new_session<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    session: &Session,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    let mut row = SessionColumns::from_session(session);
    let query = query
        .bind(row.id)
        .bind(row.user_id)
        .bind(row.created_at)
        .bind(row.device_info.take())
        .bind(row.user_agent.take())
        .bind(IpNetwork::from(row.ip_address))
        .bind(row.location.take())
        .bind(row.expires_at)
        .bind(row.version);
    bind_mutable_columns(query, row)
}

#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: Uuid,
    is_trusted: bool,
    last_activity_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// The sessions the limit rule picks to make room for `start.session`, read under the
/// user-row lock the caller holds.
async fn evictions_for(
    connection: &mut PgConnection,
    start: &SessionStart,
    limit: SessionLimit,
) -> Result<Vec<SessionId>, sqlx::Error> {
    let SessionLimit::AtMost(_) = limit else {
        return Ok(Vec::new());
    };
    let candidates: Vec<CandidateRow> = sqlx::query_as(queries::ACTIVE_SESSIONS_OF_USER)
        .bind(start.session.user_id().as_uuid())
        .bind(start.now)
        .fetch_all(connection)
        .await?;
    let candidates: Vec<EvictionCandidate> = candidates
        .into_iter()
        .map(|row| EvictionCandidate {
            id: SessionId::from_uuid(row.id),
            is_trusted: row.is_trusted,
            last_activity_at: row.last_activity_at,
            expires_at: row.expires_at,
        })
        .collect();
    Ok(choose_evictions(
        &candidates,
        limit,
        start.now,
        &start.policy,
    ))
}

#[async_trait]
impl SessionRepository for PostgresStore {
    #[tracing::instrument(skip_all, fields(session_id = %start.session.id()))]
    async fn start(&self, start: &SessionStart) -> Result<Vec<SessionEvent>, StartSessionError> {
        // Seven round trips: BEGIN, the user-row lock, the active sessions (under a limit), the
        // sessions write, the token and events, the device token, COMMIT. The lock and the read stay apart: one
        // statement's snapshot, taken before the lock is granted, would miss a session that a
        // concurrent login of the same user committed meanwhile.
        let store = |error: sqlx::Error| StartSessionError::Store(StoreError::new(error));
        let mut tx = self.pool().begin().await.map_err(store)?;
        // Serialises concurrent logins of this user until commit.
        let user_limit: Option<Option<i32>> =
            sqlx::query_scalar("SELECT max_sessions FROM users WHERE id = $1 FOR NO KEY UPDATE")
                .bind(start.session.user_id().as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(store)?;
        let Some(user_limit) = user_limit else {
            return Err(StartSessionError::UserNotFound);
        };
        let limit = start.policy.limit_for(limit_from_column(user_limit));
        let evicted = evictions_for(&mut tx, start, limit).await.map_err(store)?;
        let evicted_ids: Vec<Uuid> = evicted.iter().map(SessionId::as_uuid).collect();
        bind_new_session(sqlx::query(EVICT_AND_INSERT_SESSION), &start.session)
            .bind(evicted_ids)
            .bind(start.now)
            .execute(&mut *tx)
            .await
            .map_err(store)?;
        let user_id = start.session.user_id();
        let evictions: Vec<SessionEvent> = evicted
            .into_iter()
            .map(|id| SessionEvent::evicted(id, user_id, start.session.id(), start.now))
            .collect();
        let mut events = evictions.clone();
        events.push(start.created.clone());
        let token = &start.refresh_token;
        EventColumns::of(&events)
            .bind(sqlx::query(INSERT_TOKEN_AND_EVENTS))
            .bind(token.id.as_uuid())
            .bind(token.session_id.as_uuid())
            .bind(token.hash.as_bytes().as_slice())
            .bind(token.issued_at)
            .bind(token.used_at)
            .bind(token.successor_id.map(|id| id.as_uuid()))
            .execute(&mut *tx)
            .await
            .map_err(store)?;
        write_device_token(&mut tx, &start.device_token)
            .await
            .map_err(store)?;
        tx.commit().await.map_err(store)?;
        Ok(evictions)
    }

    #[tracing::instrument(skip_all, fields(%id))]
    async fn find(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        let row: Option<SessionRow> = match &self.batches {
            None => sqlx::query_as(FIND_SESSION)
                .bind(id.as_uuid())
                .fetch_optional(self.pool())
                .await
                .map_err(StoreError::new)?,
            Some(batches) => batches.session(id.as_uuid()).await?,
        };
        Ok(row.map(Session::try_from).transpose()?)
    }

    #[tracing::instrument(skip_all, fields(session_id = %session.id(), events = events.len()))]
    async fn save(&self, session: &Session, events: &[SessionEvent]) -> Result<(), WriteError> {
        let store = |error: sqlx::Error| WriteError::Store(StoreError::new(error));
        if events.is_empty() {
            let written = update_session(self.pool(), session).await.map_err(store)?;
            return if written {
                Ok(())
            } else {
                Err(WriteError::Conflict)
            };
        }
        let mut tx = self.pool().begin().await.map_err(store)?;
        if !update_session(&mut *tx, session).await.map_err(store)? {
            return Err(WriteError::Conflict);
        }
        insert_events(&mut tx, events).await.map_err(store)?;
        tx.commit().await.map_err(store)
    }

    #[tracing::instrument(skip_all, fields(session_id = %session.id()))]
    async fn record_activity(&self, session: &Session) -> Result<bool, StoreError> {
        let state = session.state();
        let result = sqlx::query(
            r#"
            UPDATE sessions SET
                last_activity_at = GREATEST(last_activity_at, $2),
                updated_at = GREATEST(updated_at, $3),
                version = version + 1
            WHERE id = $1 AND is_revoked = FALSE
            "#,
        )
        .bind(state.id.as_uuid())
        .bind(state.last_activity_at)
        .bind(state.updated_at)
        .execute(self.pool())
        .await
        .map_err(StoreError::new)?;
        Ok(result.rows_affected() == 1)
    }

    #[tracing::instrument(skip_all, fields(session_id = %session.id()))]
    async fn save_revocation(
        &self,
        session: &Session,
        events: &[SessionEvent],
    ) -> Result<bool, StoreError> {
        let Some(revocation) = session.state().revocation else {
            return Ok(false);
        };
        let mut tx = self.pool().begin().await.map_err(StoreError::new)?;
        let result = sqlx::query(
            r#"
            UPDATE sessions SET
                is_revoked = TRUE, revoked_at = $2, revoked_reason = $3,
                updated_at = GREATEST(updated_at, $2), version = version + 1
            WHERE id = $1 AND is_revoked = FALSE
            "#,
        )
        .bind(session.id().as_uuid())
        .bind(revocation.at)
        .bind(revocation.reason.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::new)?;
        if result.rows_affected() != 1 {
            return Ok(false);
        }
        insert_events(&mut tx, events)
            .await
            .map_err(StoreError::new)?;
        tx.commit().await.map_err(StoreError::new)?;
        Ok(true)
    }

    #[tracing::instrument(skip_all, fields(%user_id))]
    async fn list_for_user(
        &self,
        user_id: UserId,
        query: SessionQuery,
    ) -> Result<Vec<Session>, StoreError> {
        let sql = queries::session_page(query.active.is_some(), query.after.is_some());
        let rows: Vec<SessionRow> = bind_page(sqlx::query_as(&sql), user_id, query)
            .fetch_all(self.pool())
            .await
            .map_err(StoreError::new)?;
        rows.into_iter()
            .map(|row| Session::try_from(row).map_err(StoreError::from))
            .collect()
    }

    #[tracing::instrument(skip_all, fields(%user_id, %reason))]
    async fn revoke_all_for_user(
        &self,
        user_id: UserId,
        except: Option<SessionId>,
        reason: RevocationReason,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let revoked: i64 = sqlx::query_scalar(
            r#"
            WITH revoked AS (
                UPDATE sessions SET
                    is_revoked = TRUE, revoked_at = $3, revoked_reason = $4,
                    updated_at = $3, version = version + 1
                WHERE user_id = $1 AND is_revoked = FALSE AND expires_at > $3
                  AND ($2::uuid IS NULL OR id <> $2)
                RETURNING id, user_id
            ), recorded AS (
                INSERT INTO session_events (session_id, user_id, event_type, occurred_at, data)
                SELECT id, user_id, 'session_revoked', $3, jsonb_build_object('reason', $4::text)
                FROM revoked
            )
            SELECT count(*) FROM revoked
            "#,
        )
        .bind(user_id.as_uuid())
        .bind(except.map(|id| id.as_uuid()))
        .bind(now)
        .bind(reason.as_str())
        .fetch_one(self.pool())
        .await
        .map_err(StoreError::new)?;
        Ok(revoked.unsigned_abs())
    }

    #[tracing::instrument(skip_all)]
    async fn count_active(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sessions WHERE is_revoked = FALSE AND expires_at > $1",
        )
        .bind(now)
        .fetch_one(self.pool())
        .await
        .map_err(StoreError::new)?;
        Ok(count.unsigned_abs())
    }

    #[tracing::instrument(skip_all, fields(ended_by = ?batch.ended_by, size = batch.size))]
    async fn delete_ended(&self, batch: CleanupBatch) -> Result<DeletedBatch, StoreError> {
        let statement = match batch.ended_by {
            EndedBy::Expiry => queries::DELETE_EXPIRED_SESSIONS,
            EndedBy::Revocation => queries::DELETE_REVOKED_SESSIONS,
        };
        let (count, last_ended_at): (i64, Option<DateTime<Utc>>) = sqlx::query_as(statement)
            .bind(batch.from)
            .bind(batch.before)
            .bind(i64::from(batch.size))
            .fetch_one(self.cleanup_pool())
            .await
            .map_err(StoreError::new)?;
        Ok(DeletedBatch {
            count: count.unsigned_abs(),
            last_ended_at,
        })
    }
}
