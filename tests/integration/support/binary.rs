//! The real `sessions` binary as a child process, on a random port and a data directory of
//! its own.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::Value;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
    sync::oneshot,
};

/// The password of the users [`RunningBinary::sign_up`] makes.
pub const PASSWORD: &str = "correct horse battery staple";

/// `target/<profile>/sessions`, built by `scripts/test` before the suite runs.
pub fn binary_path() -> PathBuf {
    let test_binary = std::env::current_exe().expect("test binary path");
    let profile_dir = test_binary
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let path = profile_dir.join("sessions");
    assert!(
        path.exists(),
        "{} is missing: build it first (`cargo build --bin sessions`, as scripts/test does)",
        path.display()
    );
    path
}

/// A running `sessions serve`.
pub struct RunningBinary {
    pub child: Child,
    pub base: String,
    /// Every line it has written so far, standard output and error.
    output: Arc<Mutex<Vec<String>>>,
}

impl RunningBinary {
    /// Every line written so far, standard output and error.
    pub fn output(&self) -> Vec<String> {
        self.output.lock().unwrap().clone()
    }

    /// Sends SIGTERM.
    pub async fn terminate(&self) {
        let pid = self.child.id().expect("running child").to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .unwrap();
        assert!(status.success());
    }

    /// Registers `email` (with [`PASSWORD`]) and signs it in: the login's answer.
    pub async fn sign_up(&self, client: &reqwest::Client, email: &str) -> Value {
        let credentials = serde_json::json!({ "email": email, "password": PASSWORD });
        let registered = client
            .post(format!("{}/v1/users", self.base))
            .json(&credentials)
            .send()
            .await
            .unwrap();
        assert_eq!(registered.status(), reqwest::StatusCode::CREATED);
        let login = client
            .post(format!("{}/v1/auth/login", self.base))
            .json(&credentials)
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), reqwest::StatusCode::CREATED);
        login.json().await.unwrap()
    }

    /// Waits (at most 20 s) for the process to exit; returns whether it exited cleanly.
    pub async fn wait(mut self) -> bool {
        tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .expect("server exits")
            .unwrap()
            .success()
    }
}

/// Starts `sessions serve` on `data_dir` (SQLite), with JSON logs, and waits until it listens.
pub async fn start(data_dir: &Path) -> RunningBinary {
    start_with(data_dir, &[]).await
}

/// [`start`], with `env` set too.
pub async fn start_with(data_dir: &Path, env: &[(&str, &str)]) -> RunningBinary {
    let mut command = Command::new(binary_path());
    command
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env("SESSIONS_BIND", "127.0.0.1:0")
        .env("SESSIONS_DATA_DIR", data_dir)
        .env("SESSIONS_LOG_FORMAT", "json")
        .env("SESSIONS_LOCKOUT_THRESHOLD", "0");
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the sessions binary");
    let output = Arc::new(Mutex::new(Vec::new()));
    let stderr = child.stderr.take().expect("stderr");
    let collected = Arc::clone(&output);
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("{line}");
            collected.lock().unwrap().push(line);
        }
    });
    let stdout = child.stdout.take().expect("stdout");
    let (listening, address) = oneshot::channel();
    let collected = Arc::clone(&output);
    tokio::spawn(async move {
        let mut listening = Some(listening);
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            collected.lock().unwrap().push(line.clone());
            let Ok(entry) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if entry["message"] == "sessions listening"
                && let Some(sender) = listening.take()
            {
                let _ = sender.send(entry["address"].as_str().unwrap_or_default().to_owned());
            }
        }
    });
    let address = tokio::time::timeout(Duration::from_secs(30), address)
        .await
        .expect("the server reports it is listening")
        .expect("listening line");
    RunningBinary {
        child,
        base: format!("http://{address}"),
        output,
    }
}
