//! The whole flow with the keyboard alone: sign up, sign another device out (through its
//! confirmation), trust a device, read the activity, sign out. No click, only Tab, typing
//! and Enter.

use fantoccini::key::Key;
use reqwest::StatusCode;

use super::mac;
use crate::support::{
    chrome::Chrome,
    server::{FIREFOX_ON_WINDOWS, PASSWORD, ServerOptions, spawn_sqlite_server},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_up_signing_a_device_out_trusting_and_signing_out_need_only_the_keyboard() {
    let server = spawn_sqlite_server(&ServerOptions::default()).await;
    let mut chrome = Chrome::start().await;
    let browser = mac(&mut chrome, &server.base).await;

    browser.goto("/").await;
    browser.tab_to("#new-email").await;
    browser.type_text("keys@example.com").await;
    browser.press(Key::Tab).await;
    browser.tab_to("#new-password").await;
    browser.type_text(PASSWORD).await;
    browser.press(Key::Enter).await;
    browser.wait_for_path("/account/sessions").await;

    let laptop = server
        .login_from("keys@example.com", FIREFOX_ON_WINDOWS, "198.51.100.7")
        .await;
    assert_eq!(laptop.status(), StatusCode::CREATED);
    let laptop: serde_json::Value = laptop.json().await.unwrap();
    let laptop_token = laptop["access_token"].as_str().unwrap().to_owned();
    browser.goto("/account/sessions").await;

    browser
        .tab_to("li.device:not(.current) a.sign-out-device")
        .await;
    browser.press(Key::Enter).await;
    assert!(
        browser
            .main_text()
            .await
            .contains("Sign out Firefox on Windows?")
    );
    browser.tab_to("#confirm").await;
    browser.press(Key::Enter).await;
    browser
        .wait_for_path("/account/sessions?done=device-signed-out")
        .await;
    assert_eq!(
        server.current_status(&laptop_token).await,
        StatusCode::UNAUTHORIZED
    );

    browser
        .tab_to("li.device.current .device-actions button")
        .await;
    browser.press(Key::Enter).await;
    browser
        .wait_for_path("/account/sessions?done=trusted")
        .await;
    assert!(browser.main_text().await.contains("Trusted"));

    browser.tab_to(r#"nav a[href="/account/activity"]"#).await;
    browser.press(Key::Enter).await;
    browser.wait_for_path("/account/activity").await;
    let activity = browser.main_text().await;
    for line in ["Signed in", "Signed out", "Device marked trusted"] {
        assert!(activity.contains(line), "{line} in {activity}");
    }

    browser.tab_to("#sign-out").await;
    browser.press(Key::Enter).await;
    browser.wait_for_path("/?notice=signed-out").await;
    assert!(browser.main_text().await.contains("You are signed out."));
    browser.close().await;
}
