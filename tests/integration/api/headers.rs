//! What every response tells browsers and caches, and the request ids clients may choose.

use reqwest::{Response, StatusCode};
use serde_json::json;

use crate::support::server::{PASSWORD, ServerOptions, spawn_server};

fn assert_security_headers(response: &Response) {
    let headers = response.headers();
    assert_eq!(headers["cache-control"], "no-store", "{}", response.url());
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(
        headers["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
}

#[tokio::test]
async fn token_responses_errors_and_unknown_routes_are_never_cached_or_sniffed() {
    let server = spawn_server(&ServerOptions::default()).await;
    server.register("headers@example.com").await;
    let login = server
        .client
        .post(server.url("/v1/auth/login"))
        .json(&json!({ "email": "headers@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::CREATED);
    assert_security_headers(&login);
    let tokens: serde_json::Value = login.json().await.unwrap();
    let refresh = server
        .client
        .post(server.url("/v1/auth/refresh"))
        .json(&json!({ "refresh_token": tokens["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(refresh.status(), StatusCode::OK);
    assert_security_headers(&refresh);
    let current = server
        .client
        .get(server.url("/v1/sessions/current"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_security_headers(&current);
    let refused = server
        .client
        .get(server.url("/v1/sessions/current"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_security_headers(&refused);
    let unknown = server
        .client
        .get(server.url("/nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_security_headers(&unknown);
}

#[tokio::test]
async fn a_60_kb_request_id_is_replaced_and_a_plain_one_is_kept() {
    let server = spawn_server(&ServerOptions::default()).await;
    let huge = "a".repeat(60 * 1024);
    let replaced = server
        .client
        .get(server.url("/healthz"))
        .header("x-request-id", &huge)
        .send()
        .await
        .unwrap();
    let id = replaced.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(id, huge);
    assert!(id.len() <= 128, "{} bytes", id.len());
    for forged in ["id with spaces", "line\tbreak", &"b".repeat(129)] {
        let response = server
            .client
            .get(server.url("/healthz"))
            .header("x-request-id", forged)
            .send()
            .await
            .unwrap();
        assert_ne!(response.headers()["x-request-id"], forged);
    }
    let kept = server
        .client
        .get(server.url("/healthz"))
        .header("x-request-id", "trace-4f2a.9_b")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "trace-4f2a.9_b");
}
