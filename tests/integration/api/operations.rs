//! Health, readiness, metrics and the OpenAPI document.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use sessions_infrastructure::{Batching, postgres::PostgresStore};

use crate::support::server::{ServerOptions, expect_problem, spawn_server, spawn_server_on};

#[tokio::test]
async fn health_and_readiness_answer_200() {
    let server = spawn_server(&ServerOptions::default()).await;
    for path in ["/healthz", "/readyz"] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn readiness_is_503_store_unavailable_when_the_database_is_gone() {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy("postgres://nobody:nothing@127.0.0.1:1/none")
        .unwrap();
    let server = spawn_server_on(
        PostgresStore::from_pool(pool, Batching::On),
        &ServerOptions::default(),
    )
    .await;
    let response = server
        .client
        .get(server.url("/readyz"))
        .send()
        .await
        .unwrap();
    expect_problem(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        "store_unavailable",
    )
    .await;
    let health = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_expose_requests_latency_and_logins() {
    let server = spawn_server(&ServerOptions::default()).await;
    server.user("eve@example.com").await;
    let response = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    for metric in [
        "http_requests_total{",
        "http_request_duration_seconds_bucket{",
        "route=\"/v1/auth/login\"",
        "sessions_logins_total{outcome=\"success\"}",
    ] {
        assert!(text.contains(metric), "{metric} missing from:\n{text}");
    }
}

/// Every route of SPEC §4's table, as `METHOD path`.
const SPECIFIED_ROUTES: [&str; 20] = [
    "POST /v1/users",
    "POST /v1/auth/login",
    "POST /v1/auth/refresh",
    "POST /v1/auth/logout",
    "PUT /v1/users/me/password",
    "GET /v1/sessions",
    "GET /v1/sessions/current",
    "GET /v1/sessions/{id}",
    "DELETE /v1/sessions/{id}",
    "DELETE /v1/sessions",
    "PUT /v1/sessions/{id}/trust",
    "DELETE /v1/sessions/{id}/trust",
    "GET /v1/sessions/{id}/events",
    "POST /v1/introspect",
    "GET /v1/admin/users/{user_id}/sessions",
    "DELETE /v1/admin/users/{user_id}/sessions",
    "DELETE /v1/admin/sessions/{id}",
    "PUT /v1/admin/users/{user_id}/session-limit",
    "DELETE /v1/admin/users/{user_id}",
    "POST /v1/admin/sessions/cleanup",
];

#[tokio::test]
async fn the_openapi_document_describes_every_route_of_the_table() {
    let server = spawn_server(&ServerOptions::default()).await;
    let document: Value = server
        .client
        .get(server.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut documented = BTreeSet::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|status| status.starts_with('4')),
                "{method} {path} documents no error"
            );
        }
    }
    for route in SPECIFIED_ROUTES {
        assert!(
            documented.contains(route),
            "{route} is not documented: {documented:?}"
        );
    }
}
