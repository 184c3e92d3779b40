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

/// A string that is not a cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid cursor")]
pub struct InvalidCursor;

/// Most hex digits of a cursor's timestamp: microseconds up to 2^60, some 36,000 years
/// past 1970, all within the range of a timestamp.
const MAX_TIMESTAMP_DIGITS: usize = 15;

/// Whether `text` is lower-case hex digits, as many as `lengths` allows.
fn is_lower_hex(text: &str, lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&text.len())
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

impl SessionCursor {
    /// Every cursor's form, as the API documents it: the timestamp in microseconds and the
    /// id, in lower-case hex. Every string of this form is a cursor (a position between two
    /// sessions, whether or not either exists), and no other string is.
    pub const PATTERN: &str = "^[0-9a-f]{1,15}-[0-9a-f]{32}$";

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

    /// Reads a string of the form [`SessionCursor::PATTERN`].
    ///
    /// # Errors
    /// [`InvalidCursor`] for anything else.
    pub fn decode(raw: &str) -> Result<Self, InvalidCursor> {
        let (micros, id) = raw.split_once('-').ok_or(InvalidCursor)?;
        if !is_lower_hex(micros, 1..=MAX_TIMESTAMP_DIGITS) || !is_lower_hex(id, 32..=32) {
            return Err(InvalidCursor);
        }
        let micros = i64::from_str_radix(micros, 16).map_err(|_| InvalidCursor)?;
        let created_at = DateTime::from_timestamp_micros(micros).ok_or(InvalidCursor)?;
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
        let id = "0123456789abcdef0123456789abcdef";
        for raw in [
            String::new(),
            "abc".to_owned(),
            "zz-00".to_owned(),
            "1-not-a-uuid".to_owned(),
            "1-".to_owned(),
            "-1".to_owned(),
            "1-0123".to_owned(),
            format!("+1-{id}"),
            format!("A-{id}"),
            format!("1-{}", id.to_uppercase()),
            format!("1000000000000000-{id}"),
            format!("1-{id}0"),
        ] {
            assert_eq!(SessionCursor::decode(&raw), Err(InvalidCursor), "{raw}");
        }
    }

    #[test]
    fn every_string_of_the_documented_form_is_a_cursor() {
        let id = "0123456789abcdef0123456789abcdef";
        for micros in ["0", "f", "fffffffffffffff", "19a2b3c4d5e6f70"] {
            let raw = format!("{micros}-{id}");
            let cursor = SessionCursor::decode(&raw).unwrap();
            assert_eq!(cursor.encode(), raw, "{raw}");
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
