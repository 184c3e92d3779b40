//! SIGKILL under concurrent logins and refreshes, on both stores: after a restart, every
//! session whose login was acknowledged still authenticates, and the latest refresh token
//! acknowledged for it still refreshes. (A refresh cut off by the kill may have rotated the
//! token without its answer arriving; presenting the previous token again from the same
//! client is then the grace replay, which answers the same successor.)

use std::{
    path::Path,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::{
    binary::{PASSWORD, RunningBinary, start_with},
    postgres::fresh_database,
};

const USERS: usize = 4;
const WORKERS: usize = 8;

/// What the server acknowledged for one session: its latest access and refresh tokens.
#[derive(Clone, Debug)]
struct Acknowledged {
    session_id: String,
    access: String,
    refresh: String,
    refreshes: usize,
}

fn email(user: usize) -> String {
    format!("crash{user}@example.com")
}

/// One client: log in, refresh up to 20 times, again, until the server stops answering
/// (at most 200 requests).
async fn work(
    client: Client,
    base: String,
    user: usize,
    acknowledged: Arc<Mutex<Vec<Acknowledged>>>,
    killed: Arc<AtomicBool>,
) {
    let mut requests = 0;
    'sessions: while !killed.load(Ordering::SeqCst) && requests < 200 {
        requests += 1;
        let Ok(response) = client
            .post(format!("{base}/v1/auth/login"))
            .json(&json!({ "email": email(user), "password": PASSWORD }))
            .send()
            .await
        else {
            return;
        };
        if response.status() != StatusCode::CREATED {
            // Password checks saturated (503 overloaded): the next attempt, a little later.
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        let Ok(pair) = response.json::<Value>().await else {
            return;
        };
        let index = {
            let mut acknowledged = acknowledged.lock().unwrap();
            acknowledged.push(Acknowledged {
                session_id: pair["session"]["id"].as_str().unwrap().to_owned(),
                access: pair["access_token"].as_str().unwrap().to_owned(),
                refresh: pair["refresh_token"].as_str().unwrap().to_owned(),
                refreshes: 0,
            });
            acknowledged.len() - 1
        };
        for _ in 0..20 {
            requests += 1;
            let refresh = acknowledged.lock().unwrap()[index].refresh.clone();
            let Ok(response) = client
                .post(format!("{base}/v1/auth/refresh"))
                .json(&json!({ "refresh_token": refresh }))
                .send()
                .await
            else {
                return;
            };
            if response.status() != StatusCode::OK {
                continue 'sessions;
            }
            let Ok(pair) = response.json::<Value>().await else {
                return;
            };
            let mut acknowledged = acknowledged.lock().unwrap();
            let session = &mut acknowledged[index];
            pair["access_token"]
                .as_str()
                .unwrap()
                .clone_into(&mut session.access);
            pair["refresh_token"]
                .as_str()
                .unwrap()
                .clone_into(&mut session.refresh);
            session.refreshes += 1;
        }
    }
}

async fn every_acknowledged_session_survives_a_sigkill(data: &Path, env: &[(&str, &str)]) {
    let env: Vec<(&str, &str)> = [
        ("SESSIONS_DEFAULT_MAX_SESSIONS", "0"),
        ("SESSIONS_REGISTER_RATE_LIMIT", "0"),
    ]
    .into_iter()
    .chain(env.iter().copied())
    .collect();
    let client = Client::new();
    let mut server = start_with(data, &env).await;
    for user in 0..USERS {
        let registered = client
            .post(format!("{}/v1/users", server.base))
            .json(&json!({ "email": email(user), "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(registered.status(), StatusCode::CREATED);
    }
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let killed = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..WORKERS)
        .map(|worker| {
            tokio::spawn(work(
                client.clone(),
                server.base.clone(),
                worker % USERS,
                Arc::clone(&acknowledged),
                Arc::clone(&killed),
            ))
        })
        .collect();
    // Killed once every user has a session and refreshes are under way (at most 30 s in).
    for _ in 0..300 {
        let (sessions, rotations) = {
            let acknowledged = acknowledged.lock().unwrap();
            let rotations: usize = acknowledged.iter().map(|session| session.refreshes).sum();
            (acknowledged.len(), rotations)
        };
        if sessions >= USERS && rotations >= 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    kill(&mut server).await;
    killed.store(true, Ordering::SeqCst);
    for worker in workers {
        tokio::time::timeout(Duration::from_secs(30), worker)
            .await
            .expect("clients stop once the server is gone")
            .unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= USERS,
        "only {} sessions acknowledged before the kill",
        acknowledged.len()
    );

    let rotations: usize = acknowledged.iter().map(|session| session.refreshes).sum();
    assert!(rotations > 0, "no refresh acknowledged before the kill");
    eprintln!(
        "crash: {} sessions and {rotations} refreshes acknowledged before the kill",
        acknowledged.len()
    );

    let restarted = start_with(data, &env).await;
    for session in &acknowledged {
        let current = client
            .get(format!("{}/v1/sessions/current", restarted.base))
            .bearer_auth(&session.access)
            .send()
            .await
            .unwrap();
        assert_eq!(current.status(), StatusCode::OK, "{session:?}");
        let body: Value = current.json().await.unwrap();
        assert_eq!(body["id"], session.session_id.as_str());
        let refreshed = client
            .post(format!("{}/v1/auth/refresh", restarted.base))
            .json(&json!({ "refresh_token": session.refresh }))
            .send()
            .await
            .unwrap();
        assert_eq!(refreshed.status(), StatusCode::OK, "{session:?}");
    }
    restarted.terminate().await;
    assert!(restarted.wait().await);
}

/// SIGKILL: no shutdown of any kind.
async fn kill(server: &mut RunningBinary) {
    server.child.start_kill().unwrap();
    tokio::time::timeout(Duration::from_secs(10), server.child.wait())
        .await
        .expect("killed")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_session_and_refresh_survives_a_sigkill_on_sqlite() {
    let data = tempfile::tempdir().unwrap();
    every_acknowledged_session_survives_a_sigkill(data.path(), &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_session_and_refresh_survives_a_sigkill_on_postgres() {
    let data = tempfile::tempdir().unwrap();
    let database = fresh_database().await;
    every_acknowledged_session_survives_a_sigkill(data.path(), &[("DATABASE_URL", &database)])
        .await;
}
