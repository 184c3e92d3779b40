//! Port: whether the store answers (readiness).

use async_trait::async_trait;

use super::StoreError;

/// A cheap round trip to the store.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait StoreHealth: Send + Sync {
    /// Succeeds when the store answers a trivial query.
    ///
    /// # Errors
    /// [`StoreError`] when it does not.
    async fn ping(&self) -> Result<(), StoreError>;
}
