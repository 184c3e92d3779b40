//! Security notifications: which events an endpoint receives, when a failed delivery is
//! tried again, and whether a sign-in comes from a device new to its account.

use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, Utc};

use crate::{DeviceFingerprint, NetworkRelation, network_relation};

/// The notifications an endpoint subscribes to, each fed by one type of the audit trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WebhookEventType {
    /// A sign-in (`session_created`).
    SessionCreated,
    /// A revocation, whatever its reason (`session_revoked`).
    SessionRevoked,
    /// A request that looked suspicious (`suspicious_activity`).
    SessionSuspicious,
    /// A used refresh token presented again (`refresh_token_reuse`).
    RefreshTokenReused,
    /// A password change (`password_changed`).
    PasswordChanged,
    /// An account's or a network's sign-in failures spent their budget
    /// (`login_locked_out`).
    LoginLockedOut,
}

impl WebhookEventType {
    /// Every type, in the order the API documents them.
    pub const ALL: [Self; 6] = [
        Self::SessionCreated,
        Self::SessionRevoked,
        Self::SessionSuspicious,
        Self::RefreshTokenReused,
        Self::PasswordChanged,
        Self::LoginLockedOut,
    ];

    /// The name receivers see, e.g. `session.created`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::SessionCreated => "session.created",
            Self::SessionRevoked => "session.revoked",
            Self::SessionSuspicious => "session.suspicious",
            Self::RefreshTokenReused => "refresh_token.reused",
            Self::PasswordChanged => "password.changed",
            Self::LoginLockedOut => "login.locked_out",
        }
    }

    /// The audit-trail type that feeds it.
    pub const fn trail_type(self) -> &'static str {
        match self {
            Self::SessionCreated => "session_created",
            Self::SessionRevoked => "session_revoked",
            Self::SessionSuspicious => "suspicious_activity",
            Self::RefreshTokenReused => "refresh_token_reuse",
            Self::PasswordChanged => "password_changed",
            Self::LoginLockedOut => "login_locked_out",
        }
    }

    /// The type named `name` (as receivers see it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The type an audit-trail type feeds, if any.
    pub fn of_trail_type(trail_type: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.trail_type() == trail_type)
    }
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Not delivered yet; tried again when due.
    Pending,
    /// A 2xx answer was received.
    Delivered,
    /// Given up after the retry period.
    Failed,
}

impl DeliveryStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Pending, Self::Delivered, Self::Failed];

    /// Stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// The status named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == name)
    }
}

/// When failed deliveries are tried again: exponential backoff from `first`, capped at
/// `cap`, with jitter, until `give_up_after` has passed since the delivery was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetrySchedule {
    /// The wait after the first failure.
    pub first: TimeDelta,
    /// The longest wait.
    pub cap: TimeDelta,
    /// How long after its recording a delivery is still tried.
    pub give_up_after: TimeDelta,
}

impl RetrySchedule {
    /// When to try again after `failures` failed attempts of a delivery recorded at
    /// `recorded_at`, seen at `now`; `None` when it is time to give up. `jitter` (0 to 1)
    /// scales the wait between a half and the whole of it, so that deliveries failed
    /// together do not return together.
    pub fn next_attempt(
        &self,
        failures: u32,
        recorded_at: DateTime<Utc>,
        now: DateTime<Utc>,
        jitter: f64,
    ) -> Option<DateTime<Utc>> {
        let doublings = failures.saturating_sub(1).min(30);
        let wait = self
            .first
            .checked_mul(1 << doublings)
            .map_or(self.cap, |wait| wait.min(self.cap));
        let factor = 0.5 + 0.5 * jitter.clamp(0.0, 1.0);
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let wait = TimeDelta::milliseconds((wait.num_milliseconds() as f64 * factor) as i64);
        let next = now.checked_add_signed(wait)?;
        (next <= recorded_at.checked_add_signed(self.give_up_after)?).then_some(next)
    }
}

/// Whether a sign-in comes from a device its account has not signed in from: not when a
/// device token of the account vouched for it, nor when an earlier session of the account
/// had the same browser and OS families on the same network (IPv4 /24, IPv6 /64).
pub fn is_new_device(
    vouched_by_device_token: bool,
    device: Option<&DeviceFingerprint>,
    ip: IpAddr,
    earlier: &[(Option<DeviceFingerprint>, IpAddr)],
) -> bool {
    if vouched_by_device_token {
        return false;
    }
    !earlier.iter().any(|(earlier_device, earlier_ip)| {
        earlier_device.as_ref() == device
            && network_relation(*earlier_ip, ip) == NetworkRelation::SameNetwork
    })
}

#[cfg(test)]
mod tests;
