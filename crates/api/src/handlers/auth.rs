//! Login, refresh and logout.

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use sessions_application::{SecretToken, use_cases::Credentials};
use utoipa::ToSchema;

use crate::{
    dto::{LoginBody, TokenPairBody},
    extract::{ApiJson, ClientInfo, CurrentSession},
    problem::{ApiError, ProblemBody},
    state::AppState,
    tarpit::paced,
};

/// Login body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequestBody {
    /// E-mail address.
    #[schema(example = "alice@example.com")]
    pub email: String,
    /// Password.
    #[schema(example = "correct horse battery staple")]
    pub password: String,
    /// The `device_token` of this client's last login to this account, if it has one:
    /// its attempts are then judged by its own failures only, never locked by anyone else's.
    pub device_token: Option<String>,
}

/// Log in: starts a session (evicting the least recently active ones over the limit).
///
/// Failed attempts are throttled per account for clients without a device token of the
/// account, per device token for those with one, and per network; a refused attempt is
/// answered before any password is checked.
#[utoipa::path(post, path = "/v1/auth/login", operation_id = "login", tag = "auth", request_body = LoginRequestBody,
    responses(
        (status = 201, description = "Session started", body = LoginBody),
        (status = 401, description = "`invalid_credentials` (unknown e-mail and wrong password alike)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many failed attempts for this account, device token or network; `Retry-After` says when to try again", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "`overloaded`: password checks are saturated, with `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<LoginRequestBody>,
) -> Result<(StatusCode, Json<LoginBody>), ApiError> {
    let logged_in = paced(
        state
            .service
            .login(
                Credentials {
                    email: body.email,
                    password: body.password,
                    device_token: body.device_token.map(SecretToken::new),
                },
                client,
            )
            .await
            .map_err(ApiError::from),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(logged_in.into())))
}

/// Refresh body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    /// The current refresh token.
    pub refresh_token: String,
}

/// Rotate a refresh token into a new token pair.
#[utoipa::path(post, path = "/v1/auth/refresh", operation_id = "refresh", tag = "auth", request_body = RefreshBody,
    responses(
        (status = 200, description = "Rotated; or, when the previous token is presented again within the grace window from the same network and browser/OS as the rotation that used it, the same successor again (recorded as `refresh_replayed`)", body = TokenPairBody),
        (status = 401, description = "`invalid_refresh_token`, `session_revoked`, `session_expired`, `refresh_token_reuse` (a used token presented outside the grace rule, e.g. from another network or browser: the session is revoked)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<Json<TokenPairBody>, ApiError> {
    let pair = state
        .service
        .refresh(&SecretToken::new(body.refresh_token), &client)
        .await?;
    Ok(Json(pair.into()))
}

/// Log out: revoke the current session (`logout`).
#[utoipa::path(post, path = "/v1/auth/logout", operation_id = "logout", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "`unauthorized`, `session_revoked`, `session_expired`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .logout(current.0.claims.session_id, &current.caller())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
