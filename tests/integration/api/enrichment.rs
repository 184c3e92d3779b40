//! Device and location over HTTP, and the suspicious-activity rule end to end.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::server::{
    CHROME_ON_MACOS, ServerOptions, TestServer, Tokens, expect_problem, spawn_server, tokens,
};

/// `GET /v1/sessions/current` with `tokens` from `ip` (New York is 203.0.113.0/24, Berlin
/// 198.51.100.0/24 in the test geolocation).
async fn current_from(server: &TestServer, tokens: &Tokens, ip: &str) -> reqwest::Response {
    server
        .as_user(Method::GET, "/v1/sessions/current", tokens)
        .header("user-agent", CHROME_ON_MACOS)
        .header("x-forwarded-for", ip)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn three_requests_from_another_country_revoke_the_session_for_suspicious_activity() {
    let server = spawn_server(&ServerOptions::default()).await;
    let stolen = server.user("gus@example.com").await;
    assert_eq!(stolen.body["session"]["location"], "New York, US");
    assert_eq!(stolen.body["session"]["device_info"], "Chrome on macOS");

    for expected_count in 1..=2 {
        let response = current_from(&server, &stolen, "198.51.100.9").await;
        assert_eq!(response.status(), StatusCode::OK);
        let session: Value = response.json().await.unwrap();
        assert_eq!(session["suspicious_activity_count"], expected_count);
    }
    let third = current_from(&server, &stolen, "198.51.100.9").await;
    expect_problem(third, StatusCode::UNAUTHORIZED, "session_revoked").await;

    let owner = server.login("gus@example.com").await;
    let events = server.session_events(&owner, &stolen.session_id).await;
    let suspicious: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "suspicious_activity")
        .collect();
    assert_eq!(suspicious.len(), 3);
    for (n, event) in suspicious.iter().enumerate() {
        assert_eq!(event["data"]["kind"], "country_changed");
        assert_eq!(event["data"]["count"], n + 1);
    }
    let last = events.last().unwrap();
    assert_eq!(last["type"], "session_revoked");
    assert_eq!(last["data"]["reason"], "suspicious_activity");
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "ip_changed" && e["data"]["same_network"] == false)
    );
}

#[tokio::test]
async fn a_trusted_session_is_flagged_but_stays_active_after_country_changes() {
    let server = spawn_server(&ServerOptions::default()).await;
    let laptop = server.user("hal@example.com").await;
    let trusted = server
        .as_user(
            Method::PUT,
            &format!("/v1/sessions/{}/trust", laptop.session_id),
            &laptop,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(trusted.status(), StatusCode::OK);

    for expected_count in 1..=4 {
        let response = current_from(&server, &laptop, "198.51.100.9").await;
        assert_eq!(response.status(), StatusCode::OK);
        let session: Value = response.json().await.unwrap();
        assert_eq!(session["suspicious_activity_count"], expected_count);
        assert_eq!(session["is_active"], true);
    }
}

#[tokio::test]
async fn a_different_browser_on_the_same_token_counts_as_suspicious() {
    let server = spawn_server(&ServerOptions::default()).await;
    let session = server.user("ida@example.com").await;
    let response = server
        .as_user(Method::GET, "/v1/sessions/current", &session)
        .header(
            "user-agent",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
        )
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["suspicious_activity_count"], 1);
}

#[tokio::test]
async fn without_a_geolocation_answer_the_trusted_proxys_country_header_is_used() {
    let server = spawn_server(&ServerOptions::default()).await;
    server.register("jo@example.com").await;
    let response = server
        .client
        .post(server.url("/v1/auth/login"))
        .header("x-forwarded-for", "100.100.100.100")
        .header("cf-ipcountry", "fr")
        .json(&serde_json::json!({ "email": "jo@example.com", "password": crate::support::server::PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let pair = tokens(response.json().await.unwrap());
    assert_eq!(pair.body["session"]["location"], "FR");
    assert_eq!(pair.body["session"]["ip_address"], "100.100.100.100");
}
