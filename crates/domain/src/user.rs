//! The owner of sessions.

use chrono::{DateTime, Utc};

use crate::{Email, PasswordHash, SessionLimit, UserId};

/// A registered user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Identity.
    pub id: UserId,
    /// Unique (case-insensitively) sign-in address.
    pub email: Email,
    /// Argon2id hash of the password.
    pub password_hash: PasswordHash,
    /// The user's own session limit; `None` uses the configured default.
    pub max_sessions: Option<SessionLimit>,
    /// Registration time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}
