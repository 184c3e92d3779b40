//! The audit trail in SQLite: appends, reads, and the retention's deletes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_application::{
    event_data,
    ports::{EventStore, StoreError},
};
use sessions_domain::{SessionEvent, SessionId, UserId};
use sqlx::SqliteConnection;

use super::{
    SqliteStore,
    encoding::{corrupt, micros, time, uuid},
};
use crate::CorruptRow;

/// Appends `events`, in order.
pub(super) async fn insert_events(
    connection: &mut SqliteConnection,
    events: &[SessionEvent],
) -> Result<(), sqlx::Error> {
    for event in events {
        sqlx::query(
            r#"
            INSERT INTO session_events (session_id, user_id, event_type, occurred_at, data)
            VALUES (?1, ?2, ?3, ?4, ?5)
            "#,
        )
        .bind(event.session_id.as_uuid().to_string())
        .bind(event.user_id.as_uuid().to_string())
        .bind(event.kind.type_name())
        .bind(micros(event.at))
        .bind(event_data::to_data(&event.kind).to_string())
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    session_id: String,
    user_id: String,
    event_type: String,
    occurred_at: i64,
    data: String,
}

impl TryFrom<EventRow> for SessionEvent {
    type Error = CorruptRow;

    fn try_from(row: EventRow) -> Result<Self, CorruptRow> {
        const TABLE: &str = "session_events";
        let data =
            serde_json::from_str(&row.data).map_err(|error| corrupt(TABLE, error.to_string()))?;
        let kind = event_data::from_data(&row.event_type, &data)
            .map_err(|error| corrupt(TABLE, error.to_string()))?;
        Ok(SessionEvent {
            session_id: SessionId::from_uuid(uuid(TABLE, &row.session_id)?),
            user_id: UserId::from_uuid(uuid(TABLE, &row.user_id)?),
            at: time(TABLE, row.occurred_at)?,
            kind,
        })
    }
}

#[async_trait]
impl EventStore for SqliteStore {
    #[tracing::instrument(skip_all, fields(%id))]
    async fn list_for_session(&self, id: SessionId) -> Result<Vec<SessionEvent>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            r#"
            SELECT session_id, user_id, event_type, occurred_at, data
            FROM session_events WHERE session_id = ?1 ORDER BY id
            "#,
        )
        .bind(id.as_uuid().to_string())
        .fetch_all(self.readers())
        .await
        .map_err(StoreError::new)?;
        rows.into_iter()
            .map(|row| SessionEvent::try_from(row).map_err(StoreError::from))
            .collect()
    }

    #[tracing::instrument(skip_all, fields(events = events.len()))]
    async fn append(&self, events: &[SessionEvent]) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await.map_err(StoreError::new)?;
        insert_events(&mut tx, events)
            .await
            .map_err(StoreError::new)?;
        tx.commit().await.map_err(StoreError::new)
    }

    #[tracing::instrument(skip_all)]
    async fn delete_recorded_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let deleted = sqlx::query(
            "DELETE FROM session_events WHERE id IN (\
             SELECT id FROM session_events WHERE occurred_at < ?1 \
             ORDER BY occurred_at LIMIT ?2)",
        )
        .bind(micros(before))
        .bind(i64::from(limit))
        .execute(self.writer())
        .await
        .map_err(StoreError::new)?;
        Ok(deleted.rows_affected())
    }
}
