//! Registration, login, refresh, logout, password change.

use chrono::TimeDelta;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sessions_domain::SessionPolicy;

use crate::support::server::{
    CHROME_ON_MACOS, PASSWORD, ServerOptions, expect_problem, spawn_server, tokens,
};

#[tokio::test]
async fn registering_returns_201_with_id_email_and_creation_time() {
    let server = spawn_server(&ServerOptions::default()).await;
    let response = server
        .client
        .post(server.url("/v1/users"))
        .json(&json!({ "email": "Alice@Example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["email"], "alice@example.com");
    assert!(body["id"].as_str().unwrap().parse::<uuid::Uuid>().is_ok());
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(body.get("password_hash").is_none());
}

#[tokio::test]
async fn registering_a_taken_email_in_another_case_is_409_email_taken() {
    let server = spawn_server(&ServerOptions::default()).await;
    server.register("bob@example.com").await;
    let response = server
        .client
        .post(server.url("/v1/users"))
        .json(&json!({ "email": "BOB@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::CONFLICT, "email_taken").await;
}

#[tokio::test]
async fn registering_with_a_bad_email_or_password_is_422() {
    let server = spawn_server(&ServerOptions::default()).await;
    for body in [
        json!({ "email": "not-an-email", "password": PASSWORD }),
        json!({ "email": "carol@example.com", "password": "short" }),
        json!({ "email": "carol@example.com", "password": "x".repeat(129) }),
    ] {
        let response = server
            .client
            .post(server.url("/v1/users"))
            .json(&body)
            .send()
            .await
            .unwrap();
        expect_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        )
        .await;
    }
}

#[tokio::test]
async fn login_returns_201_with_a_token_pair_and_the_session() {
    let server = spawn_server(&ServerOptions::default()).await;
    server.register("dave@example.com").await;
    let response = server
        .login_from("dave@example.com", CHROME_ON_MACOS, "203.0.113.7")
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["access_token"].as_str().unwrap().split('.').count(), 3);
    let session = &body["session"];
    assert_eq!(session["ip_address"], "203.0.113.7");
    assert_eq!(session["last_ip_address"], "203.0.113.7");
    assert_eq!(session["location"], "New York, US");
    assert_eq!(session["user_agent"], CHROME_ON_MACOS);
    assert_eq!(session["device_info"], "Chrome on macOS");
    assert_eq!(session["is_current"], true);
    assert_eq!(session["is_active"], true);
    assert_eq!(session["providers_accessed"], json!([]));
}

#[tokio::test]
async fn unknown_email_and_wrong_password_are_the_same_401_invalid_credentials() {
    let server = spawn_server(&ServerOptions::default()).await;
    server.register("erin@example.com").await;
    let unknown = server
        .client
        .post(server.url("/v1/auth/login"))
        .json(&json!({ "email": "nobody@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let unknown = expect_problem(unknown, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let wrong = server
        .client
        .post(server.url("/v1/auth/login"))
        .json(&json!({ "email": "erin@example.com", "password": "wrong password here" }))
        .send()
        .await
        .unwrap();
    let wrong = expect_problem(wrong, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(unknown, wrong);
}

async fn refresh(server: &crate::support::server::TestServer, token: &str) -> reqwest::Response {
    server
        .client
        .post(server.url("/v1/auth/refresh"))
        .json(&json!({ "refresh_token": token }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn refresh_rotates_and_the_previous_token_in_the_grace_window_gets_the_same_successor() {
    let server = spawn_server(&ServerOptions::default()).await;
    let first = server.user("gina@example.com").await;

    let response = refresh(&server, &first.refresh).await;
    assert_eq!(response.status(), StatusCode::OK);
    let second = tokens(response.json().await.unwrap());
    let again = tokens(refresh(&server, &first.refresh).await.json().await.unwrap());

    assert_ne!(second.refresh, first.refresh);
    assert_eq!(again.refresh, second.refresh);
    assert_eq!(second.session_id, first.session_id);
    let current = server
        .as_user(Method::GET, "/v1/sessions/current", &second)
        .send()
        .await
        .unwrap();
    assert_eq!(current.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_refresh_token_is_401_invalid_refresh_token() {
    let server = spawn_server(&ServerOptions::default()).await;
    let response = refresh(&server, "made-up").await;
    expect_problem(response, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
}

#[tokio::test]
async fn reuse_after_the_grace_window_revokes_the_session_and_its_successor_fails() {
    let server = spawn_server(&ServerOptions {
        policy: SessionPolicy {
            refresh_grace: TimeDelta::zero(),
            ..SessionPolicy::default()
        },
        ..ServerOptions::default()
    })
    .await;
    let first = server.user("hank@example.com").await;
    let second = tokens(refresh(&server, &first.refresh).await.json().await.unwrap());

    let reuse = refresh(&server, &first.refresh).await;
    expect_problem(reuse, StatusCode::UNAUTHORIZED, "refresh_token_reuse").await;

    let successor = refresh(&server, &second.refresh).await;
    expect_problem(successor, StatusCode::UNAUTHORIZED, "session_revoked").await;
    let access = server
        .as_user(Method::GET, "/v1/sessions/current", &second)
        .send()
        .await
        .unwrap();
    expect_problem(access, StatusCode::UNAUTHORIZED, "session_revoked").await;
}

#[tokio::test]
async fn refresh_and_access_of_an_expired_session_are_401_session_expired() {
    let server = spawn_server(&ServerOptions {
        policy: SessionPolicy {
            session_lifetime: TimeDelta::seconds(2),
            ..SessionPolicy::default()
        },
        ..ServerOptions::default()
    })
    .await;
    let tokens = server.user("ivy@example.com").await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let response = refresh(&server, &tokens.refresh).await;
    expect_problem(response, StatusCode::UNAUTHORIZED, "session_expired").await;
    let access = server
        .as_user(Method::GET, "/v1/sessions/current", &tokens)
        .send()
        .await
        .unwrap();
    expect_problem(access, StatusCode::UNAUTHORIZED, "session_expired").await;
}

#[tokio::test]
async fn an_expired_access_token_is_401_unauthorized() {
    let server = spawn_server(&ServerOptions {
        policy: SessionPolicy {
            access_token_ttl: TimeDelta::seconds(1),
            ..SessionPolicy::default()
        },
        ..ServerOptions::default()
    })
    .await;
    let tokens = server.user("jack@example.com").await;
    assert_eq!(tokens.body["expires_in"], 1);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let response = server
        .as_user(Method::GET, "/v1/sessions/current", &tokens)
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn logout_revokes_the_session_and_its_token_fails_next() {
    let server = spawn_server(&ServerOptions::default()).await;
    let tokens = server.user("kate@example.com").await;
    let logout = server
        .as_user(Method::POST, "/v1/auth/logout", &tokens)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    let after = server
        .as_user(Method::GET, "/v1/sessions/current", &tokens)
        .send()
        .await
        .unwrap();
    expect_problem(after, StatusCode::UNAUTHORIZED, "session_revoked").await;
    let no_token = server
        .client
        .post(server.url("/v1/auth/logout"))
        .send()
        .await
        .unwrap();
    expect_problem(no_token, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn a_password_change_leaves_only_the_current_session_active() {
    let server = spawn_server(&ServerOptions::default()).await;
    let current = server.user("liam@example.com").await;
    let other = server.login("liam@example.com").await;
    let change = |current_password: &str, new_password: &str| {
        server
            .as_user(Method::PUT, "/v1/users/me/password", &current)
            .json(&json!({ "current_password": current_password, "new_password": new_password }))
    };

    let wrong = change("not my password", "brand new password 1")
        .send()
        .await
        .unwrap();
    expect_problem(wrong, StatusCode::FORBIDDEN, "invalid_credentials").await;
    let short = change(PASSWORD, "short").send().await.unwrap();
    expect_problem(short, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request").await;
    let changed = change(PASSWORD, "brand new password 1")
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);

    let other_access = server
        .as_user(Method::GET, "/v1/sessions/current", &other)
        .send()
        .await
        .unwrap();
    expect_problem(other_access, StatusCode::UNAUTHORIZED, "session_revoked").await;
    let list: Value = server
        .as_user(Method::GET, "/v1/sessions", &current)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sessions = list["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["id"], current.session_id.as_str());
    let relogin = server
        .client
        .post(server.url("/v1/auth/login"))
        .json(&json!({ "email": "liam@example.com", "password": "brand new password 1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(relogin.status(), StatusCode::CREATED);
}
