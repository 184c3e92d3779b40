//! Administration of webhook endpoints — create (the signing secret shown once), list,
//! read, replace, delete, rotate the secret — and of their deliveries: list, retry.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sessions_application::{
    SecretToken,
    ports::{Delivery, WebhookEndpoint},
    use_cases::EndpointSettings,
};
use sessions_domain::{DeliveryStatus, WebhookEventType};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    dto::{optional_rfc3339, rfc3339, schemas},
    extract::{AdminCaller, ApiJson, ApiPath, ApiQuery},
    problem::{ApiError, ProblemBody},
    state::AppState,
};

/// What an endpoint is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettingsBody {
    /// Where deliveries are sent: `https://` (plain `http://` only when the server allows
    /// it), to a public address unless the server allows private ones.
    #[schema(max_length = 2048, pattern = "^https?://")]
    pub url: String,
    /// The notifications it receives (at least one).
    #[schema(schema_with = schemas::webhook_event_types)]
    pub events: Vec<String>,
    /// A note.
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

impl WebhookSettingsBody {
    fn settings(self) -> Result<EndpointSettings, ApiError> {
        let mut event_types = Vec::new();
        for name in &self.events {
            let kind = WebhookEventType::from_name(name)
                .ok_or_else(|| ApiError::invalid(format!("events: unknown event type {name:?}")))?;
            if !event_types.contains(&kind) {
                event_types.push(kind);
            }
        }
        Ok(EndpointSettings {
            url: self.url,
            event_types,
            description: self.description,
        })
    }
}

/// An endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookBody {
    /// Identity.
    pub id: Uuid,
    /// Where deliveries are sent (POST).
    pub url: String,
    /// The notifications it receives.
    pub events: Vec<&'static str>,
    /// A note.
    pub description: Option<String>,
    /// Until when the secret before the last rotation still signs (beside the new one).
    #[serde(serialize_with = "optional_rfc3339")]
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// When it was created.
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookEndpoint> for WebhookBody {
    fn from(endpoint: WebhookEndpoint) -> Self {
        Self {
            id: endpoint.id,
            url: endpoint.url,
            events: endpoint
                .event_types
                .iter()
                .map(|kind| kind.name())
                .collect(),
            description: endpoint.description,
            previous_secret_until: endpoint.previous_secret.map(|(_, until)| until),
            created_at: endpoint.created_at,
            updated_at: endpoint.updated_at,
        }
    }
}

/// An endpoint with its signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecretBody {
    /// The endpoint.
    pub webhook: WebhookBody,
    /// The signing secret (`whsec_…`, Standard Webhooks): verify `webhook-signature` with it.
    pub secret: String,
}

fn with_secret((endpoint, secret): (WebhookEndpoint, SecretToken)) -> WebhookWithSecretBody {
    WebhookWithSecretBody {
        webhook: endpoint.into(),
        secret: secret.expose().to_owned(),
    }
}

/// Every endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhooksBody {
    /// Oldest first.
    pub webhooks: Vec<WebhookBody>,
}

/// Create an endpoint; the answer holds its signing secret, shown this once.
#[utoipa::path(post, path = "/v1/admin/webhooks", operation_id = "admin_create_webhook", tag = "admin",
    request_body = WebhookSettingsBody,
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "Created", body = WebhookWithSecretBody),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: an unknown event type, no event type, a refused target (scheme, internal address, unresolvable host)", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiJson(body): ApiJson<WebhookSettingsBody>,
) -> Result<(StatusCode, Json<WebhookWithSecretBody>), ApiError> {
    let created = state.service.create_webhook(body.settings()?).await?;
    Ok((StatusCode::CREATED, Json(with_secret(created))))
}

/// Every endpoint.
#[utoipa::path(get, path = "/v1/admin/webhooks", operation_id = "admin_list_webhooks", tag = "admin",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The endpoints", body = WebhooksBody),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminCaller,
) -> Result<Json<WebhooksBody>, ApiError> {
    let webhooks = state.service.list_webhooks().await?;
    Ok(Json(WebhooksBody {
        webhooks: webhooks.into_iter().map(WebhookBody::from).collect(),
    }))
}

/// One endpoint.
#[utoipa::path(get, path = "/v1/admin/webhooks/{id}", operation_id = "admin_get_webhook", tag = "admin",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The endpoint", body = WebhookBody),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`webhook_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: id is not a UUID", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<WebhookBody>, ApiError> {
    Ok(Json(state.service.get_webhook(id).await?.into()))
}

/// Replace an endpoint's URL, notifications and note (its secret stays).
#[utoipa::path(put, path = "/v1/admin/webhooks/{id}", operation_id = "admin_update_webhook", tag = "admin",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    request_body = WebhookSettingsBody,
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Replaced", body = WebhookBody),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`webhook_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<WebhookSettingsBody>,
) -> Result<Json<WebhookBody>, ApiError> {
    Ok(Json(
        state
            .service
            .update_webhook(id, body.settings()?)
            .await?
            .into(),
    ))
}

/// Delete an endpoint and its deliveries.
#[utoipa::path(delete, path = "/v1/admin/webhooks/{id}", operation_id = "admin_delete_webhook", tag = "admin",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    security(("admin_token" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`webhook_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: id is not a UUID", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_webhook(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Give an endpoint a new signing secret, shown this once; for 24 hours deliveries carry
/// a signature with each, so that the receiver can switch.
#[utoipa::path(post, path = "/v1/admin/webhooks/{id}/rotate-secret", operation_id = "admin_rotate_webhook_secret", tag = "admin",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Rotated", body = WebhookWithSecretBody),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`webhook_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: id is not a UUID", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<WebhookWithSecretBody>, ApiError> {
    Ok(Json(with_secret(
        state.service.rotate_webhook_secret(id).await?,
    )))
}

/// Which deliveries to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Only deliveries in this state.
    #[param(inline, schema_with = schemas::delivery_status)]
    pub status: Option<String>,
    /// How many, newest first: 1–100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// A delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryBody {
    /// Identity, also the `webhook-id` header of every attempt.
    pub id: Uuid,
    /// The audit-trail event it notifies of.
    pub event_id: i64,
    /// The notification's type.
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: &'static str,
    /// Attempts so far.
    pub attempts: u32,
    /// When it was recorded.
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    /// When it is tried next, while pending.
    #[serde(serialize_with = "optional_rfc3339")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last answer's status code.
    pub last_status_code: Option<u16>,
    /// What went wrong last.
    pub last_error: Option<String>,
    /// When a 2xx answer came.
    #[serde(serialize_with = "optional_rfc3339")]
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<Delivery> for DeliveryBody {
    fn from(delivery: Delivery) -> Self {
        Self {
            id: delivery.id,
            event_id: delivery.event_id,
            event_type: WebhookEventType::of_trail_type(&delivery.event_type)
                .map_or(delivery.event_type, |kind| kind.name().to_owned()),
            status: delivery.status.as_str(),
            attempts: delivery.attempts,
            created_at: delivery.created_at,
            next_attempt_at: (delivery.status == DeliveryStatus::Pending)
                .then_some(delivery.next_attempt_at),
            last_status_code: delivery.last_status_code,
            last_error: delivery.last_error,
            delivered_at: delivery.delivered_at,
        }
    }
}

/// An endpoint's deliveries.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveriesBody {
    /// Newest first.
    pub deliveries: Vec<DeliveryBody>,
}

/// An endpoint's latest deliveries, with their attempts, last answer and error.
#[utoipa::path(get, path = "/v1/admin/webhooks/{id}/deliveries", operation_id = "admin_list_webhook_deliveries", tag = "admin",
    params(("id" = Uuid, Path, description = "Endpoint id"), DeliveriesQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The deliveries", body = DeliveriesBody),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`webhook_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: id is not a UUID, an unknown status, a bad `limit`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn deliveries(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<DeliveriesQuery>,
) -> Result<Json<DeliveriesBody>, ApiError> {
    let status = query
        .status
        .map(|name| {
            DeliveryStatus::from_name(&name)
                .ok_or_else(|| ApiError::invalid("status: pending, delivered or failed"))
        })
        .transpose()?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit must be between 1 and 100"));
    }
    let deliveries = state.service.list_deliveries(id, status, limit).await?;
    Ok(Json(DeliveriesBody {
        deliveries: deliveries.into_iter().map(DeliveryBody::from).collect(),
    }))
}

/// Try a delivery again now, with a retry period of its own (also a delivered one).
#[utoipa::path(post, path = "/v1/admin/webhooks/{id}/deliveries/{delivery_id}/retry", operation_id = "admin_retry_webhook_delivery", tag = "admin",
    params(("id" = Uuid, Path, description = "Endpoint id"), ("delivery_id" = Uuid, Path, description = "Delivery id")),
    security(("admin_token" = [])),
    responses(
        (status = 202, description = "Pending again, due now"),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`webhook_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: an id is not a UUID", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn retry(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiPath((id, delivery_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    state.service.retry_delivery(id, delivery_id).await?;
    Ok(StatusCode::ACCEPTED)
}
