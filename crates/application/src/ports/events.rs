//! Port: the audit trail's reads, and the appends of events that record no change of a
//! session. (Events of a change are written by the repository that makes it, in the same
//! transaction as the change they record.)

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_domain::{AccountEvent, IpNetwork, RecordedEvent, SessionEvent, SessionId, UserId};

use super::StoreError;

/// Which events a search returns: every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Events naming this account.
    pub user_id: Option<UserId>,
    /// Events of this session.
    pub session_id: Option<SessionId>,
    /// Events of any of these types (all types when empty).
    pub types: Vec<&'static str>,
    /// Events whose request came from this network.
    pub network: Option<IpNetwork>,
    /// Events at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Events before this time.
    pub until: Option<DateTime<Utc>>,
}

/// Which way a search walks the trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventOrder {
    /// Newest first.
    NewestFirst,
    /// Oldest first.
    OldestFirst,
}

/// One page of a search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventSearch {
    /// The conditions.
    pub filter: EventFilter,
    /// The direction.
    pub order: EventOrder,
    /// Continue past this sequence number (exclusive), in `order`.
    pub after: Option<i64>,
    /// At most this many events.
    pub limit: u32,
}

/// The append-only audit trail.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait EventStore: Send + Sync {
    /// One page of the events matching `search.filter`, in `search.order` by sequence.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails or a stored event cannot be read back.
    async fn search(&self, search: &EventSearch) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Appends `events`, which record something that changed no session (a grace replay),
    /// in one transaction.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; nothing is appended then.
    async fn append(&self, events: &[SessionEvent]) -> Result<(), StoreError>;

    /// Appends an event of an account that changed nothing else (a failed sign-in).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; nothing is appended then.
    async fn append_account(&self, event: &AccountEvent) -> Result<(), StoreError>;

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
