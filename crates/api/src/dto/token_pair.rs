//! The TokenPair JSON of login and refresh.

use serde::Serialize;
use sessions_application::{TokenPair, use_cases::LoggedIn};
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

/// What a login returns: the session's tokens, and the device token to present at this
/// client's next login.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginBody {
    /// The session's tokens.
    #[serde(flatten)]
    pub tokens: TokenPairBody,
    /// Present it as `device_token` at this client's next login to this account: it is not
    /// throttled by anyone else's failed attempts. Replaces the one presented (which stops
    /// working). Keep it like a password.
    pub device_token: String,
}

impl From<LoggedIn> for LoginBody {
    fn from(logged_in: LoggedIn) -> Self {
        Self {
            tokens: logged_in.tokens.into(),
            device_token: logged_in.device_token.expose().to_owned(),
        }
    }
}
