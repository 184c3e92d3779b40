//! The JWT claims of an access token (`sub`, `sid`, `iat`, `exp`, `iss`, and `aud` when
//! configured), and the validation every signed token passes.

use chrono::DateTime;
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use sessions_application::{AccessClaims, ports::InvalidAccessToken};
use sessions_domain::{SessionId, UserId};
use uuid::Uuid;

/// The claims as signed.
#[derive(Serialize, Deserialize)]
pub struct Claims {
    sub: Uuid,
    sid: Uuid,
    iat: i64,
    exp: i64,
    iss: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    aud: Option<String>,
}

/// Who issues the tokens and for whom.
#[derive(Clone, Debug)]
pub struct TokenIssuer {
    /// `iss`.
    pub issuer: String,
    /// `aud`, when configured: then every token carries it and must.
    pub audience: Option<String>,
}

impl TokenIssuer {
    /// The claims of `claims` as this issuer signs them.
    pub fn claims(&self, claims: &AccessClaims) -> Claims {
        Claims {
            sub: claims.user_id.as_uuid(),
            sid: claims.session_id.as_uuid(),
            iat: claims.issued_at.timestamp(),
            exp: claims.expires_at.timestamp(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        }
    }

    /// What a token signed with `algorithm` must satisfy. Expiry is checked by the
    /// application against its clock, with no leeway.
    pub fn validation(&self, algorithm: Algorithm, audience: Option<&str>) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.validate_exp = false;
        validation.leeway = 0;
        validation.set_issuer(&[&self.issuer]);
        if let Some(audience) = audience {
            validation.set_audience(&[audience]);
            validation.set_required_spec_claims(&["sub", "exp", "iat", "iss", "aud"]);
        } else {
            validation.validate_aud = false;
            validation.set_required_spec_claims(&["sub", "exp", "iat", "iss"]);
        }
        validation
    }
}

impl TryFrom<Claims> for AccessClaims {
    type Error = InvalidAccessToken;

    fn try_from(claims: Claims) -> Result<Self, InvalidAccessToken> {
        Ok(AccessClaims {
            user_id: UserId::from_uuid(claims.sub),
            session_id: SessionId::from_uuid(claims.sid),
            issued_at: DateTime::from_timestamp(claims.iat, 0).ok_or(InvalidAccessToken)?,
            expires_at: DateTime::from_timestamp(claims.exp, 0).ok_or(InvalidAccessToken)?,
        })
    }
}
