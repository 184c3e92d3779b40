//! Port: the signed access-token format (JWT in production).

use crate::AccessClaims;

/// Why a presented access token is not acceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid access token")]
pub struct InvalidAccessToken;

/// The codec could not sign a token.
#[derive(Debug, thiserror::Error)]
#[error("access token could not be signed: {0}")]
pub struct TokenCodecError(pub String);

/// Signs and verifies access tokens.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait AccessTokenCodec: Send + Sync {
    /// Signs the claims into a token string.
    ///
    /// # Errors
    /// [`TokenCodecError`] when signing fails.
    fn issue(&self, claims: &AccessClaims) -> Result<String, TokenCodecError>;

    /// Checks signature, issuer and format and returns the claims. Expiry is checked by the
    /// caller against its clock.
    ///
    /// # Errors
    /// [`InvalidAccessToken`] for anything malformed, badly signed or from another issuer.
    fn verify(&self, token: &str) -> Result<AccessClaims, InvalidAccessToken>;
}
