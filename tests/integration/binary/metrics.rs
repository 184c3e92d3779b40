//! `/metrics` as operators expose it: the active-sessions gauge counted in the background,
//! a scrape token, a listener of its own.

use reqwest::{Client, StatusCode};

use crate::support::binary::start_with;

const METRICS_TOKEN: &str = "a-metrics-token-of-at-least-32-chars";

#[tokio::test]
async fn the_active_sessions_gauge_is_counted_in_the_background() {
    let data = tempfile::tempdir().unwrap();
    let server = start_with(data.path(), &[("SESSIONS_METRICS_REFRESH", "1s")]).await;
    let client = Client::new();
    let mut gauge = None;
    // The first count runs at start; a few seconds at most for one more.
    for _ in 0..30 {
        let text = client
            .get(format!("{}/metrics", server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        gauge = text
            .lines()
            .find(|line| line.starts_with("sessions_active "))
            .map(str::to_owned);
        if gauge.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(gauge.as_deref(), Some("sessions_active 0"));
}

#[tokio::test]
async fn a_metrics_token_is_required_when_configured() {
    let data = tempfile::tempdir().unwrap();
    let server = start_with(data.path(), &[("SESSIONS_METRICS_TOKEN", METRICS_TOKEN)]).await;
    let client = Client::new();
    let anonymous = client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let scrape = client
        .get(format!("{}/metrics", server.base))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(scrape.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_metrics_listener_of_its_own_takes_metrics_off_the_api() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let metrics_address = probe.local_addr().unwrap().to_string();
    drop(probe);
    let data = tempfile::tempdir().unwrap();
    let server = start_with(data.path(), &[("SESSIONS_METRICS_BIND", &metrics_address)]).await;
    let client = Client::new();
    let on_api = client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(on_api.status(), StatusCode::NOT_FOUND);
    let mut scraped = None;
    for _ in 0..50 {
        if let Ok(response) = client
            .get(format!("http://{metrics_address}/metrics"))
            .send()
            .await
        {
            scraped = Some(response.status());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(scraped, Some(StatusCode::OK));
}
