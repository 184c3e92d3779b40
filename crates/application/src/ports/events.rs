//! Port: the audit trail's reads, and the appends of events that record no change of a
//! session. (Events of a change are written by the session repository, in the same
//! transaction as the change they record.)

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_domain::{SessionEvent, SessionId};

use super::StoreError;

/// The append-only session event trail.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait EventStore: Send + Sync {
    /// The session's events, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails or a stored event cannot be read back.
    async fn list_for_session(&self, id: SessionId) -> Result<Vec<SessionEvent>, StoreError>;

    /// Appends `events`, which record something that changed no session (a grace replay),
    /// in one transaction.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; nothing is appended then.
    async fn append(&self, events: &[SessionEvent]) -> Result<(), StoreError>;

    /// Deletes at most `limit` events that happened before `before`, oldest first, whether
    /// or not their session still exists; returns how many.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; batches already deleted stay deleted.
    async fn delete_recorded_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;
}
