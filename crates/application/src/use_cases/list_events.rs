//! Use cases: reading the audit trail — an administrator's search, a user's own security
//! activity, and the events of one of a user's sessions — one page at a time.

use sessions_domain::{RecordedEvent, SessionId, UserId};

use crate::{
    Application,
    ports::{EventFilter, EventOrder, EventSearch, StoreError},
};

/// How many events one page holds: 1 to 500, default 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventLimit(u32);

/// A page size outside 1–500.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("limit must be between 1 and {}", EventLimit::MAX)]
pub struct InvalidEventLimit;

impl EventLimit {
    /// Largest page.
    pub const MAX: u32 = 500;

    /// Checks a requested page size.
    ///
    /// # Errors
    /// [`InvalidEventLimit`] outside 1–500.
    pub fn new(limit: u32) -> Result<Self, InvalidEventLimit> {
        if (1..=Self::MAX).contains(&limit) {
            Ok(Self(limit))
        } else {
            Err(InvalidEventLimit)
        }
    }
}

impl Default for EventLimit {
    fn default() -> Self {
        Self(100)
    }
}

/// Where a page starts: after the event of this sequence number, in the page's order.
/// Shown to clients as the decimal number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventCursor(i64);

impl EventCursor {
    /// Every cursor's form, as the API documents it.
    pub const PATTERN: &str = "^[0-9]{1,18}$";

    /// Reads a cursor shown to a client.
    ///
    /// # Errors
    /// [`crate::InvalidCursor`] unless `text` is 1–18 decimal digits.
    pub fn parse(text: &str) -> Result<Self, crate::InvalidCursor> {
        if (1..=18).contains(&text.len()) && text.bytes().all(|byte| byte.is_ascii_digit()) {
            text.parse().map(Self).map_err(|_| crate::InvalidCursor)
        } else {
            Err(crate::InvalidCursor)
        }
    }
}

impl std::fmt::Display for EventCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Which page of events to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EventPaging {
    /// Continue after this cursor.
    pub after: Option<EventCursor>,
    /// Page size.
    pub limit: EventLimit,
}

/// One page of events, and where the next one starts when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventPage {
    /// The events, in the order of the read.
    pub events: Vec<RecordedEvent>,
    /// The cursor of the next page; `None` on the last page.
    pub next: Option<EventCursor>,
}

/// Why a session's events could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum ListEventsError {
    /// No such session, or not the caller's.
    #[error("session not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// The events matching `filter`, newest first: an administrator's search.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    #[tracing::instrument(skip_all)]
    pub async fn search_events(
        &self,
        filter: EventFilter,
        paging: EventPaging,
    ) -> Result<EventPage, StoreError> {
        self.read_events(filter, EventOrder::NewestFirst, paging)
            .await
    }

    /// The events matching `filter`, oldest first: a page of an export.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    #[tracing::instrument(skip_all)]
    pub async fn export_events(
        &self,
        filter: EventFilter,
        paging: EventPaging,
    ) -> Result<EventPage, StoreError> {
        self.read_events(filter, EventOrder::OldestFirst, paging)
            .await
    }

    /// The events naming `user_id`, newest first: their own security activity (sign-ins,
    /// failed sign-ins, password changes, revocations…).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    #[tracing::instrument(skip_all, fields(%user_id))]
    pub async fn list_user_events(
        &self,
        user_id: UserId,
        paging: EventPaging,
    ) -> Result<EventPage, StoreError> {
        let filter = EventFilter {
            user_id: Some(user_id),
            ..EventFilter::default()
        };
        self.read_events(filter, EventOrder::NewestFirst, paging)
            .await
    }

    /// The events of `session_id` (owned by `user_id`), oldest first.
    ///
    /// # Errors
    /// See [`ListEventsError`].
    #[tracing::instrument(skip_all, fields(%session_id))]
    pub async fn list_events(
        &self,
        user_id: UserId,
        session_id: SessionId,
        paging: EventPaging,
    ) -> Result<EventPage, ListEventsError> {
        self.find_owned_session(user_id, session_id)
            .await?
            .ok_or(ListEventsError::NotFound)?;
        let filter = EventFilter {
            session_id: Some(session_id),
            ..EventFilter::default()
        };
        Ok(self
            .read_events(filter, EventOrder::OldestFirst, paging)
            .await?)
    }

    /// One page, read one event past its end to know whether another follows.
    async fn read_events(
        &self,
        filter: EventFilter,
        order: EventOrder,
        paging: EventPaging,
    ) -> Result<EventPage, StoreError> {
        let limit = paging.limit.0;
        let mut events = self
            .ports
            .storage
            .events
            .search(&EventSearch {
                filter,
                order,
                after: paging.after.map(|cursor| cursor.0),
                limit: limit + 1,
            })
            .await?;
        let more = events.len() > limit as usize;
        events.truncate(limit as usize);
        let next = events
            .last()
            .filter(|_| more)
            .map(|last| EventCursor(last.sequence));
        Ok(EventPage { events, next })
    }
}

#[cfg(test)]
mod tests;
