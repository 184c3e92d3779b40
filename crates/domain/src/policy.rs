//! Every tunable of the session rules, with the defaults of the specification.

use std::num::NonZeroU32;

use chrono::TimeDelta;

use crate::{KeySchedule, RetrySchedule, ThrottlePolicy};

/// How many active sessions a user may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionLimit {
    /// No limit (configured as `0`).
    Unlimited,
    /// At most this many active sessions.
    AtMost(NonZeroU32),
}

/// A session limit over [`SessionLimit::MAX_COUNT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a session limit is at most {}", SessionLimit::MAX_COUNT)]
pub struct SessionLimitTooLarge;

impl SessionLimit {
    /// The largest limit: more sessions than anyone signs in with, so a larger number only
    /// ever means "unlimited", which is `0`.
    pub const MAX_COUNT: u32 = 1_000_000;

    /// Reads a configured number, where `0` means unlimited.
    ///
    /// # Errors
    /// [`SessionLimitTooLarge`] over [`SessionLimit::MAX_COUNT`].
    pub fn new(count: u32) -> Result<Self, SessionLimitTooLarge> {
        if count > Self::MAX_COUNT {
            return Err(SessionLimitTooLarge);
        }
        Ok(NonZeroU32::new(count).map_or(Self::Unlimited, Self::AtMost))
    }

    /// The configured number, `0` for unlimited.
    pub fn as_count(self) -> u32 {
        match self {
            Self::Unlimited => 0,
            Self::AtMost(count) => count.get(),
        }
    }
}

/// The tunables of the session lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Absolute session lifetime from creation; never extended. Default 30 days.
    pub session_lifetime: TimeDelta,
    /// Inactivity after which a session ends; `None` = no idle timeout (default).
    pub idle_timeout: Option<TimeDelta>,
    /// Least time between two `last_activity_at` writes. Default 60 s.
    pub activity_write_interval: TimeDelta,
    /// Per-user session limit when the user has none of their own. Default 10.
    pub default_max_sessions: SessionLimit,
    /// Suspicious-activity count at which a session is revoked; `0` never revokes. Default 3.
    pub suspicious_threshold: u32,
    /// How long the previous refresh token still yields the same successor. Default 30 s.
    pub refresh_grace: TimeDelta,
    /// Access-token lifetime. Default 15 minutes.
    pub access_token_ttl: TimeDelta,
    /// How long expired or revoked sessions are kept before cleanup. Default 7 days.
    pub retention: TimeDelta,
    /// How long events are kept, whether or not their session still is. Default 400 days.
    pub audit_retention: TimeDelta,
    /// Rows deleted per cleanup batch. Default 1000.
    pub cleanup_batch_size: u32,
    /// The attempt budgets of logins, password changes and registrations.
    pub throttle: ThrottlePolicy,
    /// The rotation of the signing keys.
    pub keys: KeySchedule,
    /// When failed webhook deliveries are tried again, and for how long.
    pub webhook_retries: RetrySchedule,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            session_lifetime: TimeDelta::days(30),
            idle_timeout: None,
            activity_write_interval: TimeDelta::seconds(60),
            default_max_sessions: SessionLimit::AtMost(NonZeroU32::MIN.saturating_add(9)),
            suspicious_threshold: 3,
            refresh_grace: TimeDelta::seconds(30),
            access_token_ttl: TimeDelta::minutes(15),
            retention: TimeDelta::days(7),
            audit_retention: TimeDelta::days(400),
            cleanup_batch_size: 1000,
            throttle: ThrottlePolicy::default(),
            keys: KeySchedule::default(),
            webhook_retries: RetrySchedule {
                first: TimeDelta::seconds(10),
                cap: TimeDelta::hours(1),
                give_up_after: TimeDelta::hours(24),
            },
        }
    }
}

impl SessionPolicy {
    /// The effective activity write threshold: the configured interval, but at most half the
    /// idle timeout, so that an active user is never timed out between two writes.
    pub fn activity_write_threshold(&self) -> TimeDelta {
        match self.idle_timeout {
            Some(idle) => self.activity_write_interval.min(idle / 2),
            None => self.activity_write_interval,
        }
    }

    /// The limit that applies to a user with the given own limit (if any).
    pub fn limit_for(&self, user_limit: Option<SessionLimit>) -> SessionLimit {
        user_limit.unwrap_or(self.default_max_sessions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_those_of_the_specification() {
        let policy = SessionPolicy::default();
        assert_eq!(policy.session_lifetime, TimeDelta::days(30));
        assert_eq!(policy.idle_timeout, None);
        assert_eq!(policy.activity_write_interval, TimeDelta::seconds(60));
        assert_eq!(policy.default_max_sessions.as_count(), 10);
        assert_eq!(policy.suspicious_threshold, 3);
        assert_eq!(policy.refresh_grace, TimeDelta::seconds(30));
        assert_eq!(policy.access_token_ttl, TimeDelta::minutes(15));
        assert_eq!(policy.retention, TimeDelta::days(7));
        assert_eq!(policy.audit_retention, TimeDelta::days(400));
        assert_eq!(policy.cleanup_batch_size, 1000);
    }

    #[test]
    fn the_write_threshold_is_at_most_half_the_idle_timeout() {
        let policy = SessionPolicy {
            idle_timeout: Some(TimeDelta::seconds(80)),
            ..SessionPolicy::default()
        };
        assert_eq!(policy.activity_write_threshold(), TimeDelta::seconds(40));
        let long_idle = SessionPolicy {
            idle_timeout: Some(TimeDelta::hours(1)),
            ..SessionPolicy::default()
        };
        assert_eq!(long_idle.activity_write_threshold(), TimeDelta::seconds(60));
    }

    #[test]
    fn zero_means_unlimited_sessions() {
        assert_eq!(SessionLimit::new(0), Ok(SessionLimit::Unlimited));
        assert_eq!(SessionLimit::Unlimited.as_count(), 0);
    }

    #[test]
    fn a_limit_is_at_most_a_million_sessions() {
        let largest = SessionLimit::new(SessionLimit::MAX_COUNT).unwrap();
        assert_eq!(largest.as_count(), 1_000_000);
        assert_eq!(
            SessionLimit::new(SessionLimit::MAX_COUNT + 1),
            Err(SessionLimitTooLarge)
        );
    }

    #[test]
    fn a_users_own_limit_wins_over_the_default() {
        let policy = SessionPolicy::default();
        assert_eq!(
            policy.limit_for(Some(SessionLimit::Unlimited)),
            SessionLimit::Unlimited
        );
        assert_eq!(policy.limit_for(None), policy.default_max_sessions);
    }
}
