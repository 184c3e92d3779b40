//! Port: reading the audit trail. (Events are written by the session repository, in the
//! same transaction as the change they record.)

use async_trait::async_trait;
use sessions_domain::{SessionEvent, SessionId};

use super::StoreError;

/// Read access to the append-only session event trail.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait EventStore: Send + Sync {
    /// The session's events, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails or a stored event cannot be read back.
    async fn list_for_session(&self, id: SessionId) -> Result<Vec<SessionEvent>, StoreError>;
}
