//! Sessions in SQLite: the atomic start under the session limit, versioned writes, the
//! keyset-paginated list, bulk revocation and batched cleanup.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_application::ports::{
    CleanupBatch, DeletedBatch, EndedBy, SessionQuery, SessionRepository, SessionStart,
    StartSessionError, StoreError, WriteError,
};
use sessions_domain::{
    EvictionCandidate, RevocationReason, Session, SessionEvent, SessionId, SessionLimit, UserId,
    choose_evictions,
};
use sqlx::{SqliteConnection, SqliteExecutor};

use super::{
    SqliteStore,
    columns::{SessionRow, micros, providers_json, time, uuid},
    device_tokens::write_device_token,
    events::insert_events,
    refresh_tokens::insert_token,
    users::limit_from_column,
};
use crate::session_columns::{SESSION_COLUMNS, SessionColumns, session_columns};

/// The session every authenticated request reads (`?1` its id).
const FIND_SESSION: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM sessions WHERE id = ?1"
);

/// One page of a user's sessions, newest first: `?1` user, `?2` limit, `?3` now and `?4`
/// idle cutoff (active-only), `?5`/`?6` the cursor's `created_at`/`id` (later pages).
fn session_page(active_only: bool, after_cursor: bool) -> String {
    let active = if active_only {
        "AND is_revoked = 0 AND expires_at > ?3 AND (?4 IS NULL OR last_activity_at > ?4)"
    } else {
        "AND ?3 IS NULL AND ?4 IS NULL"
    };
    let after = if after_cursor {
        "AND (created_at, id) < (?5, ?6)"
    } else {
        "AND ?5 IS NULL AND ?6 IS NULL"
    };
    format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = ?1 {active} {after} \
         ORDER BY created_at DESC, id DESC LIMIT ?2"
    )
}

/// Binds `?1`…`?6` of [`session_page`].
fn bind_page<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>>,
    user_id: UserId,
    page: SessionQuery,
) -> sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>> {
    query
        .bind(user_id.as_uuid().to_string())
        .bind(i64::from(page.limit))
        .bind(page.active.map(|filter| micros(filter.now)))
        .bind(page.active.and_then(|filter| filter.idle_since).map(micros))
        .bind(page.after.map(|cursor| micros(cursor.created_at)))
        .bind(page.after.map(|cursor| cursor.id.as_uuid().to_string()))
}

/// Writes every mutable column of `session` if its stored version is still the one it was
/// read with, advancing the version. Returns whether the row was written.
pub(super) async fn update_session<'c>(
    executor: impl SqliteExecutor<'c>,
    session: &Session,
) -> Result<bool, sqlx::Error> {
    let row = SessionColumns::from_session(session);
    let result = sqlx::query(
        r#"
        UPDATE sessions SET
            updated_at = ?3,
            last_activity_at = ?4,
            is_revoked = ?5,
            revoked_at = ?6,
            revoked_reason = ?7,
            is_trusted = ?8,
            refresh_token_id = ?9,
            last_ip_address = ?10,
            suspicious_activity_count = ?11,
            last_provider_accessed = ?12,
            last_provider_sync_at = ?13,
            providers_accessed = ?14,
            version = version + 1
        WHERE id = ?1 AND version = ?2
        "#,
    )
    .bind(row.id.to_string())
    .bind(row.version)
    .bind(micros(row.updated_at))
    .bind(micros(row.last_activity_at))
    .bind(row.is_revoked)
    .bind(row.revoked_at.map(micros))
    .bind(row.revoked_reason)
    .bind(row.is_trusted)
    .bind(row.refresh_token_id.map(|id| id.to_string()))
    .bind(row.last_ip_address.map(|ip| ip.to_string()))
    .bind(row.suspicious_activity_count)
    .bind(row.last_provider_accessed)
    .bind(row.last_provider_sync_at.map(micros))
    .bind(providers_json(&row.providers_accessed))
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

async fn insert_session(
    connection: &mut SqliteConnection,
    session: &Session,
) -> Result<(), sqlx::Error> {
    let row = SessionColumns::from_session(session);
    sqlx::query(
        r#"
        INSERT INTO sessions (
            id, user_id, created_at, updated_at, device_info, user_agent, ip_address, location,
            last_activity_at, expires_at, is_revoked, revoked_at, revoked_reason, is_trusted,
            refresh_token_id, last_ip_address, suspicious_activity_count,
            last_provider_accessed, last_provider_sync_at, providers_accessed, version
        ) VALUES (
            ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21
        )
        "#,
    )
    .bind(row.id.to_string())
    .bind(row.user_id.to_string())
    .bind(micros(row.created_at))
    .bind(micros(row.updated_at))
    .bind(row.device_info)
    .bind(row.user_agent)
    .bind(row.ip_address.to_string())
    .bind(row.location)
    .bind(micros(row.last_activity_at))
    .bind(micros(row.expires_at))
    .bind(row.is_revoked)
    .bind(row.revoked_at.map(micros))
    .bind(row.revoked_reason)
    .bind(row.is_trusted)
    .bind(row.refresh_token_id.map(|id| id.to_string()))
    .bind(row.last_ip_address.map(|ip| ip.to_string()))
    .bind(row.suspicious_activity_count)
    .bind(row.last_provider_accessed)
    .bind(row.last_provider_sync_at.map(micros))
    .bind(providers_json(&row.providers_accessed))
    .bind(row.version)
    .execute(connection)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: String,
    is_trusted: bool,
    last_activity_at: i64,
    expires_at: i64,
}

/// Revokes the sessions the limit rule picks to make room for `start.session`; returns the
/// eviction events (not yet written).
async fn evict_for(
    connection: &mut SqliteConnection,
    start: &SessionStart,
    limit: SessionLimit,
) -> Result<Vec<SessionEvent>, StoreError> {
    let SessionLimit::AtMost(_) = limit else {
        return Ok(Vec::new());
    };
    let user_id = start.session.user_id();
    let rows: Vec<CandidateRow> = sqlx::query_as(
        "SELECT id, is_trusted, last_activity_at, expires_at FROM sessions \
         WHERE user_id = ?1 AND is_revoked = 0 AND expires_at > ?2",
    )
    .bind(user_id.as_uuid().to_string())
    .bind(micros(start.now))
    .fetch_all(&mut *connection)
    .await
    .map_err(StoreError::new)?;
    let mut candidates = Vec::with_capacity(rows.len());
    for row in rows {
        candidates.push(EvictionCandidate {
            id: SessionId::from_uuid(uuid("sessions", &row.id)?),
            is_trusted: row.is_trusted,
            last_activity_at: time("sessions", row.last_activity_at)?,
            expires_at: time("sessions", row.expires_at)?,
        });
    }
    let evicted = choose_evictions(&candidates, limit, start.now, &start.policy);
    for id in &evicted {
        sqlx::query(
            "UPDATE sessions SET is_revoked = 1, revoked_at = ?2, \
             revoked_reason = 'session_limit', updated_at = ?2, version = version + 1 \
             WHERE id = ?1 AND is_revoked = 0",
        )
        .bind(id.as_uuid().to_string())
        .bind(micros(start.now))
        .execute(&mut *connection)
        .await
        .map_err(StoreError::new)?;
    }
    Ok(evicted
        .into_iter()
        .map(|id| SessionEvent::evicted(id, user_id, start.session.id(), start.now))
        .collect())
}

#[async_trait]
impl SessionRepository for SqliteStore {
    #[tracing::instrument(skip_all, fields(session_id = %start.session.id()))]
    async fn start(&self, start: &SessionStart) -> Result<Vec<SessionEvent>, StartSessionError> {
        let store = |error: sqlx::Error| StartSessionError::Store(StoreError::new(error));
        // On the single writer connection: logins are serialised.
        let mut tx = self.begin_write().await.map_err(store)?;
        let user_limit: Option<Option<i64>> =
            sqlx::query_scalar("SELECT max_sessions FROM users WHERE id = ?1")
                .bind(start.session.user_id().as_uuid().to_string())
                .fetch_optional(&mut *tx)
                .await
                .map_err(store)?;
        let Some(user_limit) = user_limit else {
            return Err(StartSessionError::UserNotFound);
        };
        let limit = start.policy.limit_for(limit_from_column(user_limit));
        let evictions = evict_for(&mut tx, start, limit).await?;
        insert_session(&mut tx, &start.session)
            .await
            .map_err(store)?;
        insert_token(&mut tx, &start.refresh_token)
            .await
            .map_err(store)?;
        let mut events = evictions.clone();
        events.push(start.created.clone());
        insert_events(&mut tx, &events).await.map_err(store)?;
        write_device_token(&mut tx, &start.device_token)
            .await
            .map_err(store)?;
        tx.commit().await.map_err(store)?;
        Ok(evictions)
    }

    #[tracing::instrument(skip_all, fields(%id))]
    async fn find(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        let id = id.as_uuid().to_string();
        let row: Option<SessionRow> = match &self.batches {
            None => sqlx::query_as(FIND_SESSION)
                .bind(id)
                .fetch_optional(self.readers())
                .await
                .map_err(StoreError::new)?,
            Some(batches) => batches.session(id).await?,
        };
        Ok(row.map(Session::try_from).transpose()?)
    }

    #[tracing::instrument(skip_all, fields(session_id = %session.id(), events = events.len()))]
    async fn save(&self, session: &Session, events: &[SessionEvent]) -> Result<(), WriteError> {
        let store = |error: sqlx::Error| WriteError::Store(StoreError::new(error));
        let mut tx = self.begin_write().await.map_err(store)?;
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
            "UPDATE sessions SET last_activity_at = max(last_activity_at, ?2), \
             updated_at = max(updated_at, ?3), version = version + 1 \
             WHERE id = ?1 AND is_revoked = 0",
        )
        .bind(state.id.as_uuid().to_string())
        .bind(micros(state.last_activity_at))
        .bind(micros(state.updated_at))
        .execute(self.writer())
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
        let mut tx = self.begin_write().await.map_err(StoreError::new)?;
        let result = sqlx::query(
            "UPDATE sessions SET is_revoked = 1, revoked_at = ?2, revoked_reason = ?3, \
             updated_at = max(updated_at, ?2), version = version + 1 \
             WHERE id = ?1 AND is_revoked = 0",
        )
        .bind(session.id().as_uuid().to_string())
        .bind(micros(revocation.at))
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
        let sql = session_page(query.active.is_some(), query.after.is_some());
        let rows: Vec<SessionRow> = bind_page(sqlx::query_as(&sql), user_id, query)
            .fetch_all(self.readers())
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
        let mut tx = self.begin_write().await.map_err(StoreError::new)?;
        let revoked: Vec<String> = sqlx::query_scalar(
            "UPDATE sessions SET is_revoked = 1, revoked_at = ?3, revoked_reason = ?4, \
             updated_at = ?3, version = version + 1 \
             WHERE user_id = ?1 AND is_revoked = 0 AND expires_at > ?3 \
               AND (?2 IS NULL OR id <> ?2) \
             RETURNING id",
        )
        .bind(user_id.as_uuid().to_string())
        .bind(except.map(|id| id.as_uuid().to_string()))
        .bind(micros(now))
        .bind(reason.as_str())
        .fetch_all(&mut *tx)
        .await
        .map_err(StoreError::new)?;
        let mut events = Vec::with_capacity(revoked.len());
        for id in &revoked {
            let id = SessionId::from_uuid(uuid("sessions", id)?);
            events.push(SessionEvent::bulk_revoked(id, user_id, reason, now));
        }
        insert_events(&mut tx, &events)
            .await
            .map_err(StoreError::new)?;
        tx.commit().await.map_err(StoreError::new)?;
        Ok(u64::try_from(revoked.len()).unwrap_or(u64::MAX))
    }

    #[tracing::instrument(skip_all)]
    async fn count_active(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sessions WHERE is_revoked = 0 AND expires_at > ?1",
        )
        .bind(micros(now))
        .fetch_one(self.readers())
        .await
        .map_err(StoreError::new)?;
        Ok(count.unsigned_abs())
    }

    #[tracing::instrument(skip_all, fields(ended_by = ?batch.ended_by, size = batch.size))]
    async fn delete_ended(&self, batch: CleanupBatch) -> Result<DeletedBatch, StoreError> {
        // One short write transaction per batch, walking the end time's index from where
        // the previous batch ended; its entries carry the rows' addresses (rowids): the rows
        // are deleted by address, not looked up again by id.
        let statement = match batch.ended_by {
            EndedBy::Expiry => {
                "DELETE FROM sessions WHERE rowid IN (
                     SELECT rowid FROM sessions WHERE expires_at >= ?1 AND expires_at < ?2
                     ORDER BY expires_at LIMIT ?3)
                 RETURNING expires_at"
            }
            EndedBy::Revocation => {
                "DELETE FROM sessions WHERE rowid IN (
                     SELECT rowid FROM sessions
                     WHERE is_revoked = 1 AND revoked_at >= ?1 AND revoked_at < ?2
                     ORDER BY revoked_at LIMIT ?3)
                 RETURNING revoked_at"
            }
        };
        let ended: Vec<i64> = sqlx::query_scalar(statement)
            .bind(micros(batch.from))
            .bind(micros(batch.before))
            .bind(i64::from(batch.size))
            .fetch_all(self.writer())
            .await
            .map_err(StoreError::new)?;
        let last_ended_at = match ended.iter().max() {
            Some(&last) => Some(time("sessions", last)?),
            None => None,
        };
        Ok(DeletedBatch {
            count: u64::try_from(ended.len()).unwrap_or(u64::MAX),
            last_ended_at,
        })
    }
}
