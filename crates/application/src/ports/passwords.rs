//! Port: password hashing (argon2id in production), with a bounded, prioritised queue.

use std::time::Duration;

use async_trait::async_trait;
use sessions_domain::{Password, PasswordHash};

/// Where a hash queues: clients the service already knows go ahead of everyone else, so that
/// a credential-stuffing flood cannot keep an account's own devices from signing in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashPriority {
    /// A client that proved itself before: a login with a device token of the account, a
    /// password change in a signed-in session.
    Known,
    /// Anyone else (registrations, logins without a device token).
    Unknown,
}

/// Why a password was not hashed.
#[derive(Debug, thiserror::Error)]
pub enum HashingError {
    /// The queue is so long that this hash would wait longer than the hasher allows: retry
    /// after the given time.
    #[error("password hashing overloaded; retry in {retry_after:?}")]
    Overloaded {
        /// About how long the hashes queued ahead will take.
        retry_after: Duration,
    },
    /// Hashing failed (bad parameters, corrupt stored hash, worker gone).
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Hashes and verifies passwords. Implementations bound how many hashes run at once, keep
/// the work off the async executor, refuse a hash that would queue too long, and run
/// [`HashPriority::Known`] hashes before [`HashPriority::Unknown`] ones.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Whether a hash of `priority` would be queued now: a cheap check before any other work
    /// (the hash itself may still be refused if the queue grew meanwhile).
    ///
    /// # Errors
    /// [`HashingError::Overloaded`] when it would not.
    fn admits(&self, priority: HashPriority) -> Result<(), HashingError>;

    /// Hashes a new password.
    ///
    /// # Errors
    /// [`HashingError::Overloaded`] when the queue is too long, [`HashingError::Failed`]
    /// when hashing fails.
    async fn hash(
        &self,
        password: &Password,
        priority: HashPriority,
    ) -> Result<PasswordHash, HashingError>;

    /// Whether `candidate` matches `hash`.
    ///
    /// # Errors
    /// [`HashingError::Overloaded`] when the queue is too long, [`HashingError::Failed`]
    /// when the stored hash cannot be read or hashing fails.
    async fn verify(
        &self,
        candidate: &str,
        hash: &PasswordHash,
        priority: HashPriority,
    ) -> Result<bool, HashingError>;

    /// Spends the same work as a verification against a real hash, for unknown users, so that
    /// timing does not reveal which e-mail addresses are registered.
    ///
    /// # Errors
    /// As [`PasswordHasher::verify`].
    async fn verify_dummy(
        &self,
        candidate: &str,
        priority: HashPriority,
    ) -> Result<(), HashingError>;
}
