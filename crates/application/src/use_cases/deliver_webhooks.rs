//! Use case: one round of a webhook sender (every instance runs one) — take the due
//! deliveries no other sender holds, sign and POST them at once, and record how each went:
//! delivered, tried again later with backoff, or failed for good after the retry period.

use chrono::TimeDelta;
use serde_json::{Value, json};
use sessions_domain::{DeviceInfo, RecordedEvent, UserAgent, WebhookEventType};
use tokio::task::JoinSet;

use crate::{
    Application, event_data,
    ports::{AttemptOutcome, AttemptRecord, ClaimedDelivery, OutgoingWebhook, StoreError},
    telemetry,
};

/// Most deliveries one round takes (and sends at once).
const ROUND: u32 = 128;

/// How long a sender holds the deliveries it took: longer than a round's attempts (each
/// times out after 10 s, all at once), so that no other sender takes them meanwhile, and
/// short enough that a crashed sender's deliveries are soon taken by another.
const LEASE: TimeDelta = TimeDelta::seconds(60);

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryRound {
    /// Deliveries taken.
    pub taken: u32,
    /// Answered with a 2xx.
    pub delivered: u32,
    /// Failed, to be tried again.
    pub retrying: u32,
    /// Failed for good.
    pub failed: u32,
    /// Whether it took as many as a round takes: more may be due.
    pub full: bool,
}

impl Application {
    /// Takes the due deliveries, sends them concurrently and records their outcomes at once.
    ///
    /// # Errors
    /// [`StoreError`] when taking the deliveries or recording their outcomes fails; then
    /// they are taken again once their lease ends (and sent again: at least once).
    pub async fn deliver_webhooks(&self) -> Result<DeliveryRound, StoreError> {
        let now = self.ports.clock.now();
        let claimed = self
            .ports
            .storage
            .webhooks
            .claim_due(now, now + LEASE, ROUND)
            .await?;
        let taken = u32::try_from(claimed.len()).unwrap_or(u32::MAX);
        let mut round = DeliveryRound {
            taken,
            full: taken >= ROUND,
            ..DeliveryRound::default()
        };
        let mut sends = JoinSet::new();
        for delivery in claimed {
            let app = self.clone();
            sends.spawn(async move { app.deliver(delivery).await });
        }
        let mut attempts = Vec::with_capacity(taken as usize);
        while let Some(sent) = sends.join_next().await {
            match sent {
                Ok((attempt, label)) => {
                    match label {
                        "delivered" => round.delivered += 1,
                        "retrying" => round.retrying += 1,
                        _ => round.failed += 1,
                    }
                    attempts.push(attempt);
                }
                Err(error) => tracing::error!(%error, "a webhook send panicked"),
            }
        }
        self.ports
            .storage
            .webhooks
            .record_attempts(&attempts)
            .await?;
        Ok(round)
    }

    /// Sends one delivery; returns how it went, to record, and `delivered`, `retrying` or
    /// `failed`.
    async fn deliver(&self, delivery: ClaimedDelivery) -> (AttemptRecord, &'static str) {
        let now = self.ports.clock.now();
        let outcome = match self.outgoing(&delivery, now) {
            Ok(webhook) => self.ports.webhook_sender.send(&webhook).await,
            Err(why) => AttemptOutcome::Failed {
                status: None,
                error: why.to_owned(),
            },
        };
        let answered = self.ports.clock.now();
        let (next, label) = match &outcome {
            AttemptOutcome::Delivered { .. } => {
                #[allow(clippy::cast_precision_loss)] // lags are far below 2^52 ms
                telemetry::webhook_lag(
                    (answered - delivery.event.at).num_milliseconds() as f64 / 1000.0,
                );
                (None, "delivered")
            }
            AttemptOutcome::Failed { status, error } => {
                let next = self.policy.webhook_retries.next_attempt(
                    delivery.attempt,
                    delivery.retry_from,
                    answered,
                    rand::random::<f64>(),
                );
                tracing::warn!(
                    delivery_id = %delivery.id,
                    attempt = delivery.attempt,
                    status,
                    error,
                    gives_up = next.is_none(),
                    "webhook delivery failed"
                );
                (next, if next.is_some() { "retrying" } else { "failed" })
            }
        };
        telemetry::webhook_attempt(label);
        let attempt = AttemptRecord {
            delivery_id: delivery.id,
            outcome,
            next_attempt_at: next,
            answered_at: answered,
        };
        (attempt, label)
    }

    /// The signed request of `delivery`, or why it cannot be made.
    fn outgoing(
        &self,
        delivery: &ClaimedDelivery,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<OutgoingWebhook, &'static str> {
        let kind = WebhookEventType::of_trail_type(delivery.event.kind.type_name())
            .ok_or("the event's type is no notification")?;
        let endpoint = &delivery.endpoint;
        let secrets = &self.ports.webhook_secrets;
        let mut keys = vec![
            secrets
                .open(&endpoint.secret)
                .ok_or("the signing secret cannot be opened with this master key")?,
        ];
        if let Some((previous, until)) = &endpoint.previous_secret
            && *until > now
        {
            keys.extend(secrets.open(previous));
        }
        Ok(OutgoingWebhook {
            url: endpoint.url.clone(),
            id: delivery.id,
            timestamp: now,
            body: payload(&delivery.event, kind).to_string().into_bytes(),
            secrets: keys,
        })
    }

    /// Sets the webhook queue's gauges: how many deliveries are pending, and how overdue
    /// the oldest due one is.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    pub async fn measure_webhook_queue(&self) -> Result<(), StoreError> {
        let now = self.ports.clock.now();
        let (pending, oldest_due) = self.ports.storage.webhooks.queue(now).await?;
        #[allow(clippy::cast_precision_loss)] // seconds overdue are far below 2^52 ms
        let overdue = oldest_due.map_or(0.0, |due| {
            (now - due).num_milliseconds().max(0) as f64 / 1000.0
        });
        telemetry::webhook_queue(pending, overdue);
        Ok(())
    }
}

/// The Standard Webhooks payload of `event`: its type as receivers know it, when it
/// happened, and what the trail records of it — never a token or a password.
fn payload(event: &RecordedEvent, kind: WebhookEventType) -> Value {
    let origin = event.cause.origin.as_ref();
    let mut data = json!({
        "event_id": event.sequence,
        "session_id": event.session_id.map(|id| id.to_string()),
        "user_id": event.user_id.map(|id| id.to_string()),
        "actor": {
            "type": event.cause.actor.kind_name(),
            "session_id": event.cause.actor.session_id().map(|id| id.to_string()),
        },
        "incident_id": event.cause.incident.map(|id| id.to_string()),
        "ip": origin.map(|origin| origin.ip.to_string()),
        "user_agent": origin.and_then(|origin| origin.user_agent.as_ref()).map(UserAgent::as_str),
        "device": origin.and_then(|origin| origin.device.as_ref()).map(DeviceInfo::as_str),
        "location": origin.and_then(|origin| origin.location.as_ref()).map(ToString::to_string),
    });
    if let (Value::Object(fields), Value::Object(own)) =
        (&mut data, event_data::audit_to_data(&event.kind))
    {
        fields.extend(own);
    }
    json!({
        "type": kind.name(),
        "timestamp": event.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        "data": data,
    })
}

#[cfg(test)]
mod tests;
