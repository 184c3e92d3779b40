//! A database that stops answering for 30 s (its container paused: connections stay open
//! and hang, the hardest case): requests are answered 503 `store_unavailable` within a
//! second instead of waiting on the pool, `/readyz` says so, and the service serves again
//! within a second of the database answering, without a restart.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};

use crate::support::{
    postgres::own_server,
    server::{ServerOptions, TestServer, spawn_server_on},
};

/// The longest a request may take while the database does not answer, and the longest the
/// service may take to serve again once it does.
const WITHIN: Duration = Duration::from_secs(1);

/// GET /v1/sessions/current: its status, problem code (if any) and how long it took.
async fn current(server: &TestServer, access: &str) -> (StatusCode, String, Duration) {
    let started = Instant::now();
    let response = server
        .client
        .request(Method::GET, server.url("/v1/sessions/current"))
        .bearer_auth(access)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("an answer within 10 s");
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let code = body["code"].as_str().unwrap_or_default().to_owned();
    (status, code, started.elapsed())
}

async fn readiness(server: &TestServer) -> StatusCode {
    server
        .client
        .get(server.url("/readyz"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("an answer within 10 s")
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_30_second_outage_is_answered_at_once_and_the_service_recovers_on_its_own() {
    let (database, store) = own_server(10).await;
    let server = spawn_server_on(store, &ServerOptions::default()).await;
    let user = server.user("outage@example.com").await;
    assert_eq!(current(&server, &user.access).await.0, StatusCode::OK);

    database.pause().await.unwrap();
    let paused = Instant::now();
    let mut requests = 0;
    let mut slowest = Duration::ZERO;
    // One request every half second for 30 s (at most 60 of them).
    while paused.elapsed() < Duration::from_secs(30) && requests < 60 {
        let (status, code, took) = current(&server, &user.access).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, "store_unavailable"),
            "{:?} into the outage",
            paused.elapsed()
        );
        assert!(
            took <= WITHIN,
            "answered after {took:?}, {:?} into the outage",
            paused.elapsed()
        );
        slowest = slowest.max(took);
        if requests % 10 == 0 {
            assert_eq!(readiness(&server).await, StatusCode::SERVICE_UNAVAILABLE);
        }
        requests += 1;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(requests >= 40, "only {requests} requests in the outage");
    eprintln!("outage: {requests} requests, the slowest answered in {slowest:?}");

    database.unpause().await.unwrap();
    let resumed = Instant::now();
    // Polled every 50 ms, for at most 10 s.
    loop {
        let (status, _, _) = current(&server, &user.access).await;
        if status == StatusCode::OK {
            break;
        }
        assert!(
            resumed.elapsed() < Duration::from_secs(10),
            "still {status} 10 s after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let recovered = resumed.elapsed();
    eprintln!("outage: served again {recovered:?} after the database came back");
    assert!(
        recovered <= WITHIN,
        "served again {recovered:?} after the database came back"
    );
    assert_eq!(readiness(&server).await, StatusCode::OK);
    // And the session is as it was: its refresh token still rotates.
    let refreshed = server
        .client
        .post(server.url("/v1/auth/refresh"))
        .json(&serde_json::json!({ "refresh_token": user.refresh }))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);
}
