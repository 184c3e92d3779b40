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
    /// The browser pages.
    pub pages: PageSettings,
}

/// What the browser pages need.
#[derive(Clone, Debug)]
pub struct PageSettings {
    /// Where browsers reach the pages; `None` in development, where they are served over
    /// plain HTTP to loopback addresses only.
    pub public_origin: Option<PublicOrigin>,
    /// Whether the sign-in page offers to create an account.
    pub sign_up: bool,
    /// The key of the pages' CSRF tokens, the same on every instance.
    pub csrf_key: CsrfKey,
}

/// The origin (`scheme://host[:port]`) browsers reach the pages at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicOrigin(String);

/// Text that is not an origin the pages can be served at.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPublicOrigin {
    /// Not `http(s)://host[:port]`, or it has a path, query or credentials.
    #[error("the public URL is an origin: https://host or https://host:port, nothing after it")]
    NotAnOrigin,
    /// Plain HTTP to a host other than a loopback one: cookies would travel in clear.
    #[error("the public URL must be https:// unless its host is localhost or a loopback address")]
    PlainHttp,
}

impl PublicOrigin {
    /// Reads an origin: `https://host[:port]`, or `http://` for a loopback host.
    ///
    /// # Errors
    /// [`InvalidPublicOrigin`] for anything else.
    pub fn parse(text: &str) -> Result<Self, InvalidPublicOrigin> {
        let uri: axum::http::Uri = text
            .trim()
            .parse()
            .map_err(|_| InvalidPublicOrigin::NotAnOrigin)?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(InvalidPublicOrigin::NotAnOrigin);
        };
        let bare = matches!(uri.path(), "" | "/") && uri.query().is_none();
        if !bare || authority.as_str().contains('@') {
            return Err(InvalidPublicOrigin::NotAnOrigin);
        }
        match scheme.to_ascii_lowercase().as_str() {
            "https" => {}
            "http" if is_loopback_host(authority.as_str()) => {}
            "http" => return Err(InvalidPublicOrigin::PlainHttp),
            _ => return Err(InvalidPublicOrigin::NotAnOrigin),
        }
        Ok(Self(format!("{scheme}://{authority}").to_ascii_lowercase()))
    }

    /// The origin, lowercase, as browsers send it in `Origin`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether browsers reach it over HTTPS (its cookies are then `Secure` and `__Host-`).
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

/// Whether `authority` (`host[:port]`, as in a `Host` header) names this machine:
/// `localhost`, an address of 127.0.0.0/8 or `[::1]`.
pub fn is_loopback_host(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or(rest, |(host, _)| host),
        None => authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The key CSRF tokens are made with: 256 bits, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfKey([u8; 32]);

impl CsrfKey {
    /// Wraps key bits (derived from the master key, so that every instance shares them).
    pub fn new(bits: [u8; 32]) -> Self {
        Self(bits)
    }

    /// The key's bits.
    pub fn bits(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfKey(<redacted>)")
    }
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
    fn a_public_origin_is_https_or_plain_http_on_loopback_only() {
        let origin = PublicOrigin::parse("https://ID.example.com/").unwrap();
        assert_eq!(origin.as_str(), "https://id.example.com");
        assert!(origin.is_https());
        assert!(
            !PublicOrigin::parse("http://localhost:8080")
                .unwrap()
                .is_https()
        );
        assert!(PublicOrigin::parse("http://127.0.0.1:8080").is_ok());
        assert!(PublicOrigin::parse("http://[::1]:8080").is_ok());
        assert_eq!(
            PublicOrigin::parse("http://id.example.com"),
            Err(InvalidPublicOrigin::PlainHttp)
        );
        for bad in [
            "id.example.com",
            "https://id.example.com/path",
            "https://id.example.com/?q=1",
            "https://user@id.example.com",
            "ftp://id.example.com",
        ] {
            assert_eq!(
                PublicOrigin::parse(bad),
                Err(InvalidPublicOrigin::NotAnOrigin),
                "{bad}"
            );
        }
    }

    #[test]
    fn only_localhost_and_loopback_addresses_are_loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1:80",
            "127.8.9.1",
            "[::1]:8080",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "example.com",
            "10.0.0.1:8080",
            "[::2]:80",
            "localhost.example.com",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn a_csrf_key_never_prints() {
        assert_eq!(
            format!("{:?}", CsrfKey::new([7; 32])),
            "CsrfKey(<redacted>)"
        );
    }

    #[test]
    fn a_secret_never_prints() {
        assert!(!format!("{:?}", Secret::new("s3cret".into())).contains("s3cret"));
    }
}
