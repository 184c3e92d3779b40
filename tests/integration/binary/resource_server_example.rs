//! The example resource server (`crates/api/examples/resource_server.rs`) against the real
//! binary: it verifies access tokens offline from the JWKS, and sees a revocation at once
//! only when it asks introspection — the trade-off the README states.

use std::{path::PathBuf, process::Stdio, time::Duration};

use reqwest::{Client, StatusCode};
use serde_json::Value;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
};

use crate::support::binary::{binary_path, start};

/// `target/<profile>/examples/resource_server`, built by `scripts/test`.
fn example_path() -> PathBuf {
    let path = binary_path()
        .parent()
        .expect("target/<profile>")
        .join("examples/resource_server");
    assert!(
        path.exists(),
        "{} is missing: build it first (`cargo build --examples`, as scripts/test does)",
        path.display()
    );
    path
}

#[tokio::test]
async fn the_example_resource_server_verifies_offline_and_sees_revocations_through_introspection() {
    let data = tempfile::tempdir().unwrap();
    let sessions = start(data.path()).await;
    let service_token = std::fs::read_to_string(data.path().join("secrets/service_token"))
        .unwrap()
        .trim()
        .to_owned();
    let mut example = Command::new(example_path())
        .env("SESSIONS_URL", &sessions.base)
        .env("SESSIONS_SERVICE_TOKEN", &service_token)
        .env("RESOURCE_BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(example.stdout.take().unwrap()).lines();
    let listening = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the example starts")
        .unwrap()
        .unwrap();
    let address = listening.rsplit(' ').next().unwrap().to_owned();

    let client = Client::new();
    let pair = sessions.sign_up(&client, "resource@example.com").await;
    let access = pair["access_token"].as_str().unwrap();
    let whoami = |fresh: bool| {
        let request = client
            .get(format!("http://{address}/whoami?fresh={fresh}"))
            .bearer_auth(access);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };

    let (status, body) = whoami(false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user_id"], pair["session"]["user_id"]);
    assert_eq!(whoami(true).await.0, StatusCode::OK);
    let forged = client
        .get(format!("http://{address}/whoami"))
        .bearer_auth(format!("{access}x"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);

    let session_id = pair["session"]["id"].as_str().unwrap();
    let revoked = client
        .delete(format!("{}/v1/sessions/{session_id}", sessions.base))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    // Offline, the token stays valid until it expires; introspection sees the revocation.
    assert_eq!(whoami(false).await.0, StatusCode::OK);
    assert_eq!(whoami(true).await.0, StatusCode::UNAUTHORIZED);
    example.kill().await.unwrap();
}
