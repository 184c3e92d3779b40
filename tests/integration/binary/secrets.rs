//! Generated credentials stay in the data directory: never printed or logged at start,
//! shown on demand by `sessions admin-token`, refused when others may read them.

use std::os::unix::fs::PermissionsExt;

use tokio::process::Command;

use crate::support::binary::{binary_path, start};

async fn print_credential(data_dir: &std::path::Path, subcommand: &str) -> String {
    let output = Command::new(binary_path())
        .arg(subcommand)
        .env_remove("DATABASE_URL")
        .env("SESSIONS_DATA_DIR", data_dir)
        .output()
        .await
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn the_first_start_writes_no_credential_to_its_output_and_names_the_files() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path()).await;
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert!(health.status().is_success());
    server.terminate().await;
    let output = server.output();
    assert!(server.wait().await);

    let secrets = data.path().join("secrets");
    for name in ["admin_token", "service_token", "master_key"] {
        let secret = std::fs::read_to_string(secrets.join(name)).unwrap();
        assert!(secret.len() >= 32);
        assert!(
            output.iter().all(|line| !line.contains(secret.trim())),
            "{name} appears in the output"
        );
    }
    let admin_file = secrets.join("admin_token").display().to_string();
    assert!(
        output.iter().any(|line| line.contains(&admin_file)),
        "the output names {admin_file}: {output:?}"
    );
}

#[tokio::test]
async fn admin_token_prints_the_credential_the_server_accepts() {
    let data = tempfile::tempdir().unwrap();
    let printed = print_credential(data.path(), "admin-token").await;
    let admin_token = printed.trim();
    assert_eq!(printed, format!("{admin_token}\n"), "only the credential");
    let server = start(data.path()).await;
    let cleanup = reqwest::Client::new()
        .post(format!("{}/v1/admin/sessions/cleanup", server.base))
        .bearer_auth(admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(cleanup.status(), reqwest::StatusCode::OK);
    let service_token = print_credential(data.path(), "service-token").await;
    assert_ne!(service_token.trim(), admin_token);
    server.terminate().await;
    assert!(server.wait().await);
}

#[tokio::test]
async fn a_secret_file_others_may_read_stops_the_start() {
    let data = tempfile::tempdir().unwrap();
    print_credential(data.path(), "admin-token").await;
    let file = data.path().join("secrets/admin_token");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = Command::new(binary_path())
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env("SESSIONS_BIND", "127.0.0.1:0")
        .env("SESSIONS_DATA_DIR", data.path())
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("admin_token") && stderr.contains("644"),
        "{stderr}"
    );
}
