//! Why and when a session was revoked.

use std::{fmt, str::FromStr};

use chrono::{DateTime, Utc};

/// The closed set of revocation reasons, stored as their `snake_case` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationReason {
    /// The user logged out of this session.
    Logout,
    /// The user logged out of every other session.
    LogoutAll,
    /// The user revoked this session from their session list.
    UserRevoked,
    /// The user changed their password; every other session ends.
    PasswordChanged,
    /// The suspicious-activity count reached the threshold.
    SuspiciousActivity,
    /// A used refresh token was presented again.
    RefreshTokenReuse,
    /// Evicted to make room under the per-user session limit.
    SessionLimit,
    /// An administrator revoked it.
    Admin,
}

impl RevocationReason {
    /// Every reason, in declaration order.
    pub const ALL: [Self; 8] = [
        Self::Logout,
        Self::LogoutAll,
        Self::UserRevoked,
        Self::PasswordChanged,
        Self::SuspiciousActivity,
        Self::RefreshTokenReuse,
        Self::SessionLimit,
        Self::Admin,
    ];

    /// The stored `snake_case` name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::LogoutAll => "logout_all",
            Self::UserRevoked => "user_revoked",
            Self::PasswordChanged => "password_changed",
            Self::SuspiciousActivity => "suspicious_activity",
            Self::RefreshTokenReuse => "refresh_token_reuse",
            Self::SessionLimit => "session_limit",
            Self::Admin => "admin",
        }
    }
}

/// A string that names no revocation reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown revocation reason {0:?}")]
pub struct UnknownRevocationReason(pub String);

impl FromStr for RevocationReason {
    type Err = UnknownRevocationReason;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|reason| reason.as_str() == raw)
            .ok_or_else(|| UnknownRevocationReason(raw.to_owned()))
    }
}

impl fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The revoked state: time and reason are only ever set together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Revocation {
    /// When the session was revoked.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: RevocationReason,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_round_trips_through_its_stored_name() {
        for reason in RevocationReason::ALL {
            assert_eq!(reason.as_str().parse::<RevocationReason>(), Ok(reason));
        }
    }

    #[test]
    fn an_unknown_name_is_rejected() {
        assert!("expired".parse::<RevocationReason>().is_err());
        assert!("Logout".parse::<RevocationReason>().is_err());
    }
}
