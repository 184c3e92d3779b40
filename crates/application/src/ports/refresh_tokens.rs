//! Port: where refresh tokens (as hashes) are kept, and their atomic rotation.

use async_trait::async_trait;
use sessions_domain::{RefreshToken, Session, TokenHash};

use super::{StoreError, WriteError};

/// One rotation step, written atomically.
#[derive(Clone, Debug)]
pub struct RefreshRotation {
    /// The presented token, already marked used with its successor.
    pub used: RefreshToken,
    /// The new token.
    pub successor: RefreshToken,
    /// The session with the successor as its current token; its `version` is the one read.
    pub session: Session,
}

/// Persistence of refresh tokens.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait RefreshTokenStore: Send + Sync {
    /// Finds a token by the SHA-256 of its value, together with its session, in one read.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; an unknown hash is `Ok(None)`.
    async fn find_with_session(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<(RefreshToken, Session)>, StoreError>;

    /// In one transaction: marks `used` as used only if it is still unused (a token can win
    /// only once), inserts `successor`, and writes `session` if its stored version is
    /// unchanged (the version then advances by one). `session` differs from the version read
    /// only by the rotation (`Session::rotate_refresh_token`), so a store may write just the
    /// fields a rotation changes. Rotations of different sessions may be committed together.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the token was used or the session changed meanwhile
    /// (nothing written); [`WriteError::Store`] otherwise.
    async fn rotate(&self, rotation: &RefreshRotation) -> Result<(), WriteError>;
}
