//! Incident response: revoke every active session a filter selects — a network, a country,
//! a device family, users, a time window, a provider — after counting them with a dry run.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sessions_application::{SessionView, use_cases::IncidentOutcome};
use sessions_domain::{CountryCode, IpNetwork, ProviderSlug, SessionFilter, UserId};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    dto::{SessionBody, schemas},
    extract::{AdminCaller, ApiJson},
    problem::{ApiError, ProblemBody},
    state::AppState,
};

/// Most users one request names.
const MAX_USER_IDS: usize = 1_000;

/// Longest device family name.
const MAX_DEVICE_LEN: usize = 64;

/// Which sessions to revoke: every condition given must hold, and at least one is required.
/// Unknown fields are refused, so that a misspelt condition never widens the selection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentBody {
    /// Sessions started from, or last seen at, this address or inside this CIDR network.
    #[schema(schema_with = schemas::optional_ip_address_or_network)]
    pub ip: Option<String>,
    /// Sessions located in this country (ISO 3166-1 alpha-2) at sign-in.
    #[schema(pattern = "^[A-Za-z]{2}$")]
    pub country: Option<String>,
    /// Sessions of this browser or operating-system family ("Chrome", "Windows"; any case).
    #[schema(min_length = 1, max_length = 64)]
    pub device: Option<String>,
    /// Sessions of these users (at most 1,000).
    #[schema(max_items = 1000)]
    pub user_ids: Option<Vec<Uuid>>,
    /// Sessions started at or after this time.
    pub created_after: Option<DateTime<Utc>>,
    /// Sessions started before this time.
    pub created_before: Option<DateTime<Utc>>,
    /// Sessions that accessed this data provider.
    #[schema(pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")]
    pub provider: Option<String>,
    /// Only count and sample the matching sessions (default `false`).
    #[serde(default)]
    pub dry_run: bool,
}

impl IncidentBody {
    /// The fields that are conditions, as the document names them: at least one must be
    /// given (not `null`; `user_ids` not empty).
    pub const CONDITIONS: [&str; 7] = [
        "ip",
        "country",
        "device",
        "user_ids",
        "created_after",
        "created_before",
        "provider",
    ];

    fn filter(self) -> Result<SessionFilter, ApiError> {
        let user_ids = self.user_ids.unwrap_or_default();
        if user_ids.len() > MAX_USER_IDS {
            return Err(ApiError::invalid(format!(
                "user_ids: at most {MAX_USER_IDS}"
            )));
        }
        let device = self.device;
        if device
            .as_ref()
            .is_some_and(|family| family.is_empty() || family.chars().count() > MAX_DEVICE_LEN)
        {
            return Err(ApiError::invalid(format!(
                "device: 1 to {MAX_DEVICE_LEN} characters"
            )));
        }
        Ok(SessionFilter {
            network: self
                .ip
                .map(|text| {
                    text.parse::<IpNetwork>()
                        .map_err(|_| ApiError::invalid("ip: not an IP address or CIDR network"))
                })
                .transpose()?,
            country: self
                .country
                .map(|code| {
                    CountryCode::parse(&code)
                        .map_err(|error| ApiError::invalid(format!("country: {error}")))
                })
                .transpose()?,
            device,
            user_ids: user_ids.into_iter().map(UserId::from_uuid).collect(),
            created_after: self.created_after,
            created_before: self.created_before,
            provider: self
                .provider
                .map(|slug| {
                    ProviderSlug::parse(&slug)
                        .map_err(|error| ApiError::invalid(format!("provider: {error}")))
                })
                .transpose()?,
        })
    }
}

/// What an incident response found and did.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentOutcomeBody {
    /// The incident every revocation event names; `null` for a dry run.
    pub incident_id: Option<Uuid>,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Active sessions that matched.
    pub matched_count: u64,
    /// Sessions this request revoked (reason `admin`); 0 for a dry run.
    pub revoked_count: u64,
    /// The first matching sessions (at most 20).
    pub sample: Vec<SessionBody>,
}

impl IncidentOutcomeBody {
    fn of(outcome: IncidentOutcome, dry_run: bool) -> Self {
        Self {
            incident_id: outcome.incident.map(|id| id.as_uuid()),
            dry_run,
            matched_count: outcome.matched,
            revoked_count: outcome.revoked,
            sample: outcome
                .sample
                .into_iter()
                .map(|session| {
                    SessionBody::from(SessionView {
                        session,
                        is_current: false,
                        is_active: true,
                    })
                })
                .collect(),
        }
    }
}

/// Revoke (reason `admin`) every active session the filter selects, in batches, recording
/// one `session_revoked` event per session with this request's incident id; or, with
/// `dry_run`, count them and show a sample. Repeating a request revokes only what became
/// active since.
#[utoipa::path(post, path = "/v1/admin/sessions/revoke", operation_id = "admin_revoke_incident", tag = "admin",
    request_body = IncidentBody,
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Counted (dry run) or revoked", body = IncidentOutcomeBody),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: no condition, an unknown field, a bad address, country, device, provider or time", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    AdminCaller(admin): AdminCaller,
    ApiJson(body): ApiJson<IncidentBody>,
) -> Result<Json<IncidentOutcomeBody>, ApiError> {
    let dry_run = body.dry_run;
    let outcome = state
        .service
        .revoke_incident(body.filter()?, dry_run, &admin)
        .await?;
    Ok(Json(IncidentOutcomeBody::of(outcome, dry_run)))
}
