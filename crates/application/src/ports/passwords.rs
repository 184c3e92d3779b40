//! Port: password hashing (argon2id in production).

use async_trait::async_trait;
use sessions_domain::{Password, PasswordHash};

/// The hasher failed (bad parameters, corrupt stored hash, worker gone).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashingError(pub String);

/// Hashes and verifies passwords. Implementations bound how many hashes run at once and keep
/// the work off the async executor.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a new password.
    ///
    /// # Errors
    /// [`HashingError`] when hashing fails.
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashingError>;

    /// Whether `candidate` matches `hash`.
    ///
    /// # Errors
    /// [`HashingError`] when the stored hash cannot be read or hashing fails.
    async fn verify(&self, candidate: &str, hash: &PasswordHash) -> Result<bool, HashingError>;

    /// Spends the same work as a verification against a real hash, for unknown users, so that
    /// timing does not reveal which e-mail addresses are registered.
    ///
    /// # Errors
    /// [`HashingError`] when hashing fails.
    async fn verify_dummy(&self, candidate: &str) -> Result<(), HashingError>;
}
