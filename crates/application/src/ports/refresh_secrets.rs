//! Port: refresh-token values — random generation, keyed successor derivation, hashing.

use sessions_domain::TokenHash;

use crate::RefreshSecret;

/// Makes and hashes refresh-token values.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait RefreshSecrets: Send + Sync {
    /// A new 256-bit random token.
    fn generate(&self) -> RefreshSecret;

    /// The successor of a presented token: a keyed hash (HMAC with a server secret), so the
    /// same predecessor always yields the same successor and no plaintext needs storing.
    fn successor_of(&self, presented: &RefreshSecret) -> RefreshSecret;

    /// The SHA-256 under which a token is stored and looked up.
    fn hash(&self, secret: &RefreshSecret) -> TokenHash;
}
