//! Domain events: the append-only audit trail investigators read.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::{Cause, ProviderSlug, RevocationReason, SessionId, UserAgent, UserId};

/// Something that happened to a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionEvent {
    /// The session it happened to.
    pub session_id: SessionId,
    /// The session's owner.
    pub user_id: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: SessionEventKind,
    /// Who, from where: the service itself until the application names the caller.
    pub cause: Cause,
}

/// Which suspicious signal a request showed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SuspiciousKind {
    /// The request came from another country than the session started in.
    CountryChanged,
    /// The browser family or OS differs from the one the session started with.
    DeviceChanged,
    /// Both at once.
    CountryAndDeviceChanged,
}

impl SuspiciousKind {
    /// Stable `snake_case` name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CountryChanged => "country_changed",
            Self::DeviceChanged => "device_changed",
            Self::CountryAndDeviceChanged => "country_and_device_changed",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::CountryChanged,
            Self::DeviceChanged,
            Self::CountryAndDeviceChanged,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == name)
    }

    pub(crate) fn of(country_changed: bool, device_changed: bool) -> Option<Self> {
        match (country_changed, device_changed) {
            (true, true) => Some(Self::CountryAndDeviceChanged),
            (true, false) => Some(Self::CountryChanged),
            (false, true) => Some(Self::DeviceChanged),
            (false, false) => None,
        }
    }

    /// Whether the signal involves a device change (which revokes even trusted sessions).
    pub const fn involves_device(self) -> bool {
        matches!(self, Self::DeviceChanged | Self::CountryAndDeviceChanged)
    }
}

/// The kinds of session events and their data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionEventKind {
    /// A session started (login).
    Created {
        /// Whether the account had not signed in from this device before
        /// ([`crate::is_new_device`]); `None` for sessions started before this was recorded.
        new_device: Option<bool>,
    },
    /// A session was revoked.
    Revoked {
        /// Why.
        reason: RevocationReason,
        /// For session-limit evictions: the new session that took the slot.
        evicted_by: Option<SessionId>,
    },
    /// The client address changed.
    IpChanged {
        /// Previous address.
        from: IpAddr,
        /// New address.
        to: IpAddr,
        /// Whether both are in one IPv4 /24 or IPv6 /64.
        same_network: bool,
    },
    /// A request looked suspicious.
    SuspiciousActivity {
        /// Which signal.
        kind: SuspiciousKind,
        /// The session's count after this request.
        count: u32,
    },
    /// A data provider was accessed through this session.
    ProviderAccessed {
        /// Which provider.
        provider: ProviderSlug,
    },
    /// The owner marked the device trusted.
    Trusted,
    /// The owner removed the trusted mark.
    Untrusted,
    /// A refresh token was presented again after it had been used.
    RefreshTokenReuse,
    /// The previous refresh token was presented again inside the grace window by the client
    /// that used it, and answered with the same successor.
    RefreshReplayed {
        /// The replaying client's address.
        ip: IpAddr,
        /// Its user agent, if it sent one.
        user_agent: Option<UserAgent>,
    },
}

impl SessionEventKind {
    /// The stable event type name exposed by the API and stored in the audit trail.
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::Created { .. } => "session_created",
            Self::Revoked { .. } => "session_revoked",
            Self::IpChanged { .. } => "ip_changed",
            Self::SuspiciousActivity { .. } => "suspicious_activity",
            Self::ProviderAccessed { .. } => "provider_accessed",
            Self::Trusted => "session_trusted",
            Self::Untrusted => "session_untrusted",
            Self::RefreshTokenReuse => "refresh_token_reuse",
            Self::RefreshReplayed { .. } => "refresh_replayed",
        }
    }
}

impl SessionEvent {
    /// The revocation of a session evicted to make room for `evicted_by`, caused as the
    /// sign-in that started it.
    pub fn evicted(
        session_id: SessionId,
        user_id: UserId,
        evicted_by: SessionId,
        at: DateTime<Utc>,
        cause: Cause,
    ) -> Self {
        Self {
            session_id,
            user_id,
            at,
            kind: SessionEventKind::Revoked {
                reason: RevocationReason::SessionLimit,
                evicted_by: Some(evicted_by),
            },
            cause,
        }
    }

    /// The revocation of a session by a bulk operation (logout-all, password change, admin).
    pub fn bulk_revoked(
        session_id: SessionId,
        user_id: UserId,
        reason: RevocationReason,
        at: DateTime<Utc>,
        cause: Cause,
    ) -> Self {
        Self {
            session_id,
            user_id,
            at,
            kind: SessionEventKind::Revoked {
                reason,
                evicted_by: None,
            },
            cause,
        }
    }
}
