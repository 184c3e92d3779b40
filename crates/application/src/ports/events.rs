//! Port: the audit trail's reads, and the appends of events that record no change of a
//! session. (Events of a change are written by the session repository, in the same
//! transaction as the change they record.)

use async_trait::async_trait;
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
}
