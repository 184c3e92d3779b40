//! Registration and password change.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sessions_application::use_cases::{PasswordChange, Registration};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    dto::rfc3339,
    extract::{ApiJson, ClientInfo, CurrentSession},
    problem::{ApiError, ProblemBody},
    state::AppState,
    tarpit::paced,
};

/// Registration body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialsBody {
    /// E-mail address: `local@domain` with a dotted domain, at most 254 characters.
    #[schema(example = "alice@example.com", format = Email, max_length = 254)]
    pub email: String,
    /// Password: 12 to 128 characters.
    #[schema(
        example = "correct horse battery staple",
        min_length = 12,
        max_length = 128
    )]
    pub password: String,
}

/// A registered user.
#[derive(Serialize, ToSchema)]
pub struct UserBody {
    /// User id.
    pub id: Uuid,
    /// Normalised e-mail address.
    pub email: String,
    /// Registration time.
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// Register a user.
#[utoipa::path(post, path = "/v1/users", operation_id = "register", tag = "users", request_body = CredentialsBody,
    responses(
        (status = 201, description = "Registered", body = UserBody),
        (status = 409, description = "`email_taken` (answered without checking the password)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: e-mail syntax, password 12–128 characters, unknown field", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many registrations from this network, with `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "`overloaded`: password hashing is saturated, with `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<CredentialsBody>,
) -> Result<(StatusCode, Json<UserBody>), ApiError> {
    let user = paced(
        state
            .service
            .register(
                Registration {
                    email: body.email,
                    password: body.password,
                },
                &client,
            )
            .await
            .map_err(ApiError::from),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(UserBody {
            id: user.id.as_uuid(),
            email: user.email.to_string(),
            created_at: user.created_at,
        }),
    ))
}

/// Password change body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeBody {
    /// The current password.
    pub current_password: String,
    /// The new password: 12 to 128 characters.
    #[schema(min_length = 12, max_length = 128)]
    pub new_password: String,
}

/// Change the password; every other session is revoked (`password_changed`).
#[utoipa::path(put, path = "/v1/users/me/password", operation_id = "change_password", tag = "users",
    request_body = PasswordChangeBody, security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed; every other session revoked"),
        (status = 401, description = "`unauthorized`, `session_revoked` (also after the session's fifth wrong current password, which revokes it), `session_expired`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`invalid_credentials`: wrong current password", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "`overloaded`: password hashing is saturated, with `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    current: CurrentSession,
    ApiJson(body): ApiJson<PasswordChangeBody>,
) -> Result<StatusCode, ApiError> {
    let claims = &current.0.claims;
    state
        .service
        .change_password(
            claims.user_id,
            claims.session_id,
            PasswordChange {
                current_password: body.current_password,
                new_password: body.new_password,
            },
            &current.caller(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
