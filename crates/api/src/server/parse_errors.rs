//! hyper answers a request it cannot parse (a garbage request line, an invalid header such
//! as a non-numeric `Content-Length`, too many or too large headers) itself, before any
//! service sees it, with a bare head and no body. This recognises that answer as the
//! connection writes it and puts a problem+json one in its place, so that every response of
//! the service has the one error format.
//!
//! The bare head is told apart from the service's own responses by what it lacks: each of
//! those carries the security headers (`x-content-type-options`), which hyper's never does.
//! Only a complete head in one write is replaced; hyper writes its head alone, after the
//! previous response.

use axum::http::StatusCode;
use serde_json::json;

use crate::problem::PROBLEM_CONTENT_TYPE;

/// A header every response of the service carries and hyper's own never does.
const SERVICE_MARKER: &[u8] = b"\r\nx-content-type-options:";

/// If `written` starts with a complete response head of hyper's own error answer, its
/// status and the head's length.
pub(super) fn hyper_error_head(written: &[u8]) -> Option<(StatusCode, usize)> {
    let rest = written.strip_prefix(b"HTTP/1.1 ")?;
    let code = rest.get(..3)?;
    let status = StatusCode::from_bytes(code).ok()?;
    if !matches!(
        status,
        StatusCode::BAD_REQUEST
            | StatusCode::URI_TOO_LONG
            | StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    ) {
        return None;
    }
    let head_length = written
        .windows(4)
        .position(|window| window == b"\r\n\r\n")?
        + 4;
    let head = written[..head_length].to_ascii_lowercase();
    let from_service = head
        .windows(SERVICE_MARKER.len())
        .any(|window| window == SERVICE_MARKER);
    (!from_service).then_some((status, head_length))
}

/// The problem+json response that replaces hyper's answer of `status`; the connection
/// closes after it, as it would have after hyper's.
pub(super) fn problem_response(status: StatusCode) -> Vec<u8> {
    let (code, title, detail) = match status {
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            "header_fields_too_large",
            "Header fields too large",
            "the request's headers are too many or too large",
        ),
        StatusCode::URI_TOO_LONG => (
            "uri_too_long",
            "URI too long",
            "the request's URI is too long",
        ),
        _ => (
            "invalid_request",
            "Invalid request",
            "the request is not valid HTTP/1.1",
        ),
    };
    let body = json!({
        "type": format!("/problems/{code}"),
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
        "code": code,
    })
    .to_string();
    format!(
        "HTTP/1.1 {status}\r\n\
         content-type: {PROBLEM_CONTENT_TYPE}\r\n\
         content-length: {}\r\n\
         connection: close\r\n\
         cache-control: no-store\r\n\
         x-content-type-options: nosniff\r\n\
         \r\n\
         {body}",
        body.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_bare_answers_are_recognised_with_their_length() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: Sat, 05 Dec 2026 12:00:00 GMT\r\n\r\n";
        assert_eq!(
            hyper_error_head(head),
            Some((StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, head.len()))
        );
        let bad = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(
            hyper_error_head(bad),
            Some((StatusCode::BAD_REQUEST, bad.len()))
        );
    }

    #[test]
    fn the_services_own_answers_and_partial_heads_are_left_alone() {
        for written in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\nX-Content-Type-Options: nosniff\r\ncontent-length: 2\r\n\r\n{}"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"{\"status\":400}",
        ] {
            assert_eq!(hyper_error_head(written), None, "{written:?}");
        }
    }

    #[test]
    fn the_replacement_is_a_complete_problem_response() {
        let response = String::from_utf8(problem_response(StatusCode::BAD_REQUEST)).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"));
        assert!(head.contains("content-type: application/problem+json"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["code"], "invalid_request");
        assert_eq!(problem["status"], 400);
    }
}
