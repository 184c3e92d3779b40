//! A notification survives SIGKILL: the revocation committed, the server was killed before
//! delivering it, and after the restart the receiver gets it.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::{
    binary::start_with,
    receiver::{Received, Receiver},
};

const ADMIN: &str = "webhook-test-admin-token-0123456789";

#[tokio::test]
async fn a_revocation_committed_before_a_sigkill_is_notified_after_the_restart() {
    let data = tempfile::tempdir().unwrap();
    // The receiver's port, reserved and released: nothing listens there until the restart,
    // so attempts before the kill fail.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env = [
        ("SESSIONS_ADMIN_TOKEN", ADMIN),
        ("SESSIONS_WEBHOOK_ALLOW_HTTP", "on"),
        ("SESSIONS_WEBHOOK_ALLOW_PRIVATE", "on"),
        ("SESSIONS_WEBHOOK_RETRY_FIRST", "1s"),
    ];
    let mut server = start_with(data.path(), &env).await;
    let client = Client::new();
    let created = client
        .post(format!("{}/v1/admin/webhooks", server.base))
        .bearer_auth(ADMIN)
        .json(&json!({ "url": format!("http://127.0.0.1:{port}/hook"), "events": ["session.revoked"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let login = server.sign_up(&client, "kim@example.com").await;
    let logout = client
        .post(format!("{}/v1/auth/logout", server.base))
        .bearer_auth(login["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);

    server.child.start_kill().unwrap();
    server.child.wait().await.unwrap();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let hook = Receiver::start_on(listener, 0);
    let _restarted = start_with(data.path(), &env).await;

    // A delivery the killed server held is taken again once its lease (a minute) ends.
    let received = hook.wait_for_delivered(1, Duration::from_secs(90)).await;
    let delivered: Vec<Value> = received
        .iter()
        .filter(|r| r.answered < 300)
        .map(Received::json)
        .collect();
    assert_eq!(delivered.len(), 1, "{received:?}");
    assert_eq!(delivered[0]["type"], "session.revoked");
    assert_eq!(delivered[0]["data"]["reason"], "logout");
    assert_eq!(delivered[0]["data"]["session_id"], login["session"]["id"]);
}
