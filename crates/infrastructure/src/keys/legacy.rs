//! The keys of a deployment from before key generations: the HS256 secret its access
//! tokens were signed with, and the refresh-successor key it derived with. Tokens it issued
//! keep verifying until they expire, and a grace replay of a rotation it made still gets the
//! same successor; nothing new is signed with them.

use hmac::Hmac;
use jsonwebtoken::DecodingKey;
use sha2::Sha256;

use crate::token_secrets::hmac_key;

/// The keys of the deployment before the upgrade, those it had.
#[derive(Clone, Default)]
pub struct LegacyKeys {
    /// Verifies the HS256 access tokens issued before.
    pub(super) access: Option<DecodingKey>,
    /// Derives the successors of rotations made before.
    pub(super) refresh: Option<Hmac<Sha256>>,
}

impl std::fmt::Debug for LegacyKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyKeys")
            .field("access", &self.access.is_some())
            .field("refresh", &self.refresh.is_some())
            .finish()
    }
}

impl LegacyKeys {
    /// None: a deployment that started with key generations.
    pub fn none() -> Self {
        Self::default()
    }

    /// The former HS256 secret (`SESSIONS_JWT_SECRET`) and refresh-successor key, either
    /// of which may be absent.
    pub fn new(jwt_secret: Option<&[u8]>, refresh_key: Option<&[u8]>) -> Self {
        Self {
            access: jwt_secret.map(DecodingKey::from_secret),
            refresh: refresh_key.map(hmac_key),
        }
    }
}
