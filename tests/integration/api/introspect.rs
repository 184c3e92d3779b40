//! Token introspection over HTTP.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::server::{
    ADMIN_TOKEN, SERVICE_TOKEN, ServerOptions, TestServer, expect_problem, spawn_server,
};

async fn introspect(server: &TestServer, credential: &str, body: Value) -> reqwest::Response {
    server
        .client
        .post(server.url("/v1/introspect"))
        .bearer_auth(credential)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_active_token_is_described_and_the_provider_recorded() {
    let server = spawn_server(&ServerOptions::default()).await;
    let user = server.user("bea@example.com").await;
    let response = introspect(
        &server,
        SERVICE_TOKEN,
        json!({ "token": user.access, "ip": "203.0.113.50", "provider": "plaid" }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["active"], true);
    assert_eq!(body["sid"], user.session_id.as_str());
    assert_eq!(body["ip_changed"], true);
    assert_eq!(body["suspicious"], false);
    assert_eq!(body["suspicious_activity_count"], 0);
    assert!(body["exp"].as_i64().unwrap() > 0);
    assert!(body["sub"].is_string());

    let session: Value = server
        .as_user(Method::GET, "/v1/sessions/current", &user)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["providers_accessed"], json!(["plaid"]));
    assert_eq!(session["last_provider_accessed"], "plaid");
    let by_admin = introspect(&server, ADMIN_TOKEN, json!({ "token": user.access })).await;
    assert_eq!(by_admin.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_revoked_session_or_garbage_token_is_inactive() {
    let server = spawn_server(&ServerOptions::default()).await;
    let user = server.user("cleo@example.com").await;
    server
        .as_user(Method::POST, "/v1/auth/logout", &user)
        .send()
        .await
        .unwrap();
    for token in [user.access.as_str(), "garbage"] {
        let body: Value = introspect(&server, SERVICE_TOKEN, json!({ "token": token }))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body, json!({ "active": false }));
    }
}

#[tokio::test]
async fn introspection_needs_the_service_token_and_valid_fields() {
    let server = spawn_server(&ServerOptions::default()).await;
    let user = server.user("dora@example.com").await;
    let none = server
        .client
        .post(server.url("/v1/introspect"))
        .json(&json!({ "token": user.access }))
        .send()
        .await
        .unwrap();
    expect_problem(none, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let as_user = introspect(&server, &user.access, json!({ "token": user.access })).await;
    expect_problem(as_user, StatusCode::FORBIDDEN, "forbidden").await;
    for bad in [
        json!({ "token": user.access, "ip": "999.1.1.1" }),
        json!({ "token": user.access, "provider": "Not A Slug" }),
        json!({ "token": user.access, "extra": 1 }),
    ] {
        let response = introspect(&server, SERVICE_TOKEN, bad).await;
        expect_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        )
        .await;
    }
}
