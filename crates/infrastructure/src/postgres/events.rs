//! The audit trail in Postgres: appends (inside the writers' transactions), reads, and the
//! retention's deletes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_application::{
    event_data,
    ports::{EventStore, StoreError},
};
use sessions_domain::{SessionEvent, SessionId, UserId};
use sqlx::PgConnection;
use uuid::Uuid;

use super::PostgresStore;
use crate::CorruptRow;

/// Appends the events given as the five arrays `$1`…`$5` of [`EventColumns`]; a macro, so
/// that a writer can put the append into a statement of its own with `concat!`.
macro_rules! insert_event_columns {
    () => {
        "INSERT INTO session_events (session_id, user_id, event_type, occurred_at, data) \
         SELECT session_id, user_id, event_type, occurred_at, data::jsonb \
         FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[]) \
             AS e(session_id, user_id, event_type, occurred_at, data)"
    };
}
pub(super) use insert_event_columns;

/// Events to append, column by column: the arrays `$1`…`$5` of [`insert_event_columns!`].
pub(super) struct EventColumns {
    session_ids: Vec<Uuid>,
    user_ids: Vec<Uuid>,
    types: Vec<&'static str>,
    times: Vec<DateTime<Utc>>,
    data: Vec<String>,
}

impl EventColumns {
    /// The columns of `events`, in order.
    pub(super) fn of(events: &[SessionEvent]) -> Self {
        let mut columns = Self {
            session_ids: Vec::with_capacity(events.len()),
            user_ids: Vec::with_capacity(events.len()),
            types: Vec::with_capacity(events.len()),
            times: Vec::with_capacity(events.len()),
            data: Vec::with_capacity(events.len()),
        };
        for event in events {
            columns.session_ids.push(event.session_id.as_uuid());
            columns.user_ids.push(event.user_id.as_uuid());
            columns.types.push(event.kind.type_name());
            columns.times.push(event.at);
            columns
                .data
                .push(event_data::to_data(&event.kind).to_string());
        }
        columns
    }

    /// Binds `$1`…`$5`.
    pub(super) fn bind(
        self,
        query: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments> {
        query
            .bind(self.session_ids)
            .bind(self.user_ids)
            .bind(self.types)
            .bind(self.times)
            .bind(self.data)
    }
}

/// Appends `events` in one statement.
pub(super) async fn insert_events(
    connection: &mut PgConnection,
    events: &[SessionEvent],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    EventColumns::of(events)
        .bind(sqlx::query(insert_event_columns!()))
        .execute(connection)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    session_id: Uuid,
    user_id: Uuid,
    event_type: String,
    occurred_at: DateTime<Utc>,
    data: String,
}

impl TryFrom<EventRow> for SessionEvent {
    type Error = CorruptRow;

    fn try_from(row: EventRow) -> Result<Self, CorruptRow> {
        let corrupt = |detail: String| CorruptRow {
            table: "session_events",
            detail,
        };
        let data = serde_json::from_str(&row.data).map_err(|error| corrupt(error.to_string()))?;
        let kind = event_data::from_data(&row.event_type, &data)
            .map_err(|error| corrupt(error.to_string()))?;
        Ok(SessionEvent {
            session_id: SessionId::from_uuid(row.session_id),
            user_id: UserId::from_uuid(row.user_id),
            at: row.occurred_at,
            kind,
        })
    }
}

#[async_trait]
impl EventStore for PostgresStore {
    #[tracing::instrument(skip_all, fields(%id))]
    async fn list_for_session(&self, id: SessionId) -> Result<Vec<SessionEvent>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            r#"
            SELECT session_id, user_id, event_type, occurred_at, data::text AS data
            FROM session_events
            WHERE session_id = $1
            ORDER BY id
            "#,
        )
        .bind(id.as_uuid())
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::new)?;
        rows.into_iter()
            .map(|row| SessionEvent::try_from(row).map_err(StoreError::from))
            .collect()
    }

    #[tracing::instrument(skip_all, fields(events = events.len()))]
    async fn append(&self, events: &[SessionEvent]) -> Result<(), StoreError> {
        let mut connection = self.pool().acquire().await.map_err(StoreError::new)?;
        insert_events(&mut connection, events)
            .await
            .map_err(StoreError::new)
    }

    #[tracing::instrument(skip_all)]
    async fn delete_recorded_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        // On the cleanup's connection, as the sessions' batches: a crash that undoes a
        // batch leaves it to the next cleanup.
        let deleted = sqlx::query(
            r#"
            DELETE FROM session_events WHERE id = ANY(ARRAY(
                SELECT id FROM session_events WHERE occurred_at < $1
                ORDER BY occurred_at LIMIT $2))
            "#,
        )
        .bind(before)
        .bind(i64::from(limit))
        .execute(self.cleanup_pool())
        .await
        .map_err(StoreError::new)?;
        Ok(deleted.rows_affected())
    }
}
