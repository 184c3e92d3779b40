//! Errors every storage port shares.

/// The store could not do what was asked (connection lost, query failed, …). The source
/// carries the driver's error for logging; it is never shown to clients.
#[derive(Debug, thiserror::Error)]
#[error("storage failure")]
pub struct StoreError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

impl StoreError {
    /// Wraps any driver error.
    pub fn new(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(source))
    }
}

/// A conditional write failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The row changed since it was read (optimistic-concurrency version or compare-and-set
    /// condition no longer holds); nothing was written. Re-read and decide again.
    #[error("concurrent modification")]
    Conflict,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
