//! Port: the opaque token values handed to clients (refresh tokens, device tokens) —
//! random generation, keyed successor derivation of refresh tokens, hashing.

use sessions_domain::TokenHash;

use crate::SecretToken;

/// Makes and hashes opaque token values.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait TokenSecrets: Send + Sync {
    /// A new 256-bit random token.
    fn generate(&self) -> SecretToken;

    /// The successor of a presented refresh token: a keyed hash (HMAC with a server secret), so the
    /// same predecessor always yields the same successor and no plaintext needs storing.
    fn successor_of(&self, presented: &SecretToken) -> SecretToken;

    /// The SHA-256 under which a token is stored and looked up.
    fn hash(&self, secret: &SecretToken) -> TokenHash;
}
