//! The signing keys: the JWKS that resource services verify access tokens with, and the
//! administrators' view and rotation.

use axum::{
    Json,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sessions_application::use_cases::KeyGenerationView;
use utoipa::ToSchema;

use crate::{
    dto::{optional_rfc3339, rfc3339},
    extract::AdminCaller,
    problem::{ApiError, ProblemBody},
    state::AppState,
};

/// One public key (RFC 7517).
#[derive(Debug, Serialize, ToSchema)]
pub struct JwkBody {
    /// `EC`.
    #[schema(example = "EC")]
    pub kty: &'static str,
    /// `P-256`.
    #[schema(example = "P-256")]
    pub crv: &'static str,
    /// The point's x coordinate, base64url.
    pub x: String,
    /// Its y coordinate, base64url.
    pub y: String,
    /// The key id tokens name in their header: the key's JWK thumbprint (RFC 7638).
    pub kid: String,
    /// `ES256`.
    #[schema(example = "ES256")]
    pub alg: &'static str,
    /// `sig`.
    #[serde(rename = "use")]
    #[schema(example = "sig")]
    pub key_use: &'static str,
}

/// The public keys that verify access tokens now or soon.
#[derive(Debug, Serialize, ToSchema)]
pub struct JwksBody {
    /// Oldest first; the next key is published before it signs.
    pub keys: Vec<JwkBody>,
}

/// The public keys that verify access tokens (JWKS, RFC 7517): the signing one, the next
/// one (published before it signs) and retired ones whose tokens may not have expired.
/// Cacheable for `SESSIONS_JWKS_MAX_AGE`; a verifier meeting an unknown `kid` fetches it again.
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "keys", operation_id = "jwks",
    responses(
        (status = 200, description = "The key set", body = JwksBody,
            headers(("Cache-Control" = String, description = "`public, max-age=…`"))),
    ))]
pub async fn jwks(State(state): State<AppState>) -> Response {
    let keys = state
        .service
        .public_keys()
        .into_iter()
        .map(|key| JwkBody {
            kty: "EC",
            crv: "P-256",
            x: key.x,
            y: key.y,
            kid: key.kid,
            alg: "ES256",
            key_use: "sig",
        })
        .collect();
    let max_age = state.settings.jwks_max_age.as_secs();
    let mut response = Json(JwksBody { keys }).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("public, max-age={max_age}")) {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    response
}

/// A key generation.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyGenerationBody {
    /// 1 for the first, one more for each rotation.
    pub generation: u32,
    /// Its signing key's id.
    pub kid: String,
    /// `pending` (published, not signing yet), `signing`, `verifying` (retired, still
    /// verifying its tokens) or `expired`.
    #[schema(example = "signing")]
    pub state: &'static str,
    /// When it was created and published.
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    /// When it starts signing.
    #[serde(serialize_with = "rfc3339")]
    pub activates_at: DateTime<Utc>,
    /// When the next generation replaces it, if one exists.
    #[serde(serialize_with = "optional_rfc3339")]
    pub retires_at: Option<DateTime<Utc>>,
}

impl From<KeyGenerationView> for KeyGenerationBody {
    fn from(view: KeyGenerationView) -> Self {
        Self {
            generation: view.lifetime.generation.get(),
            kid: view.kid,
            state: view.state.as_str(),
            created_at: view.lifetime.created_at,
            activates_at: view.lifetime.activates_at,
            retires_at: view.retires_at,
        }
    }
}

/// The key generations.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyGenerationsBody {
    /// Oldest first.
    pub keys: Vec<KeyGenerationBody>,
}

/// Every key generation with its state.
#[utoipa::path(get, path = "/v1/admin/keys", tag = "admin", operation_id = "admin_list_keys",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The generations", body = KeyGenerationsBody),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminCaller,
) -> Result<Json<KeyGenerationsBody>, ApiError> {
    let keys = state.service.list_keys().await?;
    Ok(Json(KeyGenerationsBody {
        keys: keys.into_iter().map(KeyGenerationBody::from).collect(),
    }))
}

/// Rotate the keys: a new generation is published now and signs one publication lead
/// later (the JWKS cache lifetime and two reloads of every instance); tokens signed before
/// keep verifying until they expire. While a generation awaits its activation, that one is
/// the answer: instances rotating at the same moment make one generation.
#[utoipa::path(post, path = "/v1/admin/keys/rotate", tag = "admin",
    operation_id = "admin_rotate_keys", security(("admin_token" = [])),
    responses(
        (status = 200, description = "The generation that signs next", body = KeyGenerationBody),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn rotate(
    State(state): State<AppState>,
    _admin: AdminCaller,
) -> Result<Json<KeyGenerationBody>, ApiError> {
    Ok(Json(state.service.rotate_keys().await?.into()))
}
