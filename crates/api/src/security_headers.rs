//! Headers every response carries for browsers and caches, and the request id a client may
//! choose: responses are never cached (they carry tokens and session data), never sniffed
//! as another content type, never framed, and leak no referrer. A page that needs another
//! policy sets its own header; these fill only what a handler left unset.

use axum::{
    Router,
    body::Body,
    http::{HeaderName, HeaderValue, Request, header},
};
use tower_http::set_header::SetResponseHeaderLayer;

/// The longest client-chosen request id kept.
const MAX_REQUEST_ID_LEN: usize = 128;

/// Whether `value` is an acceptable client request id: 1 to 128 characters of
/// `[A-Za-z0-9._-]` (nothing that could forge a log line or bloat every one).
fn is_acceptable_request_id(value: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&value.len())
        && value
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))
}

/// Drops a client's `X-Request-Id` that is not acceptable, so that one is generated instead.
pub fn sanitize_request_id(mut request: Request<Body>) -> Request<Body> {
    let name = HeaderName::from_static("x-request-id");
    let acceptable = request
        .headers()
        .get_all(&name)
        .iter()
        .map(|value| is_acceptable_request_id(value.as_bytes()))
        .collect::<Vec<_>>();
    if acceptable.len() > 1 || acceptable.contains(&false) {
        request.headers_mut().remove(&name);
    }
    request
}

/// `router` with the security headers on every response.
pub fn with_security_headers(router: Router) -> Router {
    let headers = [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ),
    ];
    headers.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_request_ids_are_acceptable() {
        assert!(is_acceptable_request_id(b"req-1.2_abc"));
        assert!(is_acceptable_request_id("a".repeat(128).as_bytes()));
        assert!(!is_acceptable_request_id("a".repeat(129).as_bytes()));
        assert!(!is_acceptable_request_id(b""));
        assert!(!is_acceptable_request_id(b"id\\r\\nforged: log"));
        assert!(!is_acceptable_request_id(b"id with spaces"));
    }
}
