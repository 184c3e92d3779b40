//! Every duration setting at its documented maximum: the service starts and every request
//! that computes a date with it answers (no overflow, no 500).

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::binary::start_with;

/// Each duration setting's variable at its maximum.
const AT_MAXIMUM: [(&str, &str); 17] = [
    ("SESSIONS_SESSION_LIFETIME", "400d"),
    ("SESSIONS_IDLE_TIMEOUT", "400d"),
    ("SESSIONS_ACCESS_TOKEN_TTL", "24h"),
    ("SESSIONS_REFRESH_GRACE", "5m"),
    ("SESSIONS_ACTIVITY_WRITE_INTERVAL", "1d"),
    ("SESSIONS_RETENTION", "3650d"),
    ("SESSIONS_AUDIT_RETENTION", "3650d"),
    ("SESSIONS_KEY_ROTATION", "400d"),
    ("SESSIONS_JWKS_MAX_AGE", "1d"),
    ("SESSIONS_CLEANUP_INTERVAL", "30d"),
    ("SESSIONS_LOCKOUT_WINDOW", "1d"),
    ("SESSIONS_HTTP_HEADER_TIMEOUT", "10m"),
    ("SESSIONS_HTTP_IDLE_TIMEOUT", "1h"),
    ("SESSIONS_HTTP_REQUEST_TIMEOUT", "10m"),
    ("SESSIONS_SHUTDOWN_TIMEOUT", "1h"),
    ("SESSIONS_WEBHOOK_RETRY_FOR", "7d"),
    ("SESSIONS_WEBHOOK_RETRY_FIRST", "1h"),
];

/// Register, a failed and a good login, refresh, an authenticated read, cleanup: each
/// answers as it should.
async fn every_dated_request_answers(base: &str, admin_token: &str) {
    let client = Client::new();
    let credentials =
        json!({ "email": "max@example.com", "password": "correct horse battery staple" });
    let registered = client
        .post(format!("{base}/v1/users"))
        .json(&credentials)
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    let failed = client
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({ "email": "max@example.com", "password": "a wrong password!" }))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);
    let login = client
        .post(format!("{base}/v1/auth/login"))
        .json(&credentials)
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::CREATED);
    let login: Value = login.json().await.unwrap();
    let refreshed = client
        .post(format!("{base}/v1/auth/refresh"))
        .json(&json!({ "refresh_token": login["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);
    let refreshed: Value = refreshed.json().await.unwrap();
    let current = client
        .get(format!("{base}/v1/sessions/current"))
        .bearer_auth(refreshed["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(current.status(), StatusCode::OK);
    let cleanup = client
        .post(format!("{base}/v1/admin/sessions/cleanup"))
        .bearer_auth(admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(cleanup.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_service_works_with_each_duration_setting_at_its_maximum() {
    let admin_token = "an-admin-token-of-at-least-32-characters";
    for (variable, maximum) in AT_MAXIMUM {
        let data = tempfile::tempdir().unwrap();
        let server = start_with(
            data.path(),
            &[(variable, maximum), ("SESSIONS_ADMIN_TOKEN", admin_token)],
        )
        .await;
        every_dated_request_answers(&server.base, admin_token).await;
        server.terminate().await;
        assert!(server.wait().await, "{variable}={maximum}");
    }
}
