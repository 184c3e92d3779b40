//! The audit trail in SQLite: appends, the search, and the retention's deletes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_application::ports::{EventOrder, EventSearch, EventStore, StoreError};
use sessions_domain::{AccountEvent, RecordedEvent, SessionEvent};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::{
    SqliteStore,
    encoding::{ip, ip_key, ip_key_range, micros, time, uuid},
};
use crate::{
    CorruptRow,
    event_record::{EventRecord, StoredEvent, cause_columns},
};

const TABLE: &str = "session_events";

/// Appends one event.
async fn insert(connection: &mut SqliteConnection, record: EventRecord) -> Result<(), sqlx::Error> {
    let cause = record.cause;
    sqlx::query(concat!(
        "INSERT INTO session_events (session_id, user_id, event_type, occurred_at, data, ",
        cause_columns!(),
        ", ip_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))
    .bind(record.session_id.map(|id| id.to_string()))
    .bind(record.user_id.map(|id| id.to_string()))
    .bind(record.event_type)
    .bind(micros(record.occurred_at))
    .bind(record.data)
    .bind(cause.actor)
    .bind(cause.actor_session_id.map(|id| id.to_string()))
    .bind(cause.incident_id.map(|id| id.to_string()))
    .bind(cause.ip.map(|ip| ip.to_string()))
    .bind(cause.user_agent)
    .bind(cause.device)
    .bind(cause.location)
    .bind(cause.ip.map(|ip| ip_key(ip).to_vec()))
    .execute(connection)
    .await?;
    Ok(())
}

/// Appends `events`, in order.
pub(super) async fn insert_events(
    connection: &mut SqliteConnection,
    events: &[SessionEvent],
) -> Result<(), sqlx::Error> {
    for event in events {
        insert(connection, EventRecord::of_session(event)).await?;
    }
    Ok(())
}

/// Appends one account event.
pub(super) async fn insert_account_event(
    connection: &mut SqliteConnection,
    event: &AccountEvent,
) -> Result<(), sqlx::Error> {
    insert(connection, EventRecord::of_account(event)).await
}

/// One stored event, as [`SEARCH_COLUMNS`] (with the `e` alias) reads it.
#[derive(sqlx::FromRow)]
pub(super) struct EventRow {
    id: i64,
    session_id: Option<String>,
    user_id: Option<String>,
    event_type: String,
    occurred_at: i64,
    data: String,
    actor: String,
    actor_session_id: Option<String>,
    incident_id: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    device: Option<String>,
    location: Option<String>,
}

impl TryFrom<EventRow> for StoredEvent {
    type Error = CorruptRow;

    fn try_from(row: EventRow) -> Result<Self, CorruptRow> {
        let optional_uuid = |text: Option<String>| text.map(|text| uuid(TABLE, &text)).transpose();
        Ok(Self {
            id: row.id,
            session_id: optional_uuid(row.session_id)?,
            user_id: optional_uuid(row.user_id)?,
            event_type: row.event_type,
            occurred_at: time(TABLE, row.occurred_at)?,
            data: row.data,
            actor: row.actor,
            actor_session_id: optional_uuid(row.actor_session_id)?,
            incident_id: optional_uuid(row.incident_id)?,
            ip: row.ip.as_deref().map(ip).transpose()?,
            user_agent: row.user_agent,
            device: row.device,
            location: row.location,
        })
    }
}

/// The columns of an event row, from the table aliased `e`.
pub(super) const EVENT_COLUMNS: &str = "e.id, e.session_id, e.user_id, e.event_type, \
     e.occurred_at, e.data, e.actor, e.actor_session_id, e.incident_id, e.ip, e.user_agent, \
     e.device, e.location";

/// The search's statement: only the conditions given, each served by its index.
fn search_statement(search: &EventSearch) -> QueryBuilder<'_, Sqlite> {
    let filter = &search.filter;
    let mut sql = QueryBuilder::new("SELECT ");
    sql.push(EVENT_COLUMNS)
        .push(" FROM session_events e WHERE 1");
    if let Some(user_id) = filter.user_id {
        sql.push(" AND user_id = ")
            .push_bind(user_id.as_uuid().to_string());
    }
    if let Some(session_id) = filter.session_id {
        sql.push(" AND session_id = ")
            .push_bind(session_id.as_uuid().to_string());
    }
    if !filter.types.is_empty() {
        sql.push(" AND event_type IN (");
        let mut types = sql.separated(", ");
        for event_type in &filter.types {
            types.push_bind(*event_type);
        }
        sql.push(")");
    }
    if let Some(network) = filter.network {
        let (first, last) = ip_key_range(network);
        sql.push(" AND ip_key BETWEEN ")
            .push_bind(first.to_vec())
            .push(" AND ")
            .push_bind(last.to_vec());
    }
    if let Some(since) = filter.since {
        sql.push(" AND occurred_at >= ").push_bind(micros(since));
    }
    if let Some(until) = filter.until {
        sql.push(" AND occurred_at < ").push_bind(micros(until));
    }
    let (after, order) = match search.order {
        EventOrder::NewestFirst => (" AND id < ", " ORDER BY id DESC"),
        EventOrder::OldestFirst => (" AND id > ", " ORDER BY id"),
    };
    if let Some(sequence) = search.after {
        sql.push(after).push_bind(sequence);
    }
    sql.push(order)
        .push(" LIMIT ")
        .push_bind(i64::from(search.limit));
    sql
}

#[async_trait]
impl EventStore for SqliteStore {
    #[tracing::instrument(skip_all)]
    async fn search(&self, search: &EventSearch) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows: Vec<EventRow> = search_statement(search)
            .build_query_as()
            .fetch_all(self.readers())
            .await
            .map_err(StoreError::new)?;
        rows.into_iter()
            .map(|row| {
                let stored = StoredEvent::try_from(row)?;
                RecordedEvent::try_from(stored).map_err(StoreError::from)
            })
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

    #[tracing::instrument(skip_all, fields(event_type = event.kind.type_name()))]
    async fn append_account(&self, event: &AccountEvent) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await.map_err(StoreError::new)?;
        insert_account_event(&mut tx, event)
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
