//! Use cases: administrators manage webhook endpoints — create (the signing secret shown
//! once), list, read, update, delete, rotate the secret — and look at and retry deliveries.

use chrono::TimeDelta;
use sessions_domain::{DeliveryStatus, WebhookEventType};
use uuid::Uuid;

use crate::{
    Application, SecretToken,
    ports::{Delivery, StoreError, TargetRefused, WebhookEndpoint},
};

/// How long the secret before a rotation still signs, so that receivers can switch.
const SECRET_OVERLAP: TimeDelta = TimeDelta::hours(24);

/// Longest URL accepted.
const MAX_URL_LEN: usize = 2048;

/// Longest description accepted.
const MAX_DESCRIPTION_LEN: usize = 500;

/// What an endpoint is: where, what, and a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointSettings {
    /// Where deliveries are sent (POST).
    pub url: String,
    /// What it receives (at least one type).
    pub event_types: Vec<WebhookEventType>,
    /// A note.
    pub description: Option<String>,
}

/// Why an endpoint cannot be created or changed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// No such endpoint (or delivery of it).
    #[error("webhook not found")]
    NotFound,
    /// The settings are not acceptable.
    #[error("{0}")]
    Invalid(&'static str),
    /// The target may not receive deliveries.
    #[error(transparent)]
    TargetRefused(#[from] TargetRefused),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Creates an endpoint; returns it and its signing secret, shown this once.
    ///
    /// # Errors
    /// See [`WebhookError`].
    #[tracing::instrument(skip_all)]
    pub async fn create_webhook(
        &self,
        settings: EndpointSettings,
    ) -> Result<(WebhookEndpoint, SecretToken), WebhookError> {
        self.check_settings(&settings).await?;
        let now = self.ports.clock.now();
        let (secret, sealed) = self.ports.webhook_secrets.generate();
        let endpoint = WebhookEndpoint {
            id: self.ports.ids.next_id(),
            url: settings.url,
            description: settings.description,
            event_types: settings.event_types,
            secret: sealed,
            previous_secret: None,
            created_at: now,
            updated_at: now,
        };
        self.ports
            .storage
            .webhooks
            .insert_endpoint(&endpoint)
            .await?;
        tracing::info!(webhook_id = %endpoint.id, "webhook endpoint created");
        Ok((endpoint, secret))
    }

    /// Every endpoint.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    pub async fn list_webhooks(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        self.ports.storage.webhooks.list_endpoints().await
    }

    /// One endpoint.
    ///
    /// # Errors
    /// [`WebhookError::NotFound`], or the store's failure.
    pub async fn get_webhook(&self, id: Uuid) -> Result<WebhookEndpoint, WebhookError> {
        self.ports
            .storage
            .webhooks
            .find_endpoint(id)
            .await?
            .ok_or(WebhookError::NotFound)
    }

    /// Replaces an endpoint's URL, types and description.
    ///
    /// # Errors
    /// See [`WebhookError`].
    #[tracing::instrument(skip_all, fields(webhook_id = %id))]
    pub async fn update_webhook(
        &self,
        id: Uuid,
        settings: EndpointSettings,
    ) -> Result<WebhookEndpoint, WebhookError> {
        self.check_settings(&settings).await?;
        let mut endpoint = self.get_webhook(id).await?;
        endpoint.url = settings.url;
        endpoint.event_types = settings.event_types;
        endpoint.description = settings.description;
        endpoint.updated_at = self.ports.clock.now();
        self.save_webhook(endpoint).await
    }

    /// Deletes an endpoint and its deliveries.
    ///
    /// # Errors
    /// See [`WebhookError`].
    #[tracing::instrument(skip_all, fields(webhook_id = %id))]
    pub async fn delete_webhook(&self, id: Uuid) -> Result<(), WebhookError> {
        if self.ports.storage.webhooks.delete_endpoint(id).await? {
            tracing::info!("webhook endpoint deleted");
            Ok(())
        } else {
            Err(WebhookError::NotFound)
        }
    }

    /// Gives an endpoint a new signing secret, shown this once; the old one still signs for
    /// [`SECRET_OVERLAP`], beside the new one.
    ///
    /// # Errors
    /// See [`WebhookError`].
    #[tracing::instrument(skip_all, fields(webhook_id = %id))]
    pub async fn rotate_webhook_secret(
        &self,
        id: Uuid,
    ) -> Result<(WebhookEndpoint, SecretToken), WebhookError> {
        let mut endpoint = self.get_webhook(id).await?;
        let now = self.ports.clock.now();
        let (secret, sealed) = self.ports.webhook_secrets.generate();
        let previous = std::mem::replace(&mut endpoint.secret, sealed);
        endpoint.previous_secret = Some((previous, now + SECRET_OVERLAP));
        endpoint.updated_at = now;
        let endpoint = self.save_webhook(endpoint).await?;
        tracing::info!("webhook secret rotated");
        Ok((endpoint, secret))
    }

    /// An endpoint's latest deliveries, of `status` if given.
    ///
    /// # Errors
    /// See [`WebhookError`].
    pub async fn list_deliveries(
        &self,
        id: Uuid,
        status: Option<DeliveryStatus>,
        limit: u32,
    ) -> Result<Vec<Delivery>, WebhookError> {
        self.get_webhook(id).await?;
        Ok(self
            .ports
            .storage
            .webhooks
            .list_deliveries(id, status, limit)
            .await?)
    }

    /// Makes a delivery pending again, due now, with a retry period of its own.
    ///
    /// # Errors
    /// See [`WebhookError`].
    #[tracing::instrument(skip_all, fields(webhook_id = %id, %delivery_id))]
    pub async fn retry_delivery(&self, id: Uuid, delivery_id: Uuid) -> Result<(), WebhookError> {
        let now = self.ports.clock.now();
        if self
            .ports
            .storage
            .webhooks
            .retry_delivery(id, delivery_id, now)
            .await?
        {
            Ok(())
        } else {
            Err(WebhookError::NotFound)
        }
    }

    async fn save_webhook(
        &self,
        endpoint: WebhookEndpoint,
    ) -> Result<WebhookEndpoint, WebhookError> {
        if self
            .ports
            .storage
            .webhooks
            .update_endpoint(&endpoint)
            .await?
        {
            Ok(endpoint)
        } else {
            Err(WebhookError::NotFound)
        }
    }

    async fn check_settings(&self, settings: &EndpointSettings) -> Result<(), WebhookError> {
        if settings.url.chars().count() > MAX_URL_LEN {
            return Err(WebhookError::Invalid("url: too long"));
        }
        if settings.event_types.is_empty() {
            return Err(WebhookError::Invalid("events: at least one is required"));
        }
        if settings
            .description
            .as_ref()
            .is_some_and(|text| text.chars().count() > MAX_DESCRIPTION_LEN)
        {
            return Err(WebhookError::Invalid("description: too long"));
        }
        self.ports
            .webhook_sender
            .check_target(&settings.url)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
