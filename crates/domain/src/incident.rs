//! Incident response: which active sessions an administrator's filter selects.

use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;

use crate::{CountryCode, DeviceFingerprint, ProviderSlug, SessionState, UserId};

/// The sessions an incident response revokes: every condition given must hold. A filter
/// with no condition selects nothing, so that no typo revokes every session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// Started from, or last seen at, an address in this network.
    pub network: Option<IpNetwork>,
    /// Located in this country at sign-in.
    pub country: Option<CountryCode>,
    /// Signed in with this browser or operating-system family (any case).
    pub device: Option<String>,
    /// Owned by one of these users (any user when empty).
    pub user_ids: Vec<UserId>,
    /// Started at or after this time.
    pub created_after: Option<DateTime<Utc>>,
    /// Started before this time.
    pub created_before: Option<DateTime<Utc>>,
    /// Accessed this data provider.
    pub provider: Option<ProviderSlug>,
}

impl SessionFilter {
    /// Whether no condition is given.
    pub fn is_empty(&self) -> bool {
        self.network.is_none()
            && self.country.is_none()
            && self.device.is_none()
            && self.user_ids.is_empty()
            && self.created_after.is_none()
            && self.created_before.is_none()
            && self.provider.is_none()
    }

    /// Whether matching needs the session's device fingerprint.
    pub fn needs_device(&self) -> bool {
        self.device.is_some()
    }

    /// Whether `session`, whose user agent parses to `device`, meets every condition. (Whether
    /// it is still active is the caller's question.)
    pub fn matches(&self, session: &SessionState, device: Option<&DeviceFingerprint>) -> bool {
        !self.is_empty()
            && self.network.is_none_or(|network| {
                network.contains(session.ip_address)
                    || session
                        .last_ip_address
                        .is_some_and(|last| network.contains(last))
            })
            && self.country.is_none_or(|country| {
                session
                    .location
                    .as_ref()
                    .is_some_and(|location| location.country() == country)
            })
            && self.device.as_deref().is_none_or(|family| {
                device.is_some_and(|device| {
                    [&device.browser_family, &device.os_family]
                        .into_iter()
                        .flatten()
                        .any(|known| known.eq_ignore_ascii_case(family))
                })
            })
            && (self.user_ids.is_empty() || self.user_ids.contains(&session.user_id))
            && self
                .created_after
                .is_none_or(|after| session.created_at >= after)
            && self
                .created_before
                .is_none_or(|before| session.created_at < before)
            && self
                .provider
                .as_ref()
                .is_none_or(|provider| session.providers_accessed.contains(provider))
    }
}

#[cfg(test)]
mod tests;
