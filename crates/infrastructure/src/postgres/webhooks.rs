//! Webhook endpoints and their deliveries in Postgres. Deliveries are recorded by the
//! trigger on `session_events` (the outbox); senders take them with `FOR UPDATE SKIP
//! LOCKED` and a lease, so that instances sharing the database never take the same one.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_application::ports::{
    AttemptRecord, ClaimedDelivery, Delivery, SealedSecret, StoreError, WebhookEndpoint,
    WebhookStore,
};
use sessions_domain::{DeliveryStatus, RecordedEvent, WebhookEventType};
use uuid::Uuid;

use super::{PostgresStore, events::EventRow};
use crate::{CorruptRow, delivery_outcome::outcome_columns, event_record::StoredEvent};

/// The endpoint columns every read selects, named apart from an event's.
macro_rules! endpoint_columns {
    () => {
        "w.id AS endpoint_id, w.url, w.description, w.event_types, w.secret_sealed, \
         w.previous_secret_sealed, w.previous_secret_until, \
         w.created_at AS endpoint_created_at, w.updated_at AS endpoint_updated_at"
    };
}

#[derive(sqlx::FromRow)]
struct EndpointRow {
    endpoint_id: Uuid,
    url: String,
    description: Option<String>,
    event_types: Vec<String>,
    secret_sealed: Vec<u8>,
    previous_secret_sealed: Option<Vec<u8>>,
    previous_secret_until: Option<DateTime<Utc>>,
    endpoint_created_at: DateTime<Utc>,
    endpoint_updated_at: DateTime<Utc>,
}

fn corrupt(table: &'static str, detail: impl Into<String>) -> CorruptRow {
    CorruptRow {
        table,
        detail: detail.into(),
    }
}

impl TryFrom<EndpointRow> for WebhookEndpoint {
    type Error = CorruptRow;

    fn try_from(row: EndpointRow) -> Result<Self, CorruptRow> {
        let event_types = row
            .event_types
            .iter()
            .map(|name| {
                WebhookEventType::of_trail_type(name)
                    .ok_or_else(|| corrupt("webhook_endpoints", format!("event type {name:?}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            id: row.endpoint_id,
            url: row.url,
            description: row.description,
            event_types,
            secret: SealedSecret(row.secret_sealed),
            previous_secret: row
                .previous_secret_sealed
                .zip(row.previous_secret_until)
                .map(|(sealed, until)| (SealedSecret(sealed), until)),
            created_at: row.endpoint_created_at,
            updated_at: row.endpoint_updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: Uuid,
    event_id: i64,
    event_type: String,
    status: String,
    attempts: i32,
    created_at: DateTime<Utc>,
    next_attempt_at: DateTime<Utc>,
    last_status_code: Option<i32>,
    last_error: Option<String>,
    delivered_at: Option<DateTime<Utc>>,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = CorruptRow;

    fn try_from(row: DeliveryRow) -> Result<Self, CorruptRow> {
        Ok(Self {
            id: row.id,
            event_id: row.event_id,
            event_type: row.event_type,
            status: DeliveryStatus::from_name(&row.status)
                .ok_or_else(|| corrupt("webhook_deliveries", format!("status {:?}", row.status)))?,
            attempts: row.attempts.unsigned_abs(),
            created_at: row.created_at,
            next_attempt_at: row.next_attempt_at,
            last_status_code: row
                .last_status_code
                .and_then(|code| u16::try_from(code).ok()),
            last_error: row.last_error,
            delivered_at: row.delivered_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    delivery_id: Uuid,
    attempts: i32,
    retry_from: DateTime<Utc>,
    #[sqlx(flatten)]
    endpoint: EndpointRow,
    #[sqlx(flatten)]
    event: EventRow,
}

impl TryFrom<ClaimRow> for ClaimedDelivery {
    type Error = CorruptRow;

    fn try_from(row: ClaimRow) -> Result<Self, CorruptRow> {
        Ok(Self {
            id: row.delivery_id,
            attempt: row.attempts.unsigned_abs(),
            retry_from: row.retry_from,
            endpoint: WebhookEndpoint::try_from(row.endpoint)?,
            event: RecordedEvent::try_from(StoredEvent::from(row.event))?,
        })
    }
}

fn trail_types(endpoint: &WebhookEndpoint) -> Vec<&'static str> {
    endpoint
        .event_types
        .iter()
        .map(|kind| kind.trail_type())
        .collect()
}

impl PostgresStore {
    /// Runs `sql` with every column of `endpoint` bound, `$1`…`$9` in the table's order;
    /// returns how many rows it wrote.
    async fn write_endpoint(
        &self,
        sql: &str,
        endpoint: &WebhookEndpoint,
    ) -> Result<u64, StoreError> {
        let previous = endpoint.previous_secret.as_ref();
        let written = sqlx::query(sql)
            .bind(endpoint.id)
            .bind(&endpoint.url)
            .bind(&endpoint.description)
            .bind(trail_types(endpoint))
            .bind(&endpoint.secret.0)
            .bind(previous.map(|(sealed, _)| &sealed.0))
            .bind(previous.map(|(_, until)| *until))
            .bind(endpoint.created_at)
            .bind(endpoint.updated_at)
            .execute(self.pool())
            .await
            .map_err(StoreError::new)?;
        Ok(written.rows_affected())
    }
}

#[async_trait]
impl WebhookStore for PostgresStore {
    #[tracing::instrument(skip_all, fields(webhook_id = %endpoint.id))]
    async fn insert_endpoint(&self, endpoint: &WebhookEndpoint) -> Result<(), StoreError> {
        self.write_endpoint(
            r#"
            INSERT INTO webhook_endpoints (id, url, description, event_types, secret_sealed,
                previous_secret_sealed, previous_secret_until, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            "#,
            endpoint,
        )
        .await
        .map(|_| ())
    }

    #[tracing::instrument(skip_all)]
    async fn list_endpoints(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let rows: Vec<EndpointRow> = sqlx::query_as(concat!(
            "SELECT ",
            endpoint_columns!(),
            " FROM webhook_endpoints w ORDER BY w.created_at, w.id"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::new)?;
        rows.into_iter()
            .map(|row| WebhookEndpoint::try_from(row).map_err(StoreError::from))
            .collect()
    }

    #[tracing::instrument(skip_all, fields(webhook_id = %id))]
    async fn find_endpoint(&self, id: Uuid) -> Result<Option<WebhookEndpoint>, StoreError> {
        let row: Option<EndpointRow> = sqlx::query_as(concat!(
            "SELECT ",
            endpoint_columns!(),
            " FROM webhook_endpoints w WHERE w.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::new)?;
        row.map(WebhookEndpoint::try_from)
            .transpose()
            .map_err(StoreError::from)
    }

    #[tracing::instrument(skip_all, fields(webhook_id = %endpoint.id))]
    async fn update_endpoint(&self, endpoint: &WebhookEndpoint) -> Result<bool, StoreError> {
        let updated = self
            .write_endpoint(
                r#"
                UPDATE webhook_endpoints SET url = $2, description = $3, event_types = $4,
                    secret_sealed = $5, previous_secret_sealed = $6, previous_secret_until = $7,
                    created_at = $8, updated_at = $9
                WHERE id = $1
                "#,
                endpoint,
            )
            .await?;
        Ok(updated == 1)
    }

    #[tracing::instrument(skip_all, fields(webhook_id = %id))]
    async fn delete_endpoint(&self, id: Uuid) -> Result<bool, StoreError> {
        let deleted = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(StoreError::new)?;
        Ok(deleted.rows_affected() == 1)
    }

    #[tracing::instrument(skip_all, fields(webhook_id = %endpoint_id))]
    async fn list_deliveries(
        &self,
        endpoint_id: Uuid,
        status: Option<DeliveryStatus>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let rows: Vec<DeliveryRow> = sqlx::query_as(
            r#"
            SELECT d.id, d.event_id, e.event_type, d.status, d.attempts, d.created_at,
                   d.next_attempt_at, d.last_status_code, d.last_error, d.delivered_at
            FROM webhook_deliveries d JOIN session_events e ON e.id = d.event_id
            WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.status = $2)
            ORDER BY d.created_at DESC, d.id DESC
            LIMIT $3
            "#,
        )
        .bind(endpoint_id)
        .bind(status.map(DeliveryStatus::as_str))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::new)?;
        rows.into_iter()
            .map(|row| Delivery::try_from(row).map_err(StoreError::from))
            .collect()
    }

    #[tracing::instrument(skip_all, fields(webhook_id = %endpoint_id, %delivery_id))]
    async fn retry_delivery(
        &self,
        endpoint_id: Uuid,
        delivery_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            r#"
            UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3,
                retry_from = $3, locked_until = NULL
            WHERE id = $2 AND endpoint_id = $1
            "#,
        )
        .bind(endpoint_id)
        .bind(delivery_id)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(StoreError::new)?;
        Ok(updated.rows_affected() == 1)
    }

    #[tracing::instrument(skip_all)]
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let rows: Vec<ClaimRow> = sqlx::query_as(concat!(
            r#"
            WITH claimed AS (
                UPDATE webhook_deliveries d SET attempts = d.attempts + 1, locked_until = $2
                WHERE d.id IN (
                    SELECT id FROM webhook_deliveries
                    WHERE status = 'pending' AND next_attempt_at <= $1
                      AND (locked_until IS NULL OR locked_until <= $1)
                    ORDER BY next_attempt_at
                    LIMIT $3
                    FOR UPDATE SKIP LOCKED)
                RETURNING d.id, d.endpoint_id, d.event_id, d.attempts, d.retry_from
            )
            SELECT c.id AS delivery_id, c.attempts, c.retry_from, "#,
            endpoint_columns!(),
            ", ",
            "e.id, e.session_id, e.user_id, e.event_type, e.occurred_at, e.data::text AS data, \
             e.actor, e.actor_session_id, e.incident_id, e.ip, e.user_agent, e.device, e.location \
             FROM claimed c JOIN webhook_endpoints w ON w.id = c.endpoint_id \
             JOIN session_events e ON e.id = c.event_id"
        ))
        .bind(now)
        .bind(lease_until)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::new)?;
        rows.into_iter()
            .map(|row| ClaimedDelivery::try_from(row).map_err(StoreError::from))
            .collect()
    }

    #[tracing::instrument(skip_all, fields(attempts = attempts.len()))]
    async fn record_attempts(&self, attempts: &[AttemptRecord]) -> Result<(), StoreError> {
        if attempts.is_empty() {
            return Ok(());
        }
        let mut ids = Vec::with_capacity(attempts.len());
        let mut delivered = Vec::with_capacity(attempts.len());
        let mut codes = Vec::with_capacity(attempts.len());
        let mut errors = Vec::with_capacity(attempts.len());
        let mut next = Vec::with_capacity(attempts.len());
        let mut answered = Vec::with_capacity(attempts.len());
        for attempt in attempts {
            let (ok, code, error) = outcome_columns(&attempt.outcome);
            ids.push(attempt.delivery_id);
            delivered.push(ok);
            codes.push(code);
            errors.push(error);
            next.push(attempt.next_attempt_at);
            answered.push(attempt.answered_at);
        }
        sqlx::query(
            r#"
            UPDATE webhook_deliveries d SET
                status = CASE WHEN a.delivered THEN 'delivered'
                              WHEN a.next_at IS NULL THEN 'failed'
                              ELSE 'pending' END,
                last_status_code = a.code, last_error = a.error,
                next_attempt_at = COALESCE(a.next_at, d.next_attempt_at),
                delivered_at = CASE WHEN a.delivered THEN a.answered_at END,
                locked_until = NULL
            FROM UNNEST($1::uuid[], $2::bool[], $3::int[], $4::text[], $5::timestamptz[],
                        $6::timestamptz[]) AS a(id, delivered, code, error, next_at, answered_at)
            WHERE d.id = a.id
            "#,
        )
        .bind(ids)
        .bind(delivered)
        .bind(codes)
        .bind(errors)
        .bind(next)
        .bind(answered)
        .execute(self.pool())
        .await
        .map_err(StoreError::new)?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn queue(&self, now: DateTime<Utc>) -> Result<(u64, Option<DateTime<Utc>>), StoreError> {
        let (pending, oldest_due): (i64, Option<DateTime<Utc>>) = sqlx::query_as(
            r#"
            SELECT count(*), min(next_attempt_at) FILTER (WHERE next_attempt_at <= $1)
            FROM webhook_deliveries WHERE status = 'pending'
            "#,
        )
        .bind(now)
        .fetch_one(self.pool())
        .await
        .map_err(StoreError::new)?;
        Ok((pending.unsigned_abs(), oldest_due))
    }
}
