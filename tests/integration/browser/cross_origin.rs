//! A page of another origin that makes the browser post to a state-changing route is
//! refused, even when it somehow holds the session's CSRF token: the browser says where the
//! form came from.

use axum::{Router, response::Html, routing::get};
use fantoccini::Locator;
use reqwest::StatusCode;
use tokio::net::TcpListener;

use super::{mac, sign_up};
use crate::support::{
    chrome::Chrome,
    form_client::csrf_of,
    server::{ServerOptions, spawn_sqlite_server},
};

/// Serves, on another loopback port (another origin of the same site, so `SameSite=Lax`
/// sends the cookies along), a page with a form aimed at `action`.
async fn other_origin_page(action: String, csrf: String) -> String {
    let page = format!(
        r#"<!doctype html><title>Win a prize</title>
        <form method="post" action="{action}">
          <input type="hidden" name="csrf" value="{csrf}">
          <button id="prize" type="submit">Claim your prize</button>
        </form>"#
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = Router::new().route("/", get(move || async move { Html(page) }));
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_posted_from_another_origin_is_refused_and_changes_nothing() {
    let server = spawn_sqlite_server(&ServerOptions::default()).await;
    let mut chrome = Chrome::start().await;
    let browser = mac(&mut chrome, &server.base).await;
    sign_up(&browser, "victim@example.com").await;
    let other_device = server.login("victim@example.com").await;
    let csrf = csrf_of(&browser.client.source().await.unwrap());

    let lure = other_origin_page(server.url("/account/sessions/sign-out-others"), csrf).await;
    browser.client.goto(&lure).await.unwrap();
    browser.click("#prize").await;
    browser
        .wait_for_path("/account/sessions/sign-out-others")
        .await;
    let refusal = browser.main_text().await;
    assert!(refusal.contains("Request refused"), "{refusal}");
    assert!(refusal.contains("Nothing was changed"));

    assert_eq!(
        server.current_status(&other_device.access).await,
        StatusCode::OK
    );
    browser.goto("/account/sessions").await;
    let devices = browser
        .client
        .find_all(Locator::Css("li.device"))
        .await
        .unwrap();
    assert_eq!(devices.len(), 2, "both devices are still signed in");
    browser.close().await;
}
