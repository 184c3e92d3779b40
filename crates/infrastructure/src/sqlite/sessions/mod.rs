//! Sessions in SQLite: the atomic start under the session limit (`start`), versioned writes,
//! the keyset-paginated list, bulk revocation and batched cleanup.

mod incident;
mod start;
mod statements;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_application::ports::{
    CleanupBatch, DeletedBatch, EndedBy, SessionQuery, SessionRepository, SessionStart,
    StartSessionError, StoreError, WriteError,
};
use sessions_domain::{
    Cause, RevocationReason, Session, SessionEvent, SessionFilter, SessionId, UserId,
};

use statements::{FIND_SESSION, bind_page, session_page, update_session};

use super::{
    SqliteStore,
    encoding::{micros, time, uuid},
    events::insert_events,
    session_row::SessionRow,
};

/// Records one `session_revoked` event with `cause` for each session `revoked` (its id and
/// owner, as the revoking statement returned them), then commits; returns how many.
async fn commit_revocations(
    mut tx: sqlx::Transaction<'_, sqlx::Sqlite>,
    revoked: &[(String, String)],
    reason: RevocationReason,
    now: DateTime<Utc>,
    cause: &Cause,
) -> Result<u64, StoreError> {
    let mut events = Vec::with_capacity(revoked.len());
    for (id, owner) in revoked {
        events.push(SessionEvent::bulk_revoked(
            SessionId::from_uuid(uuid("sessions", id)?),
            UserId::from_uuid(uuid("sessions", owner)?),
            reason,
            now,
            cause.clone(),
        ));
    }
    insert_events(&mut tx, &events)
        .await
        .map_err(StoreError::new)?;
    tx.commit().await.map_err(StoreError::new)?;
    Ok(u64::try_from(events.len()).unwrap_or(u64::MAX))
}

#[async_trait]
impl SessionRepository for SqliteStore {
    #[tracing::instrument(skip_all, fields(session_id = %start.session.id()))]
    async fn start(&self, start: &SessionStart) -> Result<Vec<SessionEvent>, StartSessionError> {
        start::start(self, start).await
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
        cause: &Cause,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await.map_err(StoreError::new)?;
        let revoked: Vec<(String, String)> = sqlx::query_as(
            "UPDATE sessions SET is_revoked = 1, revoked_at = ?3, revoked_reason = ?4, \
             updated_at = ?3, version = version + 1 \
             WHERE user_id = ?1 AND is_revoked = 0 AND expires_at > ?3 \
               AND (?2 IS NULL OR id <> ?2) \
             RETURNING id, user_id",
        )
        .bind(user_id.as_uuid().to_string())
        .bind(except.map(|id| id.as_uuid().to_string()))
        .bind(micros(now))
        .bind(reason.as_str())
        .fetch_all(&mut *tx)
        .await
        .map_err(StoreError::new)?;
        commit_revocations(tx, &revoked, reason, now, cause).await
    }

    #[tracing::instrument(skip_all)]
    async fn find_active_candidates(
        &self,
        filter: &SessionFilter,
        now: DateTime<Utc>,
        after: Option<SessionId>,
        limit: u32,
    ) -> Result<Vec<Session>, StoreError> {
        let rows: Vec<SessionRow> = incident::candidates_statement(filter, now, after, limit)
            .build_query_as()
            .fetch_all(self.readers())
            .await
            .map_err(StoreError::new)?;
        rows.into_iter()
            .map(|row| Session::try_from(row).map_err(StoreError::from))
            .collect()
    }

    #[tracing::instrument(skip_all, fields(sessions = ids.len(), %reason))]
    async fn revoke_many(
        &self,
        ids: &[SessionId],
        reason: RevocationReason,
        now: DateTime<Utc>,
        cause: &Cause,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await.map_err(StoreError::new)?;
        let mut revoked = Vec::with_capacity(ids.len());
        for id in ids {
            let row: Option<(String, String)> = sqlx::query_as(
                "UPDATE sessions SET is_revoked = 1, revoked_at = ?2, revoked_reason = ?3, \
                 updated_at = ?2, version = version + 1 \
                 WHERE id = ?1 AND is_revoked = 0 AND expires_at > ?2 \
                 RETURNING id, user_id",
            )
            .bind(id.as_uuid().to_string())
            .bind(micros(now))
            .bind(reason.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::new)?;
            revoked.extend(row);
        }
        commit_revocations(tx, &revoked, reason, now, cause).await
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
