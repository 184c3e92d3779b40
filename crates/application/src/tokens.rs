//! Token values handed to clients, and issuing a token pair for a session.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use sessions_domain::{Session, SessionId, UserId, add_saturating};

use crate::{Application, SessionView, ports::TokenCodecError};

/// An opaque token value as handed to a client (a refresh token or a device token). `Debug`
/// never shows it; only its hash is ever stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// Wraps a token value (generated, derived, or presented by a client).
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The token value, for the client response and for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(<redacted>)")
    }
}

/// The claims of an access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessClaims {
    /// `sub`: the user.
    pub user_id: UserId,
    /// `sid`: the session.
    pub session_id: SessionId,
    /// `iat`.
    pub issued_at: DateTime<Utc>,
    /// `exp`: the token is expired from this instant on (no leeway).
    pub expires_at: DateTime<Utc>,
}

/// What a login or refresh returns.
#[derive(Clone, Debug)]
pub struct TokenPair {
    /// Signed access token.
    pub access_token: String,
    /// Access-token lifetime.
    pub expires_in: TimeDelta,
    /// Refresh token.
    pub refresh_token: SecretToken,
    /// The session the tokens belong to.
    pub session: SessionView,
}

impl Application {
    /// Signs a fresh access token for `session` and pairs it with `refresh_token`.
    pub(crate) fn token_pair(
        &self,
        session: Session,
        refresh_token: SecretToken,
        now: DateTime<Utc>,
    ) -> Result<TokenPair, TokenCodecError> {
        let ttl = self.policy.access_token_ttl;
        let claims = AccessClaims {
            user_id: session.user_id(),
            session_id: session.id(),
            issued_at: now,
            expires_at: add_saturating(now, ttl),
        };
        let access_token = self.ports.access_tokens.issue(&claims)?;
        let session = self.view(session, Some(claims.session_id), now);
        Ok(TokenPair {
            access_token,
            expires_in: ttl,
            refresh_token,
            session,
        })
    }
}
