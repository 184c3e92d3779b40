//! Date arithmetic that cannot overflow: a configured duration added to a time saturates at
//! the latest representable instant instead of panicking.

use chrono::{DateTime, TimeDelta, Utc};

/// `at + span`, or the latest representable instant if that overflows.
pub fn add_saturating(at: DateTime<Utc>, span: TimeDelta) -> DateTime<Utc> {
    at.checked_add_signed(span)
        .unwrap_or(if span < TimeDelta::zero() {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
}

/// `at - span`, or the earliest representable instant if that overflows.
pub fn sub_saturating(at: DateTime<Utc>, span: TimeDelta) -> DateTime<Utc> {
    at.checked_sub_signed(span)
        .unwrap_or(if span < TimeDelta::zero() {
            DateTime::<Utc>::MAX_UTC
        } else {
            DateTime::<Utc>::MIN_UTC
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflowing_sums_saturate_instead_of_panicking() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(
            add_saturating(now, TimeDelta::MAX),
            DateTime::<Utc>::MAX_UTC
        );
        assert_eq!(
            sub_saturating(now, TimeDelta::MAX),
            DateTime::<Utc>::MIN_UTC
        );
        assert_eq!(
            add_saturating(now, TimeDelta::days(1)),
            now + TimeDelta::days(1)
        );
    }
}
