//! Three instances of the binary on one Postgres, each with a data directory of its own,
//! sharing only `DATABASE_URL` and `SESSIONS_MASTER_KEY`: a token one signs the others
//! accept, a grace replay answered by another instance returns the same successor, a
//! revocation on one is refused by the others at once, and a key rotation under a steady
//! load fails no request. Every client is on loopback; every loop is bounded.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::{
    binary::{PASSWORD, RunningBinary, start_with},
    postgres::fresh_database,
};

/// The `kid` in a token's header.
fn kid(token: &str) -> String {
    let header = token.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

/// The admin token the instance generated into its data directory.
fn admin_token(data: &Path) -> String {
    std::fs::read_to_string(data.join("secrets/admin_token"))
        .unwrap()
        .trim()
        .to_owned()
}

async fn login(client: &Client, server: &RunningBinary, email: &str) -> Value {
    let response = client
        .post(format!("{}/v1/auth/login", server.base))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn current(client: &Client, server: &RunningBinary, access: &str) -> StatusCode {
    client
        .get(format!("{}/v1/sessions/current", server.base))
        .bearer_auth(access)
        .send()
        .await
        .map_or(StatusCode::BAD_GATEWAY, |response| response.status())
}

async fn refresh(
    client: &Client,
    server: &RunningBinary,
    refresh_token: &str,
) -> (StatusCode, Value) {
    let response = client
        .post(format!("{}/v1/auth/refresh", server.base))
        .json(&json!({ "refresh_token": refresh_token }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or_default())
}

/// `GET /v1/sessions/current` with one token on every instance, 20 ms apart, until
/// stopped (at most 2,000 requests per instance).
struct SteadyLoad {
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
    failures: Arc<AtomicUsize>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl SteadyLoad {
    fn start(client: &Client, instances: &[RunningBinary], access: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(AtomicUsize::new(0));
        let tasks = instances
            .iter()
            .map(|instance| {
                let (client, base, access) =
                    (client.clone(), instance.base.clone(), access.to_owned());
                let (stop, requests, failures) = (
                    Arc::clone(&stop),
                    Arc::clone(&requests),
                    Arc::clone(&failures),
                );
                tokio::spawn(async move {
                    for _ in 0..2_000 {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let answer = client
                            .get(format!("{base}/v1/sessions/current"))
                            .bearer_auth(&access)
                            .send()
                            .await;
                        requests.fetch_add(1, Ordering::SeqCst);
                        if !answer.is_ok_and(|answer| answer.status() == StatusCode::OK) {
                            failures.fetch_add(1, Ordering::SeqCst);
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                })
            })
            .collect();
        Self {
            stop,
            requests,
            failures,
            tasks,
        }
    }

    /// Stops the load: how many requests were sent, and how many failed.
    async fn stop(self) -> (usize, usize) {
        self.stop.store(true, Ordering::SeqCst);
        for task in self.tasks {
            task.await.unwrap();
        }
        (
            self.requests.load(Ordering::SeqCst),
            self.failures.load(Ordering::SeqCst),
        )
    }
}

/// Waits until `instance` publishes `kid` in its JWKS, failing at `deadline`.
async fn wait_until_published(
    client: &Client,
    instance: &RunningBinary,
    kid: &str,
    deadline: Instant,
) {
    loop {
        assert!(Instant::now() < deadline, "{kid} was never published");
        let published: Value = client
            .get(format!("{}/.well-known/jwks.json", instance.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let published = published["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|key| key["kid"] == kid);
        if published {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_sharing_a_database_and_a_master_key_act_as_one() {
    let database = fresh_database().await;
    let master_key = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let env = [
        ("DATABASE_URL", database.as_str()),
        ("SESSIONS_MASTER_KEY", master_key.as_str()),
        // Keys published 4 s before they sign: a rotation completes within the test.
        ("SESSIONS_JWKS_MAX_AGE", "2s"),
        ("SESSIONS_REGISTER_RATE_LIMIT", "0"),
    ];
    let folders: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut instances = Vec::new();
    for folder in &folders {
        instances.push(start_with(folder.path(), &env).await);
    }
    let (a, b, c) = (&instances[0], &instances[1], &instances[2]);
    let client = Client::new();

    // A token from A is accepted by B and C.
    let pair = a.sign_up(&client, "many@example.com").await;
    let access = pair["access_token"].as_str().unwrap();
    for instance in [a, b, c] {
        assert_eq!(current(&client, instance, access).await, StatusCode::OK);
    }

    // A refresh on A, then a grace replay of the same token on B: the same successor.
    let first_refresh = pair["refresh_token"].as_str().unwrap();
    let (status, rotated) = refresh(&client, a, first_refresh).await;
    assert_eq!(status, StatusCode::OK);
    let (status, replayed) = refresh(&client, b, first_refresh).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replayed["refresh_token"], rotated["refresh_token"]);

    // A revocation on C is refused by A on the next request.
    let session_id = pair["session"]["id"].as_str().unwrap();
    let revoked = client
        .delete(format!("{}/v1/sessions/{session_id}", c.base))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(current(&client, a, access).await, StatusCode::UNAUTHORIZED);

    // A key rotation on B while all three serve a steady load.
    let pair = login(&client, a, "many@example.com").await;
    let before = pair["access_token"].as_str().unwrap().to_owned();
    let old_kid = kid(&before);
    let load = SteadyLoad::start(&client, &instances, &before);
    let rotation: Value = client
        .post(format!("{}/v1/admin/keys/rotate", b.base))
        .bearer_auth(admin_token(folders[1].path()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rotation["state"], "pending");
    let new_kid = rotation["kid"].as_str().unwrap().to_owned();
    assert_ne!(new_kid, old_kid);

    // C publishes the new key (from its next reload) while still signing with the old one;
    // after the activation, new tokens carry the new key on every instance, and the token
    // signed before still verifies everywhere.
    let deadline = Instant::now() + Duration::from_secs(20);
    wait_until_published(&client, c, &new_kid, deadline).await;
    let while_published = login(&client, c, "many@example.com").await;
    assert_eq!(
        kid(while_published["access_token"].as_str().unwrap()),
        old_kid,
        "a key signed before it was published for a whole lead"
    );
    let mut signed_after = None;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let fresh = login(&client, c, "many@example.com").await;
        let token = fresh["access_token"].as_str().unwrap().to_owned();
        if kid(&token) == new_kid {
            signed_after = Some(token);
            break;
        }
    }
    let signed_after = signed_after.expect("a token signed by the new key within 20 s");
    let (requests, failures) = load.stop().await;
    for instance in [a, b, c] {
        assert_eq!(current(&client, instance, &before).await, StatusCode::OK);
        assert_eq!(
            current(&client, instance, &signed_after).await,
            StatusCode::OK
        );
    }
    eprintln!("instances: {requests} requests across the rotation, {failures} failed");
    assert!(
        requests > 100,
        "only {requests} requests across the rotation"
    );
    assert_eq!(failures, 0, "{failures} of {requests} requests failed");
}
