//! Keyset pagination of session lists: newest first by `(created_at, id)`, with an opaque
//! cursor that stays stable when several sessions share one timestamp.

use chrono::{DateTime, Utc};
use sessions_domain::{Session, SessionId};
use uuid::Uuid;

use crate::SessionView;

/// How many sessions one page holds: 1 to 200, default 50.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageSize(u32);

/// A page size outside 1–200.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("limit must be between 1 and {}", PageSize::MAX)]
pub struct InvalidPageSize;

impl PageSize {
    /// Largest page.
    pub const MAX: u32 = 200;

    /// Checks a requested page size.
    ///
    /// # Errors
    /// [`InvalidPageSize`] outside 1–200.
    pub fn new(size: u32) -> Result<Self, InvalidPageSize> {
        if (1..=Self::MAX).contains(&size) {
            Ok(Self(size))
        } else {
            Err(InvalidPageSize)
        }
    }

    /// The number of sessions.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for PageSize {
    fn default() -> Self {
        Self(50)
    }
}

/// Position after the last session of a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionCursor {
    /// `created_at` of the last session shown.
    pub created_at: DateTime<Utc>,
    /// Its id, which breaks ties between equal timestamps.
    pub id: SessionId,
}

/// A cursor string that was not produced by this service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid cursor")]
pub struct InvalidCursor;

impl SessionCursor {
    /// The cursor pointing after `session`.
    pub fn after(session: &Session) -> Self {
        Self {
            created_at: session.state().created_at,
            id: session.id(),
        }
    }

    /// The opaque string form handed to clients.
    pub fn encode(&self) -> String {
        format!(
            "{:x}-{}",
            self.created_at.timestamp_micros(),
            self.id.as_uuid().simple()
        )
    }

    /// Reads a string made by [`SessionCursor::encode`].
    ///
    /// # Errors
    /// [`InvalidCursor`] for anything else.
    pub fn decode(raw: &str) -> Result<Self, InvalidCursor> {
        let (micros, id) = raw.split_once('-').ok_or(InvalidCursor)?;
        let micros = i64::from_str_radix(micros, 16).map_err(|_| InvalidCursor)?;
        let created_at = DateTime::from_timestamp_micros(micros).ok_or(InvalidCursor)?;
        if id.len() != 32 {
            return Err(InvalidCursor);
        }
        let id = Uuid::try_parse(id).map_err(|_| InvalidCursor)?;
        Ok(Self {
            created_at,
            id: SessionId::from_uuid(id),
        })
    }
}

/// One page of sessions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionPage {
    /// The sessions, newest first.
    pub sessions: Vec<SessionView>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<SessionCursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_through_its_string_form() {
        let cursor = SessionCursor {
            created_at: DateTime::from_timestamp_micros(1_800_000_000_123_456).unwrap(),
            id: SessionId::from_uuid(Uuid::from_u128(0x0123_4567_89ab_cdef)),
        };
        assert_eq!(SessionCursor::decode(&cursor.encode()), Ok(cursor));
    }

    #[test]
    fn strings_not_made_by_the_service_are_invalid_cursors() {
        for raw in ["", "abc", "zz-00", "1-not-a-uuid", "1-", "-1", "1-0123"] {
            assert_eq!(SessionCursor::decode(raw), Err(InvalidCursor), "{raw}");
        }
    }

    #[test]
    fn a_page_holds_one_to_two_hundred_sessions() {
        assert_eq!(PageSize::new(0), Err(InvalidPageSize));
        assert_eq!(PageSize::new(201), Err(InvalidPageSize));
        assert_eq!(PageSize::new(200).map(PageSize::get), Ok(200));
        assert_eq!(PageSize::default().get(), 50);
    }
}
