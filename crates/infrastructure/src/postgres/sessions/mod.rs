//! Sessions in Postgres: the atomic start under the session limit (`start`), versioned
//! writes, the keyset-paginated list, bulk revocation and batched cleanup.

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
use uuid::Uuid;

use crate::postgres::{PostgresStore, events::insert_events, queries, session_row::SessionRow};

use statements::{FIND_SESSION, bind_page, bind_revocation, record_revocations, update_session};

#[async_trait]
impl SessionRepository for PostgresStore {
    #[tracing::instrument(skip_all, fields(session_id = %start.session.id()))]
    async fn start(&self, start: &SessionStart) -> Result<Vec<SessionEvent>, StartSessionError> {
        start::start(self, start).await
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
        cause: &Cause,
    ) -> Result<u64, StoreError> {
        let query = sqlx::query_scalar(concat!(
            r#"
            WITH revoked AS (
                UPDATE sessions SET
                    is_revoked = TRUE, revoked_at = $3, revoked_reason = $4,
                    updated_at = $3, version = version + 1
                WHERE user_id = $1 AND is_revoked = FALSE AND expires_at > $3
                  AND ($2::uuid IS NULL OR id <> $2)
                RETURNING id, user_id
            ), "#,
            record_revocations!()
        ))
        .bind(user_id.as_uuid())
        .bind(except.map(|id| id.as_uuid()));
        let revoked: i64 = bind_revocation(query, now, reason, cause)
            .fetch_one(self.pool())
            .await
            .map_err(StoreError::new)?;
        Ok(revoked.unsigned_abs())
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
            .fetch_all(self.pool())
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
        let ids: Vec<Uuid> = ids.iter().map(SessionId::as_uuid).collect();
        let query = sqlx::query_scalar(concat!(
            r#"
            WITH revoked AS (
                UPDATE sessions SET
                    is_revoked = TRUE, revoked_at = $3, revoked_reason = $4,
                    updated_at = $3, version = version + 1
                WHERE id = ANY($1) AND is_revoked = FALSE AND expires_at > $3
                  AND ($2::uuid IS NULL OR id <> $2)
                RETURNING id, user_id
            ), "#,
            record_revocations!()
        ))
        .bind(ids)
        .bind(None::<Uuid>);
        let revoked: i64 = bind_revocation(query, now, reason, cause)
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
