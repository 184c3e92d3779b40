//! Every configured duration with its default and its documented maximum: a value past the
//! maximum (or zero where zero means nothing) stops the start with the setting's name, so
//! that no later date arithmetic meets an absurd duration.

use chrono::TimeDelta;

use super::InvalidSettings;
use crate::setting_duration::SettingDuration;

/// What a zero means for a duration setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zero {
    /// Zero is not a valid value.
    Refused,
    /// Zero turns the feature off.
    Off,
    /// Zero is a valid duration (e.g. no grace at all).
    Allowed,
}

/// One duration setting.
#[derive(Clone, Copy, Debug)]
pub struct DurationSetting {
    /// The flag's name.
    pub name: &'static str,
    /// The value when not configured (`None`: off).
    pub default: Option<TimeDelta>,
    /// The largest accepted value.
    pub max: TimeDelta,
    /// What zero means.
    pub zero: Zero,
}

const fn days(days: i64) -> TimeDelta {
    TimeDelta::seconds(days * 86_400)
}

/// How long a key generation signs.
pub const KEY_ROTATION: DurationSetting = DurationSetting {
    name: "key-rotation",
    default: Some(days(30)),
    max: days(400),
    zero: Zero::Refused,
};
/// How long verifiers may cache the published keys.
pub const JWKS_MAX_AGE: DurationSetting = DurationSetting {
    name: "jwks-max-age",
    default: Some(TimeDelta::minutes(5)),
    max: days(1),
    zero: Zero::Allowed,
};
/// Absolute session lifetime.
pub const SESSION_LIFETIME: DurationSetting = DurationSetting {
    name: "session-lifetime",
    default: Some(days(30)),
    max: days(400),
    zero: Zero::Refused,
};
/// Idle timeout.
pub const IDLE_TIMEOUT: DurationSetting = DurationSetting {
    name: "idle-timeout",
    default: None,
    max: days(400),
    zero: Zero::Off,
};
/// Access-token lifetime.
pub const ACCESS_TOKEN_TTL: DurationSetting = DurationSetting {
    name: "access-token-ttl",
    default: Some(TimeDelta::minutes(15)),
    max: TimeDelta::hours(24),
    zero: Zero::Refused,
};
/// Refresh grace window.
pub const REFRESH_GRACE: DurationSetting = DurationSetting {
    name: "refresh-grace",
    default: Some(TimeDelta::seconds(30)),
    max: TimeDelta::minutes(5),
    zero: Zero::Allowed,
};
/// Least time between two activity writes.
pub const ACTIVITY_WRITE_INTERVAL: DurationSetting = DurationSetting {
    name: "activity-write-interval",
    default: Some(TimeDelta::seconds(60)),
    max: days(1),
    zero: Zero::Allowed,
};
/// How long ended sessions are kept.
pub const RETENTION: DurationSetting = DurationSetting {
    name: "retention",
    default: Some(days(7)),
    max: days(3650),
    zero: Zero::Allowed,
};
/// How long events are kept, whether or not their session is.
pub const AUDIT_RETENTION: DurationSetting = DurationSetting {
    name: "audit-retention",
    default: Some(days(400)),
    max: days(3650),
    zero: Zero::Allowed,
};
/// Background cleanup period.
pub const CLEANUP_INTERVAL: DurationSetting = DurationSetting {
    name: "cleanup-interval",
    default: Some(TimeDelta::hours(1)),
    max: days(30),
    zero: Zero::Off,
};
/// Lockout window.
pub const LOCKOUT_WINDOW: DurationSetting = DurationSetting {
    name: "lockout-window",
    default: Some(TimeDelta::minutes(15)),
    max: days(1),
    zero: Zero::Refused,
};
/// Time to receive a request's head.
pub const HTTP_HEADER_TIMEOUT: DurationSetting = DurationSetting {
    name: "http-header-timeout",
    default: Some(TimeDelta::seconds(10)),
    max: TimeDelta::minutes(10),
    zero: Zero::Refused,
};
/// Time a keep-alive connection may idle.
pub const HTTP_IDLE_TIMEOUT: DurationSetting = DurationSetting {
    name: "http-idle-timeout",
    default: Some(TimeDelta::seconds(75)),
    max: TimeDelta::hours(1),
    zero: Zero::Refused,
};
/// Time to answer a request.
pub const HTTP_REQUEST_TIMEOUT: DurationSetting = DurationSetting {
    name: "http-request-timeout",
    default: Some(TimeDelta::seconds(30)),
    max: TimeDelta::minutes(10),
    zero: Zero::Refused,
};
/// Time in-flight requests get at shutdown.
pub const SHUTDOWN_TIMEOUT: DurationSetting = DurationSetting {
    name: "shutdown-timeout",
    default: Some(TimeDelta::seconds(30)),
    max: TimeDelta::hours(1),
    zero: Zero::Allowed,
};

/// How long a failed webhook delivery is tried again.
pub const WEBHOOK_RETRY_FOR: DurationSetting = DurationSetting {
    name: "webhook-retry-for",
    default: Some(TimeDelta::hours(24)),
    max: days(7),
    zero: Zero::Allowed,
};
/// The wait after a webhook delivery's first failure (it doubles after each).
pub const WEBHOOK_RETRY_FIRST: DurationSetting = DurationSetting {
    name: "webhook-retry-first",
    default: Some(TimeDelta::seconds(10)),
    max: TimeDelta::hours(1),
    zero: Zero::Refused,
};

/// Counting of the active-sessions gauge.
pub const METRICS_REFRESH: DurationSetting = DurationSetting {
    name: "metrics-refresh",
    default: Some(TimeDelta::seconds(15)),
    max: TimeDelta::hours(1),
    zero: Zero::Refused,
};

/// Every duration setting.
#[cfg(test)]
pub const ALL: [DurationSetting; 18] = [
    SESSION_LIFETIME,
    IDLE_TIMEOUT,
    ACCESS_TOKEN_TTL,
    REFRESH_GRACE,
    ACTIVITY_WRITE_INTERVAL,
    RETENTION,
    AUDIT_RETENTION,
    CLEANUP_INTERVAL,
    KEY_ROTATION,
    JWKS_MAX_AGE,
    LOCKOUT_WINDOW,
    HTTP_HEADER_TIMEOUT,
    HTTP_IDLE_TIMEOUT,
    HTTP_REQUEST_TIMEOUT,
    SHUTDOWN_TIMEOUT,
    METRICS_REFRESH,
    WEBHOOK_RETRY_FOR,
    WEBHOOK_RETRY_FIRST,
];

impl DurationSetting {
    /// The configured `span`, else the default, checked; `None` when off.
    pub fn resolve(
        self,
        span: Option<SettingDuration>,
    ) -> Result<Option<TimeDelta>, InvalidSettings> {
        let Some(value) = span.map(|span| span.0).or(self.default) else {
            return Ok(None);
        };
        if value > self.max {
            return Err(InvalidSettings::TooLong {
                name: self.name,
                max: SettingDuration(self.max),
            });
        }
        match self.zero {
            _ if value > TimeDelta::zero() => Ok(Some(value)),
            Zero::Refused => Err(InvalidSettings::Zero(self.name)),
            Zero::Off => Ok(None),
            Zero::Allowed => Ok(Some(value)),
        }
    }

    /// [`DurationSetting::resolve`] for a setting that is never off.
    pub fn required(self, span: Option<SettingDuration>) -> Result<TimeDelta, InvalidSettings> {
        self.resolve(span)
            .map(|value| value.unwrap_or(TimeDelta::zero()))
    }
}
