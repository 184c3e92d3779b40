//! The pages in a real browser: Chromium through chromedriver, one profile per device.

mod cross_origin;
mod devices;
mod keyboard;
mod screenshot;

use crate::support::{
    chrome::{Chrome, Profile, ProfileOptions},
    server::{CHROME_ON_MACOS, PASSWORD},
};

pub const CHROME_ON_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) \
    AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

/// A light-mode browser on macOS.
async fn mac(chrome: &mut Chrome, base: &str) -> Profile {
    chrome
        .profile(
            base,
            &ProfileOptions {
                user_agent: CHROME_ON_MACOS,
                dark: false,
            },
        )
        .await
}

/// Signs up as `email` on the sign-in page, with the mouse.
async fn sign_up(browser: &Profile, email: &str) {
    browser.goto("/").await;
    browser.fill("#new-email", email).await;
    browser.fill("#new-password", PASSWORD).await;
    browser.click("#sign-up").await;
    browser.wait_for_path("/account/sessions").await;
}

/// Signs in as `email` on the sign-in page, with the mouse.
async fn sign_in(browser: &Profile, email: &str) {
    browser.goto("/").await;
    browser.fill("#email", email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("#sign-in").await;
    browser.wait_for_path("/account/sessions").await;
}
