//! Adapter: access tokens as HS256-signed JWTs (claims `sub`, `sid`, `iat`, `exp`, `iss`).

use chrono::DateTime;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sessions_application::{
    AccessClaims,
    ports::{AccessTokenCodec, InvalidAccessToken, TokenCodecError},
};
use sessions_domain::{SessionId, UserId};
use uuid::Uuid;

#[derive(Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    sid: Uuid,
    iat: i64,
    exp: i64,
    iss: String,
}

/// Signs and verifies access tokens with a shared secret.
#[derive(Clone)]
pub struct JwtCodec {
    issuer: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtCodec")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl JwtCodec {
    /// A codec signing with `secret` as `issuer`.
    pub fn new(secret: &[u8], issuer: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked by the application against its clock, with no leeway.
        validation.validate_exp = false;
        validation.leeway = 0;
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["sub", "exp", "iat", "iss"]);
        Self {
            issuer: issuer.to_owned(),
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }
}

impl AccessTokenCodec for JwtCodec {
    fn issue(&self, claims: &AccessClaims) -> Result<String, TokenCodecError> {
        let claims = Claims {
            sub: claims.user_id.as_uuid(),
            sid: claims.session_id.as_uuid(),
            iat: claims.issued_at.timestamp(),
            exp: claims.expires_at.timestamp(),
            iss: self.issuer.clone(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|error| TokenCodecError(error.to_string()))
    }

    fn verify(&self, token: &str) -> Result<AccessClaims, InvalidAccessToken> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| InvalidAccessToken)?
            .claims;
        Ok(AccessClaims {
            user_id: UserId::from_uuid(claims.sub),
            session_id: SessionId::from_uuid(claims.sid),
            issued_at: DateTime::from_timestamp(claims.iat, 0).ok_or(InvalidAccessToken)?,
            expires_at: DateTime::from_timestamp(claims.exp, 0).ok_or(InvalidAccessToken)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn claims() -> AccessClaims {
        let issued_at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        AccessClaims {
            user_id: UserId::from_uuid(Uuid::from_u128(1)),
            session_id: SessionId::from_uuid(Uuid::from_u128(2)),
            issued_at,
            expires_at: issued_at + TimeDelta::minutes(15),
        }
    }

    #[test]
    fn an_issued_token_verifies_to_the_same_claims() {
        let codec = JwtCodec::new(b"secret", "sessions");
        let token = codec.issue(&claims()).unwrap();
        assert_eq!(codec.verify(&token), Ok(claims()));
    }

    #[test]
    fn a_token_signed_with_another_key_is_invalid() {
        let token = JwtCodec::new(b"other", "sessions")
            .issue(&claims())
            .unwrap();
        assert_eq!(
            JwtCodec::new(b"secret", "sessions").verify(&token),
            Err(InvalidAccessToken)
        );
    }

    #[test]
    fn a_token_from_another_issuer_is_invalid() {
        let token = JwtCodec::new(b"secret", "elsewhere")
            .issue(&claims())
            .unwrap();
        assert_eq!(
            JwtCodec::new(b"secret", "sessions").verify(&token),
            Err(InvalidAccessToken)
        );
    }

    #[test]
    fn garbage_is_invalid() {
        let codec = JwtCodec::new(b"secret", "sessions");
        for token in ["", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
            assert_eq!(codec.verify(token), Err(InvalidAccessToken), "{token}");
        }
    }
}
