//! Port: where users are kept.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_domain::{Cause, Email, PasswordHash, SessionLimit, User, UserId};

use super::StoreError;

/// Why a user could not be inserted.
#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    /// Another user has this e-mail address (compared case-insensitively).
    #[error("e-mail address already registered")]
    EmailTaken,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Persistence of users.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Inserts a new user.
    ///
    /// # Errors
    /// [`InsertUserError::EmailTaken`] when the address is in use (implementations MUST map
    /// their unique-constraint violation to it); [`InsertUserError::Store`] otherwise.
    async fn insert(&self, user: &User) -> Result<(), InsertUserError>;

    /// Finds a user by normalised e-mail address.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; an unknown address is `Ok(None)`.
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;

    /// Finds a user by id.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; an unknown id is `Ok(None)`.
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// Replaces the password hash and records a `password_changed` event with `cause`, in
    /// one transaction; returns whether the user exists.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; nothing is written then.
    async fn update_password(
        &self,
        id: UserId,
        hash: &PasswordHash,
        now: DateTime<Utc>,
        cause: &Cause,
    ) -> Result<bool, StoreError>;

    /// Sets or clears (`None`) the user's own session limit; returns whether the user exists.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn set_max_sessions(
        &self,
        id: UserId,
        limit: Option<SessionLimit>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Deletes the user with their sessions, refresh tokens and events (the right to
    /// erasure), and records one `user_deleted` event at `at` that holds nothing but the
    /// user's id and the deletion's `cause`; returns whether the user existed.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn delete(
        &self,
        id: UserId,
        at: DateTime<Utc>,
        cause: &Cause,
    ) -> Result<bool, StoreError>;
}
