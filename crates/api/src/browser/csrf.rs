//! Cross-site request forgery defences of the pages: every state-changing request must come
//! from a page of this origin (`Origin` / `Sec-Fetch-Site`), and every one made with a
//! session cookie must also carry that session's synchronizer token, which a page of another
//! origin cannot read.
//!
//! The token is an HMAC of the session id under a key derived from the master key: tied to
//! the session (a new sign-in has a new one), the same on every instance, and stored nowhere.

use axum::http::{HeaderMap, Method, header};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sessions_domain::SessionId;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::settings::{CsrfKey, PageSettings, is_loopback_host};

/// The synchronizer token of `session`.
pub fn token(key: &CsrfKey, session: SessionId) -> String {
    mac(key, session).map_or_else(String::new, |mac| URL_SAFE_NO_PAD.encode(mac))
}

/// Whether `presented` is the synchronizer token of `session`, compared in constant time.
pub fn is_token_of(key: &CsrfKey, session: SessionId, presented: &str) -> bool {
    URL_SAFE_NO_PAD
        .decode(presented)
        .ok()
        .zip(mac(key, session))
        .is_some_and(|(bytes, mac)| bool::from(bytes.ct_eq(&mac)))
}

/// The MAC of `session`; `None` never happens (HMAC takes keys of any length), and would
/// leave every form without a valid token rather than with a guessable one.
fn mac(key: &CsrfKey, session: SessionId) -> Option<Vec<u8>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.bits()).ok()?;
    mac.update(b"csrf:");
    mac.update(session.as_uuid().as_bytes());
    Some(mac.finalize().into_bytes().to_vec())
}

/// Whether a request may change state: a safe method always may; any other only when the
/// browser says it comes from this origin. A request that carries neither `Origin` nor
/// `Sec-Fetch-Site` is refused too: every browser the pages support sends one of them.
pub fn is_same_origin(method: &Method, headers: &HeaderMap, pages: &PageSettings) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let fetch_site = headers
        .get("sec-fetch-site")
        .map(axum::http::HeaderValue::as_bytes);
    if fetch_site.is_some_and(|site| site != b"same-origin") {
        return false;
    }
    match headers.get(header::ORIGIN).map(|value| value.to_str()) {
        Some(Ok(origin)) => is_own_origin(origin, headers, pages),
        Some(Err(_)) => false,
        None => fetch_site.is_some(),
    }
}

/// Whether `origin` is where the pages are: the configured public origin, or in development
/// the loopback address the request was sent to.
fn is_own_origin(origin: &str, headers: &HeaderMap, pages: &PageSettings) -> bool {
    match &pages.public_origin {
        Some(public) => origin.eq_ignore_ascii_case(public.as_str()),
        None => host(headers).is_some_and(|host| {
            is_loopback_host(host)
                && origin
                    .strip_prefix("http://")
                    .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
        }),
    }
}

/// The request's `Host`.
pub fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST)?.to_str().ok()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;
    use crate::settings::PublicOrigin;

    fn pages(public_origin: Option<&str>) -> PageSettings {
        PageSettings {
            public_origin: public_origin.map(|origin| PublicOrigin::parse(origin).unwrap()),
            sign_up: true,
            csrf_key: CsrfKey::new([3; 32]),
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    axum::http::HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }

    #[test]
    fn a_token_belongs_to_one_session_under_one_key() {
        let key = CsrfKey::new([1; 32]);
        let session = SessionId::from_uuid(uuid::Uuid::now_v7());
        let token = token(&key, session);
        assert!(is_token_of(&key, session, &token));
        let other = SessionId::from_uuid(uuid::Uuid::now_v7());
        assert!(!is_token_of(&key, other, &token));
        assert!(!is_token_of(&CsrfKey::new([2; 32]), session, &token));
        assert!(!is_token_of(&key, session, ""));
        assert!(!is_token_of(&key, session, "not base64!"));
    }

    #[test]
    fn a_post_from_the_public_origin_is_same_origin_and_one_from_elsewhere_is_not() {
        let pages = pages(Some("https://id.example.com"));
        let post = Method::POST;
        let ok = headers(&[
            ("origin", "https://id.example.com"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(is_same_origin(&post, &ok, &pages));
        for refused in [
            headers(&[("origin", "https://evil.example.com")]),
            headers(&[("origin", "null")]),
            headers(&[
                ("origin", "https://id.example.com"),
                ("sec-fetch-site", "same-site"),
            ]),
            headers(&[("sec-fetch-site", "cross-site")]),
            headers(&[]),
        ] {
            assert!(!is_same_origin(&post, &refused, &pages), "{refused:?}");
        }
        assert!(is_same_origin(
            &post,
            &headers(&[("sec-fetch-site", "same-origin")]),
            &pages
        ));
        assert!(is_same_origin(
            &Method::GET,
            &headers(&[("origin", "https://evil.example.com")]),
            &pages
        ));
    }

    #[test]
    fn in_development_the_own_origin_is_the_loopback_host_the_request_went_to() {
        let pages = pages(None);
        let post = Method::POST;
        let ok = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert!(is_same_origin(&post, &ok, &pages));
        for refused in [
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:9090"),
            ]),
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://localhost:8080"),
            ]),
            headers(&[
                ("host", "10.0.0.5:8080"),
                ("origin", "http://10.0.0.5:8080"),
            ]),
        ] {
            assert!(!is_same_origin(&post, &refused, &pages), "{refused:?}");
        }
    }
}
