//! Durations as configured: `30d`, `15m`, `60s`, `1h`, or `0`.

use std::{fmt, str::FromStr};

use chrono::TimeDelta;
use serde::{Deserialize, Deserializer};

/// A configured duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettingDuration(pub TimeDelta);

/// A duration that is not `<number><s|m|h|d>` (or `0`).
#[derive(Debug, thiserror::Error)]
#[error("invalid duration {0:?}: use a number with s, m, h or d (e.g. 30d, 15m), or 0")]
pub struct InvalidDuration(String);

impl FromStr for SettingDuration {
    type Err = InvalidDuration;

    fn from_str(text: &str) -> Result<Self, InvalidDuration> {
        let invalid = || InvalidDuration(text.to_owned());
        let text = text.trim();
        if text == "0" {
            return Ok(Self(TimeDelta::zero()));
        }
        let split = text.len().checked_sub(1).ok_or_else(invalid)?;
        let (number, unit) = text.split_at(split);
        let number: i64 = number.parse().map_err(|_| invalid())?;
        if number < 0 {
            return Err(invalid());
        }
        let span = match unit {
            "s" => TimeDelta::try_seconds(number),
            "m" => TimeDelta::try_minutes(number),
            "h" => TimeDelta::try_hours(number),
            "d" => TimeDelta::try_days(number),
            _ => None,
        };
        span.map(Self).ok_or_else(invalid)
    }
}

impl fmt::Display for SettingDuration {
    /// In the largest unit that writes it exactly, as a setting is written (`400d`, `5m`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.0.num_seconds();
        match seconds {
            0 => f.write_str("0"),
            s if s % 86_400 == 0 => write!(f, "{}d", s / 86_400),
            s if s % 3_600 == 0 => write!(f, "{}h", s / 3_600),
            s if s % 60 == 0 => write!(f, "{}m", s / 60),
            s => write!(f, "{s}s"),
        }
    }
}

impl<'de> Deserialize<'de> for SettingDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_parses() {
        assert_eq!(
            "30d".parse::<SettingDuration>().unwrap().0,
            TimeDelta::days(30)
        );
        assert_eq!(
            "15m".parse::<SettingDuration>().unwrap().0,
            TimeDelta::minutes(15)
        );
        assert_eq!(
            "60s".parse::<SettingDuration>().unwrap().0,
            TimeDelta::seconds(60)
        );
        assert_eq!(
            "1h".parse::<SettingDuration>().unwrap().0,
            TimeDelta::hours(1)
        );
        assert_eq!("0".parse::<SettingDuration>().unwrap().0, TimeDelta::zero());
    }

    #[test]
    fn anything_else_is_rejected() {
        for text in ["", "30", "d", "-5m", "1.5h", "10w", "9999999999999999d"] {
            assert!(text.parse::<SettingDuration>().is_err(), "{text}");
        }
    }
}
