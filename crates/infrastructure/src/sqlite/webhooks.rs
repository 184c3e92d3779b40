//! Webhook endpoints and their deliveries in SQLite. Deliveries are recorded by the trigger
//! on `session_events` (the outbox); a sender takes them in one write transaction with a
//! lease (SQLite's single writer serialises the instances' senders).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_application::ports::{
    AttemptRecord, ClaimedDelivery, Delivery, SealedSecret, StoreError, WebhookEndpoint,
    WebhookStore,
};
use sessions_domain::{DeliveryStatus, RecordedEvent, WebhookEventType};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{
    SqliteStore,
    encoding::{corrupt, micros, time, uuid},
    events::{EVENT_COLUMNS, EventRow},
};
use crate::{CorruptRow, delivery_outcome::outcome_columns, event_record::StoredEvent};

const ENDPOINT_COLUMNS: &str = "w.id AS endpoint_id, w.url, w.description, w.event_types, \
     w.secret_sealed, w.previous_secret_sealed, w.previous_secret_until, \
     w.created_at AS endpoint_created_at, w.updated_at AS endpoint_updated_at";

#[derive(sqlx::FromRow)]
struct EndpointRow {
    endpoint_id: String,
    url: String,
    description: Option<String>,
    event_types: String,
    secret_sealed: Vec<u8>,
    previous_secret_sealed: Option<Vec<u8>>,
    previous_secret_until: Option<i64>,
    endpoint_created_at: i64,
    endpoint_updated_at: i64,
}

impl TryFrom<EndpointRow> for WebhookEndpoint {
    type Error = CorruptRow;

    fn try_from(row: EndpointRow) -> Result<Self, CorruptRow> {
        const TABLE: &str = "webhook_endpoints";
        let names: Vec<String> = serde_json::from_str(&row.event_types)
            .map_err(|error| corrupt(TABLE, error.to_string()))?;
        let event_types = names
            .iter()
            .map(|name| {
                WebhookEventType::of_trail_type(name)
                    .ok_or_else(|| corrupt(TABLE, format!("event type {name:?}")))
            })
            .collect::<Result<_, _>>()?;
        let previous_secret = match (row.previous_secret_sealed, row.previous_secret_until) {
            (Some(sealed), Some(until)) => Some((SealedSecret(sealed), time(TABLE, until)?)),
            _ => None,
        };
        Ok(Self {
            id: uuid(TABLE, &row.endpoint_id)?,
            url: row.url,
            description: row.description,
            event_types,
            secret: SealedSecret(row.secret_sealed),
            previous_secret,
            created_at: time(TABLE, row.endpoint_created_at)?,
            updated_at: time(TABLE, row.endpoint_updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: String,
    event_id: i64,
    event_type: String,
    status: String,
    attempts: i64,
    created_at: i64,
    next_attempt_at: i64,
    last_status_code: Option<i64>,
    last_error: Option<String>,
    delivered_at: Option<i64>,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = CorruptRow;

    fn try_from(row: DeliveryRow) -> Result<Self, CorruptRow> {
        const TABLE: &str = "webhook_deliveries";
        Ok(Self {
            id: uuid(TABLE, &row.id)?,
            event_id: row.event_id,
            event_type: row.event_type,
            status: DeliveryStatus::from_name(&row.status)
                .ok_or_else(|| corrupt(TABLE, format!("status {:?}", row.status)))?,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            created_at: time(TABLE, row.created_at)?,
            next_attempt_at: time(TABLE, row.next_attempt_at)?,
            last_status_code: row
                .last_status_code
                .and_then(|code| u16::try_from(code).ok()),
            last_error: row.last_error,
            delivered_at: row.delivered_at.map(|at| time(TABLE, at)).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    delivery_id: String,
    attempts: i64,
    retry_from: i64,
    #[sqlx(flatten)]
    endpoint: EndpointRow,
    #[sqlx(flatten)]
    event: EventRow,
}

impl TryFrom<ClaimRow> for ClaimedDelivery {
    type Error = CorruptRow;

    fn try_from(row: ClaimRow) -> Result<Self, CorruptRow> {
        const TABLE: &str = "webhook_deliveries";
        Ok(Self {
            id: uuid(TABLE, &row.delivery_id)?,
            attempt: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            retry_from: time(TABLE, row.retry_from)?,
            endpoint: WebhookEndpoint::try_from(row.endpoint)?,
            event: RecordedEvent::try_from(StoredEvent::try_from(row.event)?)?,
        })
    }
}

fn trail_types(endpoint: &WebhookEndpoint) -> String {
    serde_json::Value::from(
        endpoint
            .event_types
            .iter()
            .map(|kind| kind.trail_type())
            .collect::<Vec<_>>(),
    )
    .to_string()
}

impl SqliteStore {
    async fn write_endpoint(
        &self,
        sql: &str,
        endpoint: &WebhookEndpoint,
    ) -> Result<u64, StoreError> {
        let written = sqlx::query(sql)
            .bind(endpoint.id.to_string())
            .bind(&endpoint.url)
            .bind(&endpoint.description)
            .bind(trail_types(endpoint))
            .bind(&endpoint.secret.0)
            .bind(
                endpoint
                    .previous_secret
                    .as_ref()
                    .map(|(sealed, _)| &sealed.0),
            )
            .bind(
                endpoint
                    .previous_secret
                    .as_ref()
                    .map(|(_, until)| micros(*until)),
            )
            .bind(micros(endpoint.created_at))
            .bind(micros(endpoint.updated_at))
            .execute(self.writer())
            .await
            .map_err(StoreError::new)?;
        Ok(written.rows_affected())
    }

    async fn endpoints(
        &self,
        condition: &str,
        id: Option<Uuid>,
    ) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let sql = format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints w WHERE {condition} \
             ORDER BY w.created_at, w.id"
        );
        let rows: Vec<EndpointRow> = sqlx::query_as(&sql)
            .bind(id.map(|id| id.to_string()))
            .fetch_all(self.readers())
            .await
            .map_err(StoreError::new)?;
        rows.into_iter()
            .map(|row| WebhookEndpoint::try_from(row).map_err(StoreError::from))
            .collect()
    }
}

#[async_trait]
impl WebhookStore for SqliteStore {
    #[tracing::instrument(skip_all, fields(webhook_id = %endpoint.id))]
    async fn insert_endpoint(&self, endpoint: &WebhookEndpoint) -> Result<(), StoreError> {
        self.write_endpoint(
            "INSERT INTO webhook_endpoints (id, url, description, event_types, secret_sealed, \
             previous_secret_sealed, previous_secret_until, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            endpoint,
        )
        .await
        .map(|_| ())
    }

    #[tracing::instrument(skip_all)]
    async fn list_endpoints(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        self.endpoints("?1 IS NULL", None).await
    }

    #[tracing::instrument(skip_all, fields(webhook_id = %id))]
    async fn find_endpoint(&self, id: Uuid) -> Result<Option<WebhookEndpoint>, StoreError> {
        Ok(self.endpoints("w.id = ?1", Some(id)).await?.pop())
    }

    #[tracing::instrument(skip_all, fields(webhook_id = %endpoint.id))]
    async fn update_endpoint(&self, endpoint: &WebhookEndpoint) -> Result<bool, StoreError> {
        let updated = self
            .write_endpoint(
                "UPDATE webhook_endpoints SET url = ?2, description = ?3, event_types = ?4, \
                 secret_sealed = ?5, previous_secret_sealed = ?6, previous_secret_until = ?7, \
                 created_at = ?8, updated_at = ?9 WHERE id = ?1",
                endpoint,
            )
            .await?;
        Ok(updated == 1)
    }

    #[tracing::instrument(skip_all, fields(webhook_id = %id))]
    async fn delete_endpoint(&self, id: Uuid) -> Result<bool, StoreError> {
        let deleted = sqlx::query("DELETE FROM webhook_endpoints WHERE id = ?1")
            .bind(id.to_string())
            .execute(self.writer())
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
            "SELECT d.id, d.event_id, e.event_type, d.status, d.attempts, d.created_at, \
                    d.next_attempt_at, d.last_status_code, d.last_error, d.delivered_at \
             FROM webhook_deliveries d JOIN session_events e ON e.id = d.event_id \
             WHERE d.endpoint_id = ?1 AND (?2 IS NULL OR d.status = ?2) \
             ORDER BY d.created_at DESC, d.id DESC LIMIT ?3",
        )
        .bind(endpoint_id.to_string())
        .bind(status.map(DeliveryStatus::as_str))
        .bind(i64::from(limit))
        .fetch_all(self.readers())
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
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?3, \
             retry_from = ?3, locked_until = NULL WHERE id = ?2 AND endpoint_id = ?1",
        )
        .bind(endpoint_id.to_string())
        .bind(delivery_id.to_string())
        .bind(micros(now))
        .execute(self.writer())
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
        // A sender looks many times a second: a read tells whether anything is due before
        // the one writer is taken from the requests.
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?1 \
             AND (locked_until IS NULL OR locked_until <= ?1) LIMIT 1",
        )
        .bind(micros(now))
        .fetch_optional(self.readers())
        .await
        .map_err(StoreError::new)?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await.map_err(StoreError::new)?;
        let claimed: Vec<String> = sqlx::query_scalar(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, locked_until = ?2 \
             WHERE id IN (SELECT id FROM webhook_deliveries \
                          WHERE status = 'pending' AND next_attempt_at <= ?1 \
                            AND (locked_until IS NULL OR locked_until <= ?1) \
                          ORDER BY next_attempt_at LIMIT ?3) \
             RETURNING id",
        )
        .bind(micros(now))
        .bind(micros(lease_until))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(StoreError::new)?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = QueryBuilder::new("SELECT d.id AS delivery_id, d.attempts, d.retry_from, ");
        sql.push(ENDPOINT_COLUMNS)
            .push(", ")
            .push(EVENT_COLUMNS)
            .push(
                " FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id \
                 JOIN session_events e ON e.id = d.event_id WHERE d.id IN (",
            );
        let mut ids = sql.separated(", ");
        for id in &claimed {
            ids.push_bind(id);
        }
        sql.push(")");
        let rows: Vec<ClaimRow> = sql
            .build_query_as()
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::new)?;
        tx.commit().await.map_err(StoreError::new)?;
        rows.into_iter()
            .map(|row| ClaimedDelivery::try_from(row).map_err(StoreError::from))
            .collect()
    }

    #[tracing::instrument(skip_all, fields(attempts = attempts.len()))]
    async fn record_attempts(&self, attempts: &[AttemptRecord]) -> Result<(), StoreError> {
        if attempts.is_empty() {
            return Ok(());
        }
        // One transaction, one sync, for a round's outcomes.
        let mut tx = self.begin_write().await.map_err(StoreError::new)?;
        for attempt in attempts {
            let (delivered, status, error) = outcome_columns(&attempt.outcome);
            sqlx::query(
                "UPDATE webhook_deliveries SET \
                    status = CASE WHEN ?2 THEN 'delivered' WHEN ?5 IS NULL THEN 'failed' \
                                  ELSE 'pending' END, \
                    last_status_code = ?3, last_error = ?4, \
                    next_attempt_at = COALESCE(?5, next_attempt_at), \
                    delivered_at = CASE WHEN ?2 THEN ?6 END, locked_until = NULL \
                 WHERE id = ?1",
            )
            .bind(attempt.delivery_id.to_string())
            .bind(delivered)
            .bind(status)
            .bind(error)
            .bind(attempt.next_attempt_at.map(micros))
            .bind(micros(attempt.answered_at))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::new)?;
        }
        tx.commit().await.map_err(StoreError::new)
    }

    #[tracing::instrument(skip_all)]
    async fn queue(&self, now: DateTime<Utc>) -> Result<(u64, Option<DateTime<Utc>>), StoreError> {
        let (pending, oldest_due): (i64, Option<i64>) = sqlx::query_as(
            "SELECT count(*), min(CASE WHEN next_attempt_at <= ?1 THEN next_attempt_at END) \
             FROM webhook_deliveries WHERE status = 'pending'",
        )
        .bind(micros(now))
        .fetch_one(self.readers())
        .await
        .map_err(StoreError::new)?;
        Ok((
            pending.unsigned_abs(),
            oldest_due
                .map(|at| time("webhook_deliveries", at))
                .transpose()?,
        ))
    }
}
