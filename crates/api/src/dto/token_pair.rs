//! The TokenPair JSON of login and refresh.

use serde::Serialize;
use sessions_application::TokenPair;
use utoipa::ToSchema;

use super::SessionBody;

/// Access and refresh tokens of a session.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPairBody {
    /// Signed JWT (claims `sub`, `sid`, `iat`, `exp`, `iss`).
    pub access_token: String,
    /// Opaque refresh token; rotate it with `POST /v1/auth/refresh`.
    pub refresh_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Access-token lifetime in seconds.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// The session.
    pub session: SessionBody,
}

impl From<TokenPair> for TokenPairBody {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token.expose().to_owned(),
            token_type: "Bearer",
            expires_in: pair.expires_in.num_seconds(),
            session: pair.session.into(),
        }
    }
}
