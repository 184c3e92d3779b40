//! Stopping and restarting keeps users, sessions and tokens.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::binary::start;

#[tokio::test]
async fn an_access_token_issued_before_a_restart_still_works_after_it() {
    let data = tempfile::tempdir().unwrap();
    let client = Client::new();
    let first = start(data.path()).await;
    let pair = first.sign_up(&client, "rick@example.com").await;
    let access = pair["access_token"].as_str().unwrap().to_owned();
    let refresh = pair["refresh_token"].as_str().unwrap().to_owned();
    first.terminate().await;
    assert!(first.wait().await, "clean exit on SIGTERM");

    let second = start(data.path()).await;
    let current = client
        .get(format!("{}/v1/sessions/current", second.base))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(current.status(), StatusCode::OK);
    let body: Value = current.json().await.unwrap();
    assert_eq!(body["id"], pair["session"]["id"]);
    let refreshed = client
        .post(format!("{}/v1/auth/refresh", second.base))
        .json(&json!({ "refresh_token": refresh }))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);
    second.terminate().await;
    assert!(second.wait().await);
}
