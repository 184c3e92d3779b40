//! Port: the opaque token values handed to clients (refresh tokens, device tokens) —
//! random generation, keyed successor derivation of refresh tokens, hashing.

use chrono::{DateTime, Utc};
use sessions_domain::TokenHash;

use crate::SecretToken;

/// Makes and hashes opaque token values.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait TokenSecrets: Send + Sync {
    /// A new 256-bit random token.
    fn generate(&self) -> SecretToken;

    /// The successor of a refresh token presented for a rotation at `rotated_at`: a keyed
    /// hash (HMAC under the refresh key of the generation that signed at `rotated_at`), so
    /// that the same predecessor rotated at the same time always yields the same successor,
    /// on every instance, and no plaintext needs storing.
    fn successor_of(&self, presented: &SecretToken, rotated_at: DateTime<Utc>) -> SecretToken;

    /// The SHA-256 under which a token is stored and looked up.
    fn hash(&self, secret: &SecretToken) -> TokenHash;
}
