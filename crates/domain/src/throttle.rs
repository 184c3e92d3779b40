//! The throttle's rules: which attempt budgets a login, a password change or a registration
//! draws on, how large each is, and whether one is spent. The counts live in the store (so
//! every instance sharing it enforces one budget); these rules only judge them.
//!
//! Logins follow OWASP's "device cookies" design: failures from clients that hold no device
//! token of the account share one budget per account, while the holder of a device token has
//! a budget of its own, so nobody else's failures can lock the owner out. Failures from one
//! network across all accounts (password spraying) have a budget too.

use std::{fmt, net::IpAddr};

use chrono::{DateTime, TimeDelta, Utc};

use crate::{DeviceTokenId, Email, SessionId};

/// The network an address counts under in per-network budgets: an IPv4 address, or the /64
/// of an IPv6 address (one subscriber's prefix, in which addresses rotate freely).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ThrottledNetwork(String);

impl ThrottledNetwork {
    /// The network of `ip` (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self(v4.to_string()),
            IpAddr::V6(v6) => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                Self(format!("{}/64", std::net::Ipv6Addr::from(octets)))
            }
        }
    }
}

impl fmt::Display for ThrottledNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What one budget counts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BudgetKey {
    /// Failed logins to an account by clients without a device token of it (keyed by the
    /// address as typed, normalised, whether or not it is registered).
    Account(Email),
    /// Failed logins by the holder of one device token.
    DeviceToken(DeviceTokenId),
    /// Failed logins from one network, to any account.
    NetworkFailures(ThrottledNetwork),
    /// Registrations from one network.
    Registrations(ThrottledNetwork),
    /// Failed password changes in one session.
    PasswordChanges(SessionId),
}

impl BudgetKey {
    /// Stable name of the key's kind, for storage.
    pub const fn scope(&self) -> &'static str {
        match self {
            Self::Account(_) => "account",
            Self::DeviceToken(_) => "device_token",
            Self::NetworkFailures(_) => "network_failures",
            Self::Registrations(_) => "registrations",
            Self::PasswordChanges(_) => "password_changes",
        }
    }

    /// What the key names within its scope, for storage.
    pub fn subject(&self) -> String {
        match self {
            Self::Account(email) => email.as_str().to_owned(),
            Self::DeviceToken(id) => id.to_string(),
            Self::NetworkFailures(network) | Self::Registrations(network) => network.to_string(),
            Self::PasswordChanges(id) => id.to_string(),
        }
    }
}

/// How many attempts a budget allows in one window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Attempts allowed per window (at least 1).
    pub limit: u32,
    /// A window starts with its first attempt and lasts this long.
    pub window: TimeDelta,
}

/// A budget's count as stored: the attempts of its current window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptCount {
    /// Attempts counted in the window.
    pub count: u32,
    /// When the window ends (and the count starts again from zero).
    pub window_ends_at: DateTime<Utc>,
}

impl AttemptCount {
    /// The attempts that still count at `now`.
    pub fn at(&self, now: DateTime<Utc>) -> u32 {
        if now < self.window_ends_at {
            self.count
        } else {
            0
        }
    }
}

/// An attempt refused because a budget it draws on is spent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("too many attempts; retry in {retry_after}")]
pub struct Throttled {
    /// Until the longest of the spent budgets' windows ends.
    pub retry_after: TimeDelta,
}

/// Whether an attempt fits every budget it draws on, given each budget's stored count:
/// before the attempt is counted (`counted: false`, one more must fit) or after
/// (`counted: true`, the count includes it).
///
/// # Errors
/// [`Throttled`] when a budget is spent, with the time until its window ends.
pub fn admit<'a>(
    budgets: impl IntoIterator<Item = (&'a Budget, &'a AttemptCount)>,
    counted: bool,
    now: DateTime<Utc>,
) -> Result<(), Throttled> {
    let attempt = u32::from(!counted);
    let retry_after = budgets
        .into_iter()
        .filter(|(budget, count)| count.at(now).saturating_add(attempt) > budget.limit)
        .map(|(_, count)| count.window_ends_at - now)
        .max();
    match retry_after {
        Some(retry_after) => Err(Throttled { retry_after }),
        None => Ok(()),
    }
}

/// The tunables of the throttle, with the defaults of the specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failed logins per account (clients without a device token) and per device token in
    /// one lockout window; `0` turns login throttling off. Default 10.
    pub lockout_threshold: u32,
    /// Default 15 minutes.
    pub lockout_window: TimeDelta,
    /// Failed logins per network (IPv4 address, IPv6 /64) in one lockout window, across
    /// accounts; `0` = no limit. Default 100.
    pub network_failure_limit: u32,
    /// Failed password changes that revoke the session they were tried in. Default 5.
    pub password_change_failures: u32,
    /// Registrations per network in one registration window; `0` = no limit. Default 20.
    pub registrations_per_network: u32,
    /// Default one hour.
    pub registration_window: TimeDelta,
    /// How long a device token vouches for its device after its last login. Default a year.
    pub device_token_lifetime: TimeDelta,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            lockout_threshold: 10,
            lockout_window: TimeDelta::minutes(15),
            network_failure_limit: 100,
            password_change_failures: 5,
            registrations_per_network: 20,
            registration_window: TimeDelta::hours(1),
            device_token_lifetime: TimeDelta::days(365),
        }
    }
}

impl ThrottlePolicy {
    /// The budget `key` counts against, or `None` when that kind of budget is off.
    /// Password changes count over `session_lifetime`: the budget is the session's.
    pub fn budget(&self, key: &BudgetKey, session_lifetime: TimeDelta) -> Option<Budget> {
        let (limit, window) = match key {
            BudgetKey::Account(_) | BudgetKey::DeviceToken(_) => {
                (self.lockout_threshold, self.lockout_window)
            }
            BudgetKey::NetworkFailures(_) => (self.network_failure_limit, self.lockout_window),
            BudgetKey::Registrations(_) => {
                (self.registrations_per_network, self.registration_window)
            }
            BudgetKey::PasswordChanges(_) => (self.password_change_failures, session_lifetime),
        };
        (limit > 0).then_some(Budget { limit, window })
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn budget(limit: u32) -> Budget {
        Budget {
            limit,
            window: TimeDelta::minutes(15),
        }
    }

    fn count(count: u32, ends_in_minutes: i64) -> AttemptCount {
        AttemptCount {
            count,
            window_ends_at: t0() + TimeDelta::minutes(ends_in_minutes),
        }
    }

    fn network(ip: &str) -> String {
        ThrottledNetwork::of(ip.parse().unwrap()).to_string()
    }

    #[test]
    fn an_ipv4_address_is_its_own_network_and_an_ipv6_address_counts_as_its_slash_64() {
        assert_eq!(network("203.0.113.7"), "203.0.113.7");
        assert_ne!(network("203.0.113.7"), network("203.0.113.8"));
        assert_eq!(network("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(network("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            network("2001:db8:1:2:aaaa::1"),
            network("2001:db8:1:2:ffff:ffff:ffff:ffff")
        );
        assert_ne!(network("2001:db8:1:2::1"), network("2001:db8:1:3::1"));
    }

    #[test]
    fn before_counting_an_attempt_fits_while_the_count_is_below_the_limit() {
        assert!(admit([(&budget(3), &count(2, 10))], false, t0()).is_ok());
        let refused = admit([(&budget(3), &count(3, 10))], false, t0()).unwrap_err();
        assert_eq!(refused.retry_after, TimeDelta::minutes(10));
    }

    #[test]
    fn after_counting_an_attempt_fits_while_the_count_is_at_most_the_limit() {
        assert!(admit([(&budget(3), &count(3, 10))], true, t0()).is_ok());
        assert!(admit([(&budget(3), &count(4, 10))], true, t0()).is_err());
    }

    #[test]
    fn a_window_that_has_ended_counts_nothing() {
        assert!(admit([(&budget(3), &count(50, 0))], false, t0()).is_ok());
    }

    #[test]
    fn the_longest_spent_window_says_when_to_retry() {
        let refused = admit(
            [
                (&budget(3), &count(3, 4)),
                (&budget(3), &count(9, 12)),
                (&budget(100), &count(5, 14)),
            ],
            false,
            t0(),
        )
        .unwrap_err();
        assert_eq!(refused.retry_after, TimeDelta::minutes(12));
    }

    #[test]
    fn a_limit_of_zero_turns_a_budget_off() {
        let policy = ThrottlePolicy {
            lockout_threshold: 0,
            ..ThrottlePolicy::default()
        };
        let account = BudgetKey::Account(Email::parse("a@example.com").unwrap());
        assert_eq!(policy.budget(&account, TimeDelta::days(30)), None);
        let network = BudgetKey::NetworkFailures(ThrottledNetwork::of([203, 0, 113, 7].into()));
        assert_eq!(
            policy.budget(&network, TimeDelta::days(30)),
            Some(Budget {
                limit: 100,
                window: TimeDelta::minutes(15)
            })
        );
    }

    #[test]
    fn password_changes_count_over_the_sessions_lifetime() {
        let key = BudgetKey::PasswordChanges(SessionId::from_uuid(Uuid::from_u128(1)));
        assert_eq!(
            ThrottlePolicy::default().budget(&key, TimeDelta::days(30)),
            Some(Budget {
                limit: 5,
                window: TimeDelta::days(30)
            })
        );
    }

    #[test]
    fn keys_of_different_kinds_never_share_a_stored_name() {
        let network = ThrottledNetwork::of([203, 0, 113, 7].into());
        let failures = BudgetKey::NetworkFailures(network.clone());
        let registrations = BudgetKey::Registrations(network);
        assert_eq!(failures.subject(), registrations.subject());
        assert_ne!(failures.scope(), registrations.scope());
    }
}
