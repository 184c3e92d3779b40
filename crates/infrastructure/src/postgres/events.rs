//! The audit trail in Postgres: appends (inside the writers' transactions), the search, and
//! the retention's deletes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;
use sessions_application::ports::{EventOrder, EventSearch, EventStore, StoreError};
use sessions_domain::{AccountEvent, RecordedEvent, SessionEvent};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use super::PostgresStore;
use crate::event_record::{EventRecord, StoredEvent};

/// Appends the events given as the twelve arrays `$1`…`$12` of [`EventColumns`]; a macro,
/// so that a writer can put the append into a statement of its own with `concat!`.
macro_rules! insert_event_columns {
    () => {
        concat!(
            "INSERT INTO session_events (session_id, user_id, event_type, occurred_at, data, ",
            crate::event_record::cause_columns!(),
            ") SELECT session_id, user_id, event_type, occurred_at, data::jsonb, ",
            crate::event_record::cause_columns!(),
            " FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], \
             $6::text[], $7::uuid[], $8::uuid[], $9::inet[], $10::text[], $11::text[], \
             $12::text[]) AS e(session_id, user_id, event_type, occurred_at, data, ",
            crate::event_record::cause_columns!(),
            ")"
        )
    };
}
pub(super) use insert_event_columns;

/// Events to append, column by column: the arrays `$1`…`$12` of [`insert_event_columns!`].
#[derive(Default)]
pub(super) struct EventColumns {
    session_ids: Vec<Option<Uuid>>,
    user_ids: Vec<Option<Uuid>>,
    types: Vec<&'static str>,
    times: Vec<DateTime<Utc>>,
    data: Vec<String>,
    actors: Vec<&'static str>,
    actor_session_ids: Vec<Option<Uuid>>,
    incident_ids: Vec<Option<Uuid>>,
    ips: Vec<Option<IpNetwork>>,
    user_agents: Vec<Option<String>>,
    devices: Vec<Option<String>>,
    locations: Vec<Option<String>>,
}

impl EventColumns {
    /// The columns of `events`, in order.
    pub(super) fn of(events: &[SessionEvent]) -> Self {
        Self::of_records(events.iter().map(EventRecord::of_session))
    }

    fn of_records(records: impl IntoIterator<Item = EventRecord>) -> Self {
        let mut columns = Self::default();
        for record in records {
            columns.push(record);
        }
        columns
    }

    fn push(&mut self, record: EventRecord) {
        self.session_ids.push(record.session_id);
        self.user_ids.push(record.user_id);
        self.types.push(record.event_type);
        self.times.push(record.occurred_at);
        self.data.push(record.data);
        let cause = record.cause;
        self.actors.push(cause.actor);
        self.actor_session_ids.push(cause.actor_session_id);
        self.incident_ids.push(cause.incident_id);
        self.ips.push(cause.ip.map(IpNetwork::from));
        self.user_agents.push(cause.user_agent);
        self.devices.push(cause.device);
        self.locations.push(cause.location);
    }

    /// Binds `$1`…`$12`.
    pub(super) fn bind(
        self,
        query: sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments> {
        query
            .bind(self.session_ids)
            .bind(self.user_ids)
            .bind(self.types)
            .bind(self.times)
            .bind(self.data)
            .bind(self.actors)
            .bind(self.actor_session_ids)
            .bind(self.incident_ids)
            .bind(self.ips)
            .bind(self.user_agents)
            .bind(self.devices)
            .bind(self.locations)
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
    insert(connection, EventColumns::of(events)).await
}

/// Appends one account event.
pub(super) async fn insert_account_event(
    connection: &mut PgConnection,
    event: &AccountEvent,
) -> Result<(), sqlx::Error> {
    insert(
        connection,
        EventColumns::of_records([EventRecord::of_account(event)]),
    )
    .await
}

async fn insert(connection: &mut PgConnection, columns: EventColumns) -> Result<(), sqlx::Error> {
    columns
        .bind(sqlx::query(insert_event_columns!()))
        .execute(connection)
        .await?;
    Ok(())
}

/// The columns every read of events selects, `data` as text.
macro_rules! event_columns {
    () => {
        concat!(
            "id, session_id, user_id, event_type, occurred_at, data::text AS data, ",
            crate::event_record::cause_columns!()
        )
    };
}

/// One row of [`event_columns!`].
#[derive(sqlx::FromRow)]
pub(super) struct EventRow {
    id: i64,
    session_id: Option<Uuid>,
    user_id: Option<Uuid>,
    event_type: String,
    occurred_at: DateTime<Utc>,
    data: String,
    actor: String,
    actor_session_id: Option<Uuid>,
    incident_id: Option<Uuid>,
    ip: Option<IpNetwork>,
    user_agent: Option<String>,
    device: Option<String>,
    location: Option<String>,
}

impl From<EventRow> for StoredEvent {
    fn from(row: EventRow) -> Self {
        Self {
            id: row.id,
            session_id: row.session_id,
            user_id: row.user_id,
            event_type: row.event_type,
            occurred_at: row.occurred_at,
            data: row.data,
            actor: row.actor,
            actor_session_id: row.actor_session_id,
            incident_id: row.incident_id,
            ip: row.ip.map(|network| network.ip()),
            user_agent: row.user_agent,
            device: row.device,
            location: row.location,
        }
    }
}

/// The search's statement: only the conditions given, so that each is planned as the index
/// scan it names (a catch-all `$n IS NULL OR …` would leave a generic plan scanning).
pub(super) fn search_statement(search: &EventSearch) -> QueryBuilder<'_, Postgres> {
    let filter = &search.filter;
    let mut sql = QueryBuilder::new(concat!(
        "SELECT ",
        event_columns!(),
        " FROM session_events WHERE TRUE"
    ));
    if let Some(user_id) = filter.user_id {
        sql.push(" AND user_id = ").push_bind(user_id.as_uuid());
    }
    if let Some(session_id) = filter.session_id {
        sql.push(" AND session_id = ")
            .push_bind(session_id.as_uuid());
    }
    match filter.types.as_slice() {
        [] => {}
        // One type as a plain equality, so that its index walks the type's events in order.
        [event_type] => {
            sql.push(" AND event_type = ").push_bind(*event_type);
        }
        types => {
            sql.push(" AND event_type = ANY(")
                .push_bind(types.to_vec())
                .push(")");
        }
    }
    if let Some(network) = filter.network {
        sql.push(" AND ip <<= ").push_bind(network).push("::inet");
    }
    if let Some(since) = filter.since {
        sql.push(" AND occurred_at >= ").push_bind(since);
    }
    if let Some(until) = filter.until {
        sql.push(" AND occurred_at < ").push_bind(until);
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
impl EventStore for PostgresStore {
    #[tracing::instrument(skip_all)]
    async fn search(&self, search: &EventSearch) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows: Vec<EventRow> = search_statement(search)
            .build_query_as()
            .fetch_all(self.pool())
            .await
            .map_err(StoreError::new)?;
        rows.into_iter()
            .map(|row| RecordedEvent::try_from(StoredEvent::from(row)).map_err(StoreError::from))
            .collect()
    }

    #[tracing::instrument(skip_all, fields(events = events.len()))]
    async fn append(&self, events: &[SessionEvent]) -> Result<(), StoreError> {
        let mut connection = self.pool().acquire().await.map_err(StoreError::new)?;
        insert_events(&mut connection, events)
            .await
            .map_err(StoreError::new)
    }

    #[tracing::instrument(skip_all, fields(event_type = event.kind.type_name()))]
    async fn append_account(&self, event: &AccountEvent) -> Result<(), StoreError> {
        let mut connection = self.pool().acquire().await.map_err(StoreError::new)?;
        insert_account_event(&mut connection, event)
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
