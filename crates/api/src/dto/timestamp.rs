//! Timestamps on the wire (HTTP edge): RFC 3339 in UTC with a `Z`, and as many fractional
//! digits as the value needs (none, 3, 6 or 9): the form chrono's own `Serialize` writes,
//! written in one piece. chrono's writes its `Debug` form fragment by fragment, and
//! `serde_json` escapes every fragment on its own: 240 ns a timestamp against 85 ns, and a page
//! of ten sessions carries forty.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

/// `#[serde(serialize_with = "rfc3339")]` for a `DateTime<Utc>`.
///
/// # Errors
/// Only the serializer's own.
pub fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// [`rfc3339`] for an `Option<DateTime<Utc>>`: `null` when absent.
///
/// # Errors
/// Only the serializer's own.
#[allow(clippy::ref_option)] // the signature serde's `serialize_with` calls
pub fn optional_rfc3339<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => rfc3339(at, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde::Serialize;

    use super::*;

    #[derive(Serialize)]
    struct Ours {
        #[serde(serialize_with = "rfc3339")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "optional_rfc3339")]
        maybe: Option<DateTime<Utc>>,
    }

    #[derive(Serialize)]
    struct Chrono {
        at: DateTime<Utc>,
        maybe: Option<DateTime<Utc>>,
    }

    #[test]
    fn writes_what_chronos_own_serialize_writes() {
        let second = Utc.with_ymd_and_hms(2026, 11, 29, 7, 5, 9).unwrap();
        for nanos in [0, 120_000_000, 123_456_000, 123_456_789, 1_000] {
            let at = second + chrono::Duration::nanoseconds(nanos);
            for maybe in [None, Some(at)] {
                let ours = serde_json::to_string(&Ours { at, maybe }).unwrap();
                let chrono = serde_json::to_string(&Chrono { at, maybe }).unwrap();
                assert_eq!(ours, chrono);
            }
        }
        let micros = Ours {
            at: second + chrono::Duration::microseconds(250),
            maybe: None,
        };
        assert_eq!(
            serde_json::to_string(&micros).unwrap(),
            r#"{"at":"2026-11-29T07:05:09.000250Z","maybe":null}"#
        );
    }
}
