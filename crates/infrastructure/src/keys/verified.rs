//! The access tokens this instance verified lately, by their SHA-256: a token is verified
//! once, not on each of its requests (an ES256 signature check costs more CPU than the rest
//! of an authenticated request). Safe because what a token says never changes: its expiry
//! is checked by the application and its session in the store on every request, and a
//! token of a generation that stops verifying has expired by then (the ring clears the
//! cache whenever the generations it holds change, all the same). Only successes are kept.

use std::{
    num::NonZeroUsize,
    sync::{Mutex, PoisonError},
};

use lru::LruCache;
use sessions_application::{AccessClaims, ports::InvalidAccessToken};
use sha2::{Digest, Sha256};

/// Tokens remembered: each takes under 100 bytes.
const CAPACITY: NonZeroUsize = NonZeroUsize::MIN.saturating_add(16_383);

/// Recently verified tokens.
pub struct VerifiedTokens(Mutex<LruCache<[u8; 32], AccessClaims>>);

impl VerifiedTokens {
    pub fn new() -> Self {
        Self(Mutex::new(LruCache::new(CAPACITY)))
    }

    /// The claims of `token`: remembered, or those `verify` finds (then remembered).
    pub fn get_or_verify(
        &self,
        token: &str,
        verify: impl FnOnce() -> Result<AccessClaims, InvalidAccessToken>,
    ) -> Result<AccessClaims, InvalidAccessToken> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(claims) = self.lock().get(&key) {
            return Ok(*claims);
        }
        let claims = verify()?;
        self.lock().put(key, claims);
        Ok(claims)
    }

    /// Forgets every token.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<[u8; 32], AccessClaims>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
