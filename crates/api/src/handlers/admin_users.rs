//! Administration of users: their sessions, their limit, their deletion.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Deserializer, Serialize};
use sessions_domain::{RevocationReason, UserId};
use utoipa::ToSchema;
use uuid::Uuid;

use super::sessions::{ListQuery, RevokedCountBody};
use crate::{
    dto::{SessionPageBody, schemas},
    extract::{AdminCaller, ApiJson, ApiPath, ApiQuery, OptionalJson},
    problem::{ApiError, ProblemBody},
    state::AppState,
};

/// Any user's sessions (`active_only=false` shows every stored one).
#[utoipa::path(get, path = "/v1/admin/users/{user_id}/sessions", operation_id = "admin_list_user_sessions", tag = "admin",
    params(("user_id" = Uuid, Path, description = "User id"), ListQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "One page", body = SessionPageBody),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: not the admin token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`user_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list_sessions(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiPath(user_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<SessionPageBody>, ApiError> {
    let page = state
        .service
        .admin_list_sessions(UserId::from_uuid(user_id), query.into_listing()?)
        .await?;
    Ok(Json(page.into()))
}

/// Admin revocation body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminRevokeBody {
    /// A revocation reason (default `admin`).
    #[schema(schema_with = schemas::optional_revocation_reason, example = "suspicious_activity")]
    pub reason: Option<String>,
}

/// Revoke every session of a user.
#[utoipa::path(delete, path = "/v1/admin/users/{user_id}/sessions", operation_id = "admin_revoke_user_sessions", tag = "admin",
    params(("user_id" = Uuid, Path, description = "User id")),
    request_body(content = Option<AdminRevokeBody>, description = "Optional; reason defaults to `admin`"),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Revoked", body = RevokedCountBody),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`user_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: unknown reason", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn revoke_sessions(
    State(state): State<AppState>,
    AdminCaller(admin): AdminCaller,
    ApiPath(user_id): ApiPath<Uuid>,
    OptionalJson(body): OptionalJson<AdminRevokeBody>,
) -> Result<Json<RevokedCountBody>, ApiError> {
    let reason = body
        .and_then(|body| body.reason)
        .map(|reason| reason.parse::<RevocationReason>())
        .transpose()
        .map_err(|error| ApiError::invalid(format!("reason: {error}")))?;
    let revoked_count = state
        .service
        .admin_revoke_user_sessions(UserId::from_uuid(user_id), reason, &admin)
        .await?;
    Ok(Json(RevokedCountBody { revoked_count }))
}

/// A field that must be present but may be `null`.
#[derive(Debug, Default)]
pub enum RequiredNullable<T> {
    /// Not in the body.
    #[default]
    Missing,
    /// `null`.
    Null,
    /// A value.
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for RequiredNullable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Self::Null, Self::Value))
    }
}

/// A count given as any JSON number without a fractional part: `5`, `5.0` and `5e0` are
/// all the integer 5 (JSON Schema's `integer`). Past `u32::MAX` it reads as `u32::MAX`,
/// which every count's own range refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WholeCount(pub u32);

impl<'de> Deserialize<'de> for WholeCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = serde_json::Number::deserialize(deserializer)?;
        whole_count(&number)
            .map(Self)
            .ok_or_else(|| serde::de::Error::custom("expected an integer ≥ 0"))
    }
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // range checked first
fn whole_count(number: &serde_json::Number) -> Option<u32> {
    if let Some(whole) = number.as_u64() {
        return Some(u32::try_from(whole).unwrap_or(u32::MAX));
    }
    let value = number.as_f64()?;
    (value >= 0.0 && value.fract() == 0.0).then(|| {
        if value >= f64::from(u32::MAX) {
            u32::MAX
        } else {
            value as u32
        }
    })
}

/// Session-limit body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionLimitBody {
    /// The user's own limit: an integer from 0 (unlimited) to 1000000, or null for the
    /// configured default.
    #[serde(default)]
    #[schema(value_type = Option<u32>, required = true, minimum = 0, maximum = 1_000_000)]
    pub max_sessions: RequiredNullable<WholeCount>,
}

/// A user's own session limit.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionLimitResponse {
    /// The limit (0 = unlimited), or null when the configured default applies.
    pub max_sessions: Option<u32>,
}

/// Set or clear a user's own session limit.
#[utoipa::path(put, path = "/v1/admin/users/{user_id}/session-limit", operation_id = "admin_set_session_limit", tag = "admin",
    params(("user_id" = Uuid, Path, description = "User id")),
    request_body = SessionLimitBody, security(("admin_token" = [])),
    responses(
        (status = 200, description = "Set", body = SessionLimitResponse),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`user_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn set_session_limit(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiPath(user_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<SessionLimitBody>,
) -> Result<Json<SessionLimitResponse>, ApiError> {
    let max_sessions = match body.max_sessions {
        RequiredNullable::Missing => {
            return Err(ApiError::invalid(
                "max_sessions: required (an integer from 0 to 1000000, or null)",
            ));
        }
        RequiredNullable::Null => None,
        RequiredNullable::Value(WholeCount(limit)) => Some(limit),
    };
    let limit = state
        .service
        .set_session_limit(UserId::from_uuid(user_id), max_sessions)
        .await?;
    Ok(Json(SessionLimitResponse {
        max_sessions: limit.map(sessions_domain::SessionLimit::as_count),
    }))
}

/// Delete a user; their sessions, tokens and events go with them, and the audit trail keeps
/// one `user_deleted` record holding nothing but the user's id.
#[utoipa::path(delete, path = "/v1/admin/users/{user_id}", operation_id = "admin_delete_user", tag = "admin",
    params(("user_id" = Uuid, Path, description = "User id")),
    security(("admin_token" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "`user_not_found`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: id is not a UUID", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn delete_user(
    State(state): State<AppState>,
    AdminCaller(admin): AdminCaller,
    ApiPath(user_id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .delete_user(UserId::from_uuid(user_id), &admin)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
