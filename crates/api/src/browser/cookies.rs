//! The cookies that carry a browser's session: the access token, the refresh token and the
//! device token, each `HttpOnly` (no script reads them), `SameSite=Lax` and `Path=/`. Over
//! HTTPS they are `Secure` and named `__Host-…`, which a browser accepts only from this very
//! host over HTTPS, so that neither a sibling domain nor a plain-HTTP page can plant one.

use axum::http::{HeaderMap, HeaderValue, header};
use chrono::{DateTime, Utc};
use sessions_application::TokenPair;

/// How long a browser keeps its device token: the longest lifetime browsers grant a cookie.
const DEVICE_COOKIE_MAX_AGE_SECONDS: i64 = 400 * 24 * 60 * 60;

/// One of the cookies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cookie {
    /// The access token, checked on every page exactly as a bearer token is.
    Access,
    /// The refresh token, exchanged for a new pair when the access token has expired.
    Refresh,
    /// The device token of the browser's last sign-in, presented at its next one.
    Device,
}

impl Cookie {
    const fn base_name(self) -> &'static str {
        match self {
            Self::Access => "session",
            Self::Refresh => "session-refresh",
            Self::Device => "device",
        }
    }
}

/// How the cookies are written: `Secure` with the `__Host-` prefix over HTTPS, plain on a
/// loopback development address (where browsers refuse `Secure` cookies over HTTP).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookieJar {
    secure: bool,
}

impl CookieJar {
    /// Cookies for pages served over HTTPS when `secure`, over loopback HTTP otherwise.
    pub const fn new(secure: bool) -> Self {
        Self { secure }
    }

    /// The name `cookie` goes by.
    pub fn name(self, cookie: Cookie) -> String {
        if self.secure {
            format!("__Host-{}", cookie.base_name())
        } else {
            cookie.base_name().to_owned()
        }
    }

    /// The value of `cookie` in a request, if it sent one.
    pub fn read(self, headers: &HeaderMap, cookie: Cookie) -> Option<&str> {
        let name = self.name(cookie);
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, value)| *key == name && !value.is_empty())
            .map(|(_, value)| value)
    }

    fn set(self, cookie: Cookie, value: &str, max_age_seconds: i64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let text = format!(
            "{}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{secure}",
            self.name(cookie),
        );
        // Token alphabets (base64url, dots) are all valid header bytes.
        HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The `Set-Cookie` values that hand a browser a session's token pair, kept until the
    /// session expires.
    pub fn session(self, pair: &TokenPair, now: DateTime<Utc>) -> [HeaderValue; 2] {
        let max_age = (pair.session.session.state().expires_at - now)
            .num_seconds()
            .max(0);
        [
            self.set(Cookie::Access, &pair.access_token, max_age),
            self.set(Cookie::Refresh, pair.refresh_token.expose(), max_age),
        ]
    }

    /// The `Set-Cookie` value that keeps a device token for the browser's next sign-in.
    pub fn device(self, token: &str) -> HeaderValue {
        self.set(Cookie::Device, token, DEVICE_COOKIE_MAX_AGE_SECONDS)
    }

    /// The `Set-Cookie` values that make a browser forget its session (not its device).
    pub fn cleared(self) -> [HeaderValue; 2] {
        [
            self.set(Cookie::Access, "", 0),
            self.set(Cookie::Refresh, "", 0),
        ]
    }
}

/// `response` with `cookies` set.
pub fn with_cookies(
    mut response: axum::response::Response,
    cookies: impl IntoIterator<Item = HeaderValue>,
) -> axum::response::Response {
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_https_cookies_are_host_only_secure_http_only_and_lax() {
        let jar = CookieJar::new(true);
        let value = jar.device("abc");
        assert_eq!(
            value.to_str().unwrap(),
            "__Host-device=abc; Path=/; Max-Age=34560000; HttpOnly; SameSite=Lax; Secure"
        );
    }

    #[test]
    fn on_loopback_http_cookies_drop_only_secure_and_the_prefix() {
        let [access, refresh] = CookieJar::new(false).cleared();
        assert_eq!(
            access.to_str().unwrap(),
            "session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        );
        assert!(refresh.to_str().unwrap().starts_with("session-refresh=;"));
    }

    #[test]
    fn a_cookie_is_read_by_its_exact_name_from_any_cookie_header() {
        let jar = CookieJar::new(true);
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("session=plain; a=b"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("__Host-session-refresh=r1;  __Host-session=t1"),
        );
        assert_eq!(jar.read(&headers, Cookie::Access), Some("t1"));
        assert_eq!(jar.read(&headers, Cookie::Refresh), Some("r1"));
        assert_eq!(jar.read(&headers, Cookie::Device), None);
        assert_eq!(
            CookieJar::new(false).read(&headers, Cookie::Access),
            Some("plain")
        );
    }
}
