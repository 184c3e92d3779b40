//! Ports: webhook endpoints and their deliveries (the outbox), the sending of one delivery,
//! and the sealing of endpoints' signing secrets.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_domain::{DeliveryStatus, RecordedEvent, WebhookEventType};
use uuid::Uuid;

use super::StoreError;
use crate::SecretToken;

/// A signing secret sealed with the master key: stored, never shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedSecret(pub Vec<u8>);

/// An endpoint as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookEndpoint {
    /// Identity.
    pub id: Uuid,
    /// Where deliveries are sent (POST).
    pub url: String,
    /// What the administrator wrote about it.
    pub description: Option<String>,
    /// What it receives.
    pub event_types: Vec<WebhookEventType>,
    /// The current signing secret.
    pub secret: SealedSecret,
    /// The secret before the last rotation, still signing until the given time.
    pub previous_secret: Option<(SealedSecret, DateTime<Utc>)>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A delivery as the administrators see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// Identity, also the `webhook-id` header.
    pub id: Uuid,
    /// The audit-trail event it notifies of.
    pub event_id: i64,
    /// That event's type.
    pub event_type: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: u32,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it is tried next (pending deliveries).
    pub next_attempt_at: DateTime<Utc>,
    /// The last answer's status code, if an answer came.
    pub last_status_code: Option<u16>,
    /// What went wrong last, if anything.
    pub last_error: Option<String>,
    /// When a 2xx came.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A delivery a sender took, with what sending it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedDelivery {
    /// Identity, the `webhook-id`.
    pub id: Uuid,
    /// This attempt's number (1 for the first).
    pub attempt: u32,
    /// Where its retry period started.
    pub retry_from: DateTime<Utc>,
    /// Where it goes.
    pub endpoint: WebhookEndpoint,
    /// What it notifies of.
    pub event: RecordedEvent,
}

/// How one attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// A 2xx answer.
    Delivered {
        /// Its status code.
        status: u16,
    },
    /// Anything else: another status, a refused target, a timeout, a connection failure.
    Failed {
        /// The answer's status code, if one came.
        status: Option<u16>,
        /// What went wrong, for the administrators.
        error: String,
    },
}

/// How one attempt ended, to record: delivered, pending again from `next_attempt_at`, or
/// failed for good when that is `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptRecord {
    /// The delivery.
    pub delivery_id: Uuid,
    /// The outcome.
    pub outcome: AttemptOutcome,
    /// When to try again after a failure; `None` gives up.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the attempt ended.
    pub answered_at: DateTime<Utc>,
}

/// Endpoints and their deliveries. Deliveries are recorded by the store itself, in the
/// transaction of each audit-trail event an endpoint subscribes to.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Stores a new endpoint.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn insert_endpoint(&self, endpoint: &WebhookEndpoint) -> Result<(), StoreError>;

    /// Every endpoint, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn list_endpoints(&self) -> Result<Vec<WebhookEndpoint>, StoreError>;

    /// One endpoint.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; an unknown id is `Ok(None)`.
    async fn find_endpoint(&self, id: Uuid) -> Result<Option<WebhookEndpoint>, StoreError>;

    /// Writes every field of an existing endpoint; returns whether it exists.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn update_endpoint(&self, endpoint: &WebhookEndpoint) -> Result<bool, StoreError>;

    /// Deletes an endpoint with its deliveries; returns whether it existed.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn delete_endpoint(&self, id: Uuid) -> Result<bool, StoreError>;

    /// An endpoint's latest deliveries (at most `limit`, newest first), of `status` if
    /// given.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn list_deliveries(
        &self,
        endpoint_id: Uuid,
        status: Option<DeliveryStatus>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// Makes a delivery of the endpoint pending again, due at `now`, its retry period
    /// starting anew; returns whether it exists.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn retry_delivery(
        &self,
        endpoint_id: Uuid,
        delivery_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Takes at most `limit` pending deliveries due at `now` that no other sender holds,
    /// counting an attempt for each and holding them until `lease_until`: concurrent
    /// senders (instances) never take the same delivery.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails or a stored row cannot be read back.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError>;

    /// Records how attempts ended and releases their deliveries, in one transaction.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; nothing is recorded then.
    async fn record_attempts(&self, attempts: &[AttemptRecord]) -> Result<(), StoreError>;

    /// How many deliveries are pending, and when the oldest due one was due.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn queue(&self, now: DateTime<Utc>) -> Result<(u64, Option<DateTime<Utc>>), StoreError>;
}

/// One signed request to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingWebhook {
    /// The endpoint's URL.
    pub url: String,
    /// The `webhook-id`.
    pub id: Uuid,
    /// The `webhook-timestamp`.
    pub timestamp: DateTime<Utc>,
    /// The JSON body.
    pub body: Vec<u8>,
    /// The secrets to sign with (a rotation's overlap signs with two).
    pub secrets: Vec<SecretToken>,
}

/// Why a webhook target is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("webhook target refused: {0}")]
pub struct TargetRefused(pub String);

/// Sends deliveries, and tells which targets may receive them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait WebhookSender: Send + Sync {
    /// Checks that `url` may be a target (scheme, and where its host resolves).
    ///
    /// # Errors
    /// [`TargetRefused`] saying why.
    async fn check_target(&self, url: &str) -> Result<(), TargetRefused>;

    /// Sends one delivery (a POST) with its Standard Webhooks headers, checking the target again
    /// first; never follows a redirect.
    async fn send(&self, webhook: &OutgoingWebhook) -> AttemptOutcome;
}

/// Makes endpoints' signing secrets and seals them for storage.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait WebhookSecrets: Send + Sync {
    /// A new secret (`whsec_…`, shown once) and its sealed form.
    fn generate(&self) -> (SecretToken, SealedSecret);

    /// The secret of a sealed one, or `None` when it cannot be opened (another master key).
    fn open(&self, sealed: &SealedSecret) -> Option<SecretToken>;
}
