//! Port: device tokens, by the hash of their value. (A login writes its device token with
//! the session it starts, through [`super::SessionRepository::start`].)

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_domain::{DeviceToken, TokenHash};

use super::StoreError;

/// Read access to device tokens, and their expiry.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait DeviceTokenStore: Send + Sync {
    /// The device token whose value hashes to `hash`.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; an unknown hash is `Ok(None)`.
    async fn find_device_token(&self, hash: &TokenHash) -> Result<Option<DeviceToken>, StoreError>;

    /// Deletes at most `limit` device tokens that expired before `before`; returns how many.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn delete_expired_device_tokens(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;
}
