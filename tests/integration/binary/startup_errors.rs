//! Configuration mistakes stop the binary at once with a clear message.

use std::time::Duration;

use tokio::process::Command;

use crate::support::binary::{binary_path, start};

async fn serve_with(env: &[(&str, &str)]) -> (bool, String) {
    let data = tempfile::tempdir().unwrap();
    let mut command = Command::new(binary_path());
    command
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env("SESSIONS_BIND", "127.0.0.1:0")
        .env("SESSIONS_DATA_DIR", data.path());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = tokio::time::timeout(Duration::from_secs(30), command.output())
        .await
        .expect("the binary stops by itself")
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn a_missing_geolocation_database_is_a_clear_startup_error() {
    let (succeeded, stderr) =
        serve_with(&[("SESSIONS_GEOIP_DB", "/nonexistent/GeoLite2-City.mmdb")]).await;
    assert!(!succeeded);
    assert!(
        stderr.contains("/nonexistent/GeoLite2-City.mmdb"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_corrupt_geolocation_database_is_a_clear_startup_error() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("corrupt.mmdb");
    std::fs::write(&path, b"not a database").unwrap();
    let (succeeded, stderr) = serve_with(&[("SESSIONS_GEOIP_DB", path.to_str().unwrap())]).await;
    assert!(!succeeded);
    assert!(stderr.contains("corrupt.mmdb"), "{stderr}");
}

#[tokio::test]
async fn a_public_url_that_would_send_cookies_in_clear_is_a_clear_startup_error() {
    let (succeeded, stderr) = serve_with(&[("SESSIONS_PUBLIC_URL", "http://id.example.com")]).await;
    assert!(!succeeded);
    assert!(stderr.contains("public-url"), "{stderr}");
    assert!(stderr.contains("https://"), "{stderr}");
}

#[tokio::test]
async fn an_unusable_setting_is_named_in_the_error() {
    let (succeeded, stderr) = serve_with(&[("SESSIONS_SESSION_LIFETIME", "forever")]).await;
    assert!(!succeeded);
    assert!(stderr.contains("forever"), "{stderr}");
    let (succeeded, stderr) = serve_with(&[("DATABASE_URL", "mysql://localhost/db")]).await;
    assert!(!succeeded);
    assert!(stderr.contains("mysql://localhost/db"), "{stderr}");
    let (succeeded, stderr) = serve_with(&[
        ("DATABASE_URL", "postgres://sessions@127.0.0.1:1/sessions"),
        ("SESSIONS_DATABASE_POOL_SIZE", "0"),
    ])
    .await;
    assert!(!succeeded);
    assert!(stderr.contains("database-pool-size"), "{stderr}");
}

#[tokio::test]
async fn a_duration_past_its_maximum_refuses_to_start_naming_the_setting() {
    for (variable, value, setting) in [
        (
            "SESSIONS_SESSION_LIFETIME",
            "100000000d",
            "session-lifetime",
        ),
        ("SESSIONS_ACCESS_TOKEN_TTL", "25h", "access-token-ttl"),
        ("SESSIONS_REFRESH_GRACE", "6m", "refresh-grace"),
        ("SESSIONS_RETENTION", "3651d", "retention"),
        ("SESSIONS_AUDIT_RETENTION", "3651d", "audit-retention"),
    ] {
        let (succeeded, stderr) = serve_with(&[(variable, value)]).await;
        assert!(!succeeded, "{variable}={value} started");
        assert!(stderr.contains(setting), "{stderr}");
    }
}

#[tokio::test]
async fn a_short_configured_secret_refuses_to_start_without_echoing_it() {
    let (succeeded, stderr) = serve_with(&[("SESSIONS_ADMIN_TOKEN", "admin-password-1")]).await;
    assert!(!succeeded);
    assert!(stderr.contains("admin-token"), "{stderr}");
    assert!(!stderr.contains("admin-password-1"), "{stderr}");
}

#[tokio::test]
async fn another_master_key_over_existing_signing_keys_stops_the_start_and_makes_none() {
    let data = tempfile::tempdir().unwrap();
    let first = start(data.path()).await;
    let jwks = reqwest::get(format!("{}/.well-known/jwks.json", first.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    first.terminate().await;
    assert!(first.wait().await);

    let output = tokio::time::timeout(
        Duration::from_secs(30),
        Command::new(binary_path())
            .arg("serve")
            .env_remove("DATABASE_URL")
            .env("SESSIONS_BIND", "127.0.0.1:0")
            .env("SESSIONS_DATA_DIR", data.path())
            .env("SESSIONS_MASTER_KEY", "17".repeat(32))
            .output(),
    )
    .await
    .expect("the binary stops by itself")
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("signing keys"), "{stderr}");
    assert!(
        !stderr.contains(&"17".repeat(32)),
        "the key is echoed: {stderr}"
    );

    // The keys in the store are the same ones: none was made under the wrong key.
    let again = start(data.path()).await;
    let unchanged = reqwest::get(format!("{}/.well-known/jwks.json", again.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(unchanged, jwks);
    again.terminate().await;
    assert!(again.wait().await);
}
