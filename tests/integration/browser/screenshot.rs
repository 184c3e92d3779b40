//! `/account/sessions` with three devices: the picture in the README (kept in
//! `docs/account-sessions.png`; `SESSIONS_UPDATE_SCREENSHOT=1` writes it again), readable at
//! 320 px and in dark mode.

use fantoccini::Locator;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{mac, sign_in};
use crate::support::{
    chrome::{Chrome, ProfileOptions},
    server::{CHROME_ON_MACOS, FIREFOX_ON_WINDOWS, ServerOptions, Tokens, spawn_sqlite_server},
};

const SAFARI_ON_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) \
    AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_devices_are_shown_with_their_icons_at_any_width_and_in_dark_mode() {
    let server = spawn_sqlite_server(&ServerOptions::default()).await;
    server.register("three@example.com").await;
    let phone = server
        .login_from("three@example.com", SAFARI_ON_IPHONE, "198.51.100.7")
        .await;
    assert_eq!(phone.status(), StatusCode::CREATED);
    let phone: Value = phone.json().await.unwrap();
    let phone = Tokens {
        access: phone["access_token"].as_str().unwrap().to_owned(),
        refresh: String::new(),
        session_id: phone["session"]["id"].as_str().unwrap().to_owned(),
        body: json!(null),
    };
    let path = format!("/v1/sessions/{}/trust", phone.session_id);
    let trusted = server
        .as_user(Method::PUT, &path, &phone)
        .header("user-agent", SAFARI_ON_IPHONE)
        .header("x-forwarded-for", "198.51.100.7")
        .send()
        .await
        .unwrap();
    assert_eq!(trusted.status(), StatusCode::OK);
    let laptop = server
        .login_from("three@example.com", FIREFOX_ON_WINDOWS, "203.0.113.7")
        .await;
    assert_eq!(laptop.status(), StatusCode::CREATED);

    let mut chrome = Chrome::start().await;
    let browser = mac(&mut chrome, &server.base).await;
    sign_in(&browser, "three@example.com").await;
    let devices = browser
        .client
        .find_all(Locator::Css("li.device"))
        .await
        .unwrap();
    assert_eq!(devices.len(), 3);
    let main = browser.main_text().await;
    for fact in [
        "Chrome on macOS",
        "Firefox on Windows",
        "New York, US",
        "Berlin, DE",
        "Trusted",
        "This device",
        "Active now",
    ] {
        assert!(main.contains(fact), "{fact} in {main}");
    }
    for icon in ["desktop", "phone"] {
        let selector = format!(r##"li.device use[href="#icon-{icon}"]"##);
        browser.client.find(Locator::Css(&selector)).await.unwrap();
    }
    let hover = browser
        .client
        .find(Locator::Css("li.device time[title]"))
        .await
        .unwrap()
        .attr("title")
        .await
        .unwrap()
        .unwrap();
    assert!(hover.ends_with(" UTC"), "the exact time on hover: {hover}");

    let picture = browser.client.screenshot().await.unwrap();
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("account-sessions.png"), &picture).unwrap();
    if std::env::var_os("SESSIONS_UPDATE_SCREENSHOT").is_some() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
        std::fs::write(docs.join("account-sessions.png"), &picture).unwrap();
    }

    // At 320 px, nothing is wider than the window.
    browser.client.set_window_size(320, 900).await.unwrap();
    browser.goto("/account/sessions").await;
    let overflow = browser
        .eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
        .await;
    assert_eq!(overflow, json!(0), "horizontal scrolling at 320 px");
    browser.close().await;

    // In dark mode, the page is dark.
    let dark = chrome
        .profile(
            &server.base,
            &ProfileOptions {
                user_agent: CHROME_ON_MACOS,
                dark: true,
            },
        )
        .await;
    sign_in(&dark, "three@example.com").await;
    assert_eq!(
        dark.eval("return matchMedia('(prefers-color-scheme: dark)').matches;")
            .await,
        json!(true)
    );
    assert_eq!(
        dark.eval("return getComputedStyle(document.body).backgroundColor;")
            .await,
        json!("rgb(13, 17, 23)")
    );
    dark.close().await;
}
