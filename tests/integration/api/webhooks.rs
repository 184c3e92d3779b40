//! Security notifications end to end, with a real receiver on loopback: new-device
//! sign-ins, signatures checked by the receiver's own implementation, retries of a
//! receiver that is down, and the administrators' view of the deliveries.

use std::time::Duration;

use chrono::TimeDelta;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sessions_domain::SessionPolicy;

use super::on_both_stores;
use crate::support::{
    receiver::{Receiver, signed_with},
    server::{
        CHROME_ON_MACOS, FIREFOX_ON_WINDOWS, ServerOptions, TestServer, expect_problem, tokens,
    },
};

/// Creates an endpoint for `events` at `hook`; returns its id and secret.
async fn subscribe(server: &TestServer, hook: &Receiver, events: &[&str]) -> (String, String) {
    let response = server
        .as_admin(Method::POST, "/v1/admin/webhooks")
        .json(&json!({ "url": hook.url, "events": events, "description": "test receiver" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    (
        body["webhook"]["id"].as_str().unwrap().to_owned(),
        body["secret"].as_str().unwrap().to_owned(),
    )
}

async fn a_sign_in_from_a_new_device_is_notified_as_new_and_signed(server: TestServer) {
    let hook = Receiver::start(0).await;
    let (_, secret) = subscribe(&server, &hook, &["session.created"]).await;
    let user_id = server.register("nina@example.com").await;

    let first = server
        .login_from("nina@example.com", CHROME_ON_MACOS, "203.0.113.7")
        .await;
    let first = tokens(first.json().await.unwrap());
    let received = hook.wait_for_delivered(1, Duration::from_secs(10)).await;
    let again = server
        .login_from("nina@example.com", CHROME_ON_MACOS, "203.0.113.99")
        .await;
    assert_eq!(again.status(), StatusCode::CREATED);
    let elsewhere = server
        .login_from("nina@example.com", FIREFOX_ON_WINDOWS, "198.51.100.4")
        .await;
    assert_eq!(elsewhere.status(), StatusCode::CREATED);
    let all = hook.wait_for_delivered(3, Duration::from_secs(10)).await;

    assert_eq!(received.len(), 1);
    let notified = received[0].json();
    assert_eq!(notified["type"], "session.created");
    assert_eq!(notified["data"]["new_device"], true);
    assert_eq!(notified["data"]["session_id"], first.session_id.as_str());
    assert_eq!(notified["data"]["user_id"], user_id.as_str());
    assert_eq!(notified["data"]["ip"], "203.0.113.7");
    assert!(
        notified["data"]["device"]
            .as_str()
            .unwrap()
            .contains("Chrome")
    );
    assert!(signed_with(&received[0], &secret), "{:?}", received[0]);
    let new_device: Vec<Value> = all
        .iter()
        .map(|r| r.json()["data"]["new_device"].clone())
        .collect();
    assert_eq!(new_device, [json!(true), json!(false), json!(true)]);
    assert!(all.iter().all(|r| signed_with(r, &secret)));
    let mut ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3, "one webhook-id per notification");
    assert!(
        !all.iter()
            .any(|r| String::from_utf8_lossy(&r.body).contains("token"))
    );
    let forged = crate::support::receiver::Received {
        body: b"{}".to_vec(),
        ..received[0].clone()
    };
    assert!(
        !signed_with(&forged, &secret),
        "the signature covers the body"
    );
}

async fn a_receiver_down_for_three_attempts_gets_the_notification_once(server: TestServer) {
    let hook = Receiver::start(3).await;
    let (webhook, _) = subscribe(&server, &hook, &["session.revoked"]).await;
    let user = server.user("omar@example.com").await;
    let logout = server
        .as_user(Method::POST, "/v1/auth/logout", &user)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);

    let received = hook.wait_for_delivered(1, Duration::from_secs(20)).await;

    let answers: Vec<u16> = received.iter().map(|r| r.answered).collect();
    assert_eq!(answers, [503, 503, 503, 204]);
    assert!(
        received.iter().all(|r| r.id == received[0].id),
        "the same webhook-id each time"
    );
    assert_eq!(received[3].json()["data"]["reason"], "logout");
    let deliveries: Value = server
        .as_admin(
            Method::GET,
            &format!("/v1/admin/webhooks/{webhook}/deliveries"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let delivery = &deliveries["deliveries"][0];
    assert_eq!(delivery["status"], "delivered");
    assert_eq!(delivery["attempts"], 4);
    assert_eq!(delivery["last_status_code"], 204);
    assert_eq!(delivery["event_type"], "session.revoked");
    assert_eq!(delivery["id"], received[0].id.as_str());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hook.received().len(), 4, "nothing sent after the 2xx");

    // An administrator can send it again; the receiver deduplicates by webhook-id.
    let retried = server
        .as_admin(
            Method::POST,
            &format!(
                "/v1/admin/webhooks/{webhook}/deliveries/{}/retry",
                received[0].id
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(retried.status(), StatusCode::ACCEPTED);
    let again = hook.wait_for_delivered(2, Duration::from_secs(10)).await;
    assert_eq!(again.last().unwrap().id, received[0].id);
}

async fn endpoints_are_managed_and_a_rotation_signs_with_both_secrets(server: TestServer) {
    let hook = Receiver::start(0).await;
    let (webhook, old) = subscribe(&server, &hook, &["password.changed"]).await;
    let path = format!("/v1/admin/webhooks/{webhook}");
    let updated = server
        .as_admin(Method::PUT, &path)
        .json(&json!({ "url": hook.url, "events": ["session.created", "session.created"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), StatusCode::OK);
    let updated: Value = updated.json().await.unwrap();
    assert_eq!(updated["events"], json!(["session.created"]));
    assert_eq!(updated["description"], Value::Null);
    assert!(
        updated.get("secret").is_none(),
        "a secret is shown only once"
    );
    let rotated: Value = server
        .as_admin(Method::POST, &format!("{path}/rotate-secret"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new = rotated["secret"].as_str().unwrap();
    assert_ne!(new, old);
    assert!(rotated["webhook"]["previous_secret_until"].is_string());

    server.user("pia@example.com").await;
    let received = hook.wait_for_delivered(1, Duration::from_secs(10)).await;
    assert!(signed_with(&received[0], new));
    assert!(
        signed_with(&received[0], &old),
        "the old secret signs during the overlap"
    );

    let listed: Value = server
        .as_admin(Method::GET, "/v1/admin/webhooks")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["webhooks"].as_array().unwrap().len(), 1);
    for bad in [
        json!({ "url": hook.url, "events": [] }),
        json!({ "url": hook.url, "events": ["session.nonsense"] }),
        json!({ "url": "ftp://127.0.0.1/hook", "events": ["session.created"] }),
        json!({ "url": "not a url", "events": ["session.created"] }),
        json!({ "url": hook.url, "events": ["session.created"], "extra": 1 }),
    ] {
        let response = server
            .as_admin(Method::POST, "/v1/admin/webhooks")
            .json(&bad)
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
    let deleted = server.as_admin(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = server.as_admin(Method::GET, &path).send().await.unwrap();
    expect_problem(gone, StatusCode::NOT_FOUND, "webhook_not_found").await;
}

on_both_stores!(
    a_sign_in_from_a_new_device_is_notified_as_new_and_signed,
    endpoints_are_managed_and_a_rotation_signs_with_both_secrets,
);

/// A server whose failed deliveries are tried again after 100 ms, 200 ms, 400 ms…
fn quick_retries() -> ServerOptions {
    let mut policy = SessionPolicy::default();
    policy.webhook_retries.first = TimeDelta::milliseconds(100);
    ServerOptions {
        policy,
        ..ServerOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_receiver_down_for_three_attempts_gets_the_notification_once_on_postgres() {
    let server = crate::support::server::spawn_server(&quick_retries()).await;
    a_receiver_down_for_three_attempts_gets_the_notification_once(server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_receiver_down_for_three_attempts_gets_the_notification_once_on_sqlite() {
    let server = crate::support::server::spawn_sqlite_server(&quick_retries()).await;
    a_receiver_down_for_three_attempts_gets_the_notification_once(server).await;
}

/// The outbox's exactly-once taking, across instances: two servers on one Postgres, each
/// running its sender, share a thousand notifications; the receiver gets each once, and each
/// delivery's record shows one attempt.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgres_deliver_each_of_a_thousand_notifications_once() {
    let first = crate::support::server::spawn_server(&ServerOptions::default()).await;
    let store = crate::support::server::second_store(first.postgres()).await;
    let _second = crate::support::server::spawn_server_on(store, &ServerOptions::default()).await;
    let hook = Receiver::start(0).await;
    let (webhook, _) = subscribe(&first, &hook, &["login.locked_out"]).await;

    // A thousand events in one statement; the trigger records one delivery each.
    sqlx::query(
        r#"
        INSERT INTO session_events (event_type, occurred_at, data, actor)
        SELECT 'login_locked_out', now(), '{"scope": "network_failures"}', 'user'
        FROM generate_series(1, 1000)
        "#,
    )
    .execute(first.postgres().pool())
    .await
    .unwrap();
    let received = hook
        .wait_for_delivered(1_000, Duration::from_secs(120))
        .await;

    let ids: std::collections::HashSet<&str> = received.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 1_000, "every notification arrived");
    assert_eq!(received.len(), 1_000, "none arrived twice");
    // The senders record each outcome just after its answer: wait for the last records.
    let mut recorded = (0, 0);
    for _ in 0..100 {
        recorded = sqlx::query_as(
            "SELECT count(*), coalesce(sum(attempts), 0) FROM webhook_deliveries \
             WHERE endpoint_id = $1::uuid AND status = 'delivered'",
        )
        .bind(&webhook)
        .fetch_one(first.postgres().pool())
        .await
        .unwrap();
        if recorded.0 == 1_000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (delivered, attempts): (i64, i64) = recorded;
    assert_eq!(
        (delivered, attempts),
        (1_000, 1_000),
        "one attempt each, by the senders' records"
    );
}
