//! Token introspection for resource services.

use std::net::IpAddr;

use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use sessions_application::use_cases::{IntrospectRequest, Introspection};
use sessions_domain::{ProviderSlug, UserAgent};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    dto::schemas,
    extract::{ApiJson, IntrospectionCaller},
    problem::{ApiError, ProblemBody},
    state::AppState,
};

/// Introspection body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntrospectBody {
    /// The access token to check.
    pub token: String,
    /// The end client's address, if known.
    #[schema(schema_with = schemas::optional_ip_address, example = "203.0.113.7")]
    pub ip: Option<String>,
    /// The end client's user agent, if known.
    pub user_agent: Option<String>,
    /// The data provider being accessed, recorded on the session.
    #[schema(pattern = r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    pub provider: Option<String>,
}

/// The answer: `{"active": false}`, or the session's facts.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntrospectionBody {
    /// Whether the token's session is active.
    pub active: bool,
    /// User id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<Uuid>,
    /// Session id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
    /// The access token's `exp` (seconds since the epoch).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Whether this call changed the session's client address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_changed: Option<bool>,
    /// Whether this call counted as suspicious.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspicious: Option<bool>,
    /// The session's total suspicious count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspicious_activity_count: Option<u32>,
}

impl From<Introspection> for IntrospectionBody {
    fn from(answer: Introspection) -> Self {
        match answer {
            Introspection::Inactive => Self {
                active: false,
                sub: None,
                sid: None,
                exp: None,
                ip_changed: None,
                suspicious: None,
                suspicious_activity_count: None,
            },
            Introspection::Active {
                user_id,
                session_id,
                expires_at,
                ip_changed,
                suspicious,
                suspicious_activity_count,
            } => Self {
                active: true,
                sub: Some(user_id.as_uuid()),
                sid: Some(session_id.as_uuid()),
                exp: Some(expires_at.timestamp()),
                ip_changed: Some(ip_changed),
                suspicious: Some(suspicious),
                suspicious_activity_count: Some(suspicious_activity_count),
            },
        }
    }
}

impl IntrospectBody {
    fn into_request(self) -> Result<IntrospectRequest, ApiError> {
        let ip = self
            .ip
            .map(|ip| ip.parse::<IpAddr>())
            .transpose()
            .map_err(|_| ApiError::invalid("ip: not an IP address"))?;
        let provider = self
            .provider
            .map(|slug| ProviderSlug::parse(&slug))
            .transpose()
            .map_err(|error| ApiError::invalid(format!("provider: {error}")))?;
        Ok(IntrospectRequest {
            token: self.token,
            ip,
            user_agent: self.user_agent.as_deref().and_then(UserAgent::from_header),
            provider,
        })
    }
}

/// Check an access token and record the access on its session (activity, IP change,
/// suspicious signals, provider).
#[utoipa::path(post, path = "/v1/introspect", operation_id = "introspect", tag = "introspection", request_body = IntrospectBody,
    security(("service_token" = [])),
    responses(
        (status = 200, description = "The answer", body = IntrospectionBody),
        (status = 401, description = "`unauthorized`: no or unknown credential", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: a user's access token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: bad `ip` or `provider`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn introspect(
    State(state): State<AppState>,
    _caller: IntrospectionCaller,
    ApiJson(body): ApiJson<IntrospectBody>,
) -> Result<Json<IntrospectionBody>, ApiError> {
    let answer = state.service.introspect(body.into_request()?).await?;
    Ok(Json(answer.into()))
}
