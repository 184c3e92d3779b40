//! What the HTTP adapter needs from configuration.

use std::{fmt, time::Duration};

use axum::http::HeaderName;
use ipnetwork::IpNetwork;

/// A credential compared in constant time and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// Whether `candidate` equals this secret, in time independent of where they differ.
    pub fn matches(&self, candidate: &str) -> bool {
        use subtle::ConstantTimeEq;
        self.0.len() == candidate.len() && bool::from(self.0.as_bytes().ct_eq(candidate.as_bytes()))
    }

    /// The credential, for the one place that must show it (`sessions admin-token`).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// HTTP-level settings.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Credential of the admin API.
    pub admin_token: Secret,
    /// Credential of the introspection endpoint.
    pub service_token: Secret,
    /// Peers whose `X-Forwarded-For` (and country header) is believed.
    pub trusted_proxies: Vec<IpNetwork>,
    /// Header a trusted proxy puts the client's country in (e.g. `cf-ipcountry`).
    pub country_header: Option<HeaderName>,
    /// The credential `/metrics` requires, if any.
    pub metrics_token: Option<Secret>,
    /// Whether `/metrics` is served on a listener of its own instead of with the API.
    pub metrics_listener: bool,
    /// How long verifiers may cache the JWKS.
    pub jwks_max_age: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_matches_only_itself() {
        let secret = Secret::new("s3cret".into());
        assert!(secret.matches("s3cret"));
        assert!(!secret.matches("s3cre"));
        assert!(!secret.matches("s3cret!"));
        assert!(!secret.matches(""));
    }

    #[test]
    fn a_secret_never_prints() {
        assert!(!format!("{:?}", Secret::new("s3cret".into())).contains("s3cret"));
    }
}
