//! Port: identifier generation.

use uuid::Uuid;

/// Generates time-ordered identifiers (UUID v7 in production).
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait IdGenerator: Send + Sync {
    /// A new unique identifier.
    fn next_id(&self) -> Uuid;
}
