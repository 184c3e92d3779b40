//! The upgrade from a release that signed access tokens with an HS256 secret kept in the data
//! directory: the HS256 tokens it issued keep working until they expire; every new token is
//! ES256 with a `kid`.

use std::{fs, os::unix::fs::PermissionsExt};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{TimeDelta, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::binary::start;

/// The former release's secret file.
const FORMER_SECRET: &str = "the former release's generated HS256 secret, 43 chars";

/// A token as the former release signed it: HS256, no `kid`, no `aud`.
fn former_token(user_id: &str, session_id: &str, expires_in: TimeDelta) -> String {
    let now = Utc::now();
    let claims = json!({
        "sub": user_id,
        "sid": session_id,
        "iat": now.timestamp(),
        "exp": (now + expires_in).timestamp(),
        "iss": "sessions",
    });
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(FORMER_SECRET.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn hs256_tokens_issued_before_the_upgrade_work_until_they_expire() {
    let data = tempfile::tempdir().unwrap();
    let secrets = data.path().join("secrets");
    fs::create_dir_all(&secrets).unwrap();
    fs::set_permissions(&secrets, fs::Permissions::from_mode(0o700)).unwrap();
    let file = secrets.join("jwt_secret");
    fs::write(&file, FORMER_SECRET).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();

    let server = start(data.path()).await;
    let client = Client::new();
    let pair = server.sign_up(&client, "upgrade@example.com").await;
    let user_id = pair["session"]["user_id"].as_str().unwrap();
    let session_id = pair["session"]["id"].as_str().unwrap();

    // New tokens are ES256, with a kid.
    let header = pair["access_token"]
        .as_str()
        .unwrap()
        .split('.')
        .next()
        .unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    assert!(header["kid"].is_string());

    let get_current = |token: String| {
        let request = client
            .get(format!("{}/v1/sessions/current", server.base))
            .bearer_auth(token);
        async move { request.send().await.unwrap().status() }
    };
    let unexpired = former_token(user_id, session_id, TimeDelta::minutes(10));
    assert_eq!(get_current(unexpired).await, StatusCode::OK);
    let expired = former_token(user_id, session_id, TimeDelta::seconds(-1));
    assert_eq!(get_current(expired).await, StatusCode::UNAUTHORIZED);
    server.terminate().await;
    assert!(server.wait().await);
}
