//! The client of a request: address (peer, or `X-Forwarded-For` behind a trusted proxy),
//! user agent, and the country a trusted proxy names.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderMap, header, request::Parts},
};
use ipnetwork::IpNetwork;
use sessions_application::ClientContext;
use sessions_domain::{CountryCode, UserAgent};

use crate::{problem::ApiError, settings::HttpSettings, state::AppState};

/// The request's client.
#[derive(Clone, Debug)]
pub struct ClientInfo(pub ClientContext);

fn is_trusted(ip: IpAddr, proxies: &[IpNetwork]) -> bool {
    let ip = ip.to_canonical();
    proxies.iter().any(|network| network.contains(ip))
}

/// The right-most `X-Forwarded-For` entry that is not a trusted proxy (the left-most entry
/// if every one is), when the peer itself is trusted; the peer otherwise.
fn client_ip(
    peer: IpAddr,
    headers: &HeaderMap,
    settings: &HttpSettings,
) -> Result<IpAddr, ApiError> {
    if !is_trusted(peer, &settings.trusted_proxies) {
        return Ok(peer.to_canonical());
    }
    let mut entries = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let text = value
            .to_str()
            .map_err(|_| ApiError::bad_request("X-Forwarded-For is not text"))?;
        entries.extend(
            text.split(',')
                .map(str::trim)
                .filter(|entry| !entry.is_empty()),
        );
    }
    let mut client = peer;
    for entry in entries.iter().rev() {
        let ip: IpAddr = entry.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "X-Forwarded-For entry {entry:?} is not an IP address"
            ))
        })?;
        client = ip;
        if !is_trusted(ip, &settings.trusted_proxies) {
            break;
        }
    }
    Ok(client.to_canonical())
}

fn country_hint(peer: IpAddr, headers: &HeaderMap, settings: &HttpSettings) -> Option<CountryCode> {
    let name = settings.country_header.as_ref()?;
    if !is_trusted(peer, &settings.trusted_proxies) {
        return None;
    }
    CountryCode::parse(headers.get(name)?.to_str().ok()?.trim()).ok()
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ConnectInfo(peer) = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                ApiError::internal(&std::io::Error::other(
                    "server started without peer addresses (ConnectInfo)",
                ))
            })?;
        let peer = peer.ip();
        let headers = &parts.headers;
        let settings = &state.settings;
        Ok(Self(ClientContext {
            ip: client_ip(peer, headers, settings)?,
            user_agent: headers
                .get(header::USER_AGENT)
                .and_then(|value| value.to_str().ok())
                .and_then(UserAgent::from_header),
            country_hint: country_hint(peer, headers, settings),
        }))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderName, HeaderValue};

    use super::*;
    use crate::settings::{CsrfKey, PageSettings, Secret};

    fn settings(proxies: &[&str]) -> HttpSettings {
        HttpSettings {
            admin_token: Secret::new("a".into()),
            service_token: Secret::new("s".into()),
            trusted_proxies: proxies.iter().map(|p| p.parse().unwrap()).collect(),
            country_header: Some(HeaderName::from_static("cf-ipcountry")),
            metrics_token: None,
            metrics_listener: false,
            jwks_max_age: std::time::Duration::from_secs(300),
            pages: PageSettings {
                public_origin: None,
                sign_up: true,
                csrf_key: CsrfKey::new([0; 32]),
            },
        }
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers.insert("cf-ipcountry", HeaderValue::from_static("DE"));
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let headers = forwarded("198.51.100.1");
        let client = client_ip(ip("203.0.113.9"), &headers, &settings(&["10.0.0.0/8"]));
        assert_eq!(client.unwrap(), ip("203.0.113.9"));
        assert_eq!(
            country_hint(ip("203.0.113.9"), &headers, &settings(&["10.0.0.0/8"])),
            None
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_entry_is_the_client() {
        let headers = forwarded("1.1.1.1, 198.51.100.1, 10.0.0.2");
        let client = client_ip(ip("10.0.0.1"), &headers, &settings(&["10.0.0.0/8"]));
        assert_eq!(client.unwrap(), ip("198.51.100.1"));
        assert_eq!(
            country_hint(ip("10.0.0.1"), &headers, &settings(&["10.0.0.0/8"])),
            CountryCode::parse("DE").ok()
        );
    }

    #[test]
    fn an_invalid_forwarded_entry_behind_a_trusted_proxy_is_a_bad_request() {
        let headers = forwarded("not-an-ip");
        let result = client_ip(ip("10.0.0.1"), &headers, &settings(&["10.0.0.0/8"]));
        assert_eq!(result.unwrap_err().status(), 400);
    }

    #[test]
    fn a_trusted_peer_without_forwarding_is_the_client() {
        let client = client_ip(
            ip("10.0.0.1"),
            &HeaderMap::new(),
            &settings(&["10.0.0.0/8"]),
        );
        assert_eq!(client.unwrap(), ip("10.0.0.1"));
    }

    #[test]
    fn an_ipv4_mapped_peer_is_reported_as_ipv4() {
        let client = client_ip(ip("::ffff:203.0.113.9"), &HeaderMap::new(), &settings(&[]));
        assert_eq!(client.unwrap(), ip("203.0.113.9"));
    }
}
