//! Two browsers signed in to one account: the first sees both, itself as "This device",
//! signs the second out, and the second's next page load is the sign-in page.

use fantoccini::Locator;

use super::{CHROME_ON_WINDOWS, mac, sign_in, sign_up};
use crate::support::{
    chrome::{Chrome, ProfileOptions},
    server::{ServerOptions, spawn_sqlite_server},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_browser_signs_the_second_out_and_the_second_lands_on_the_sign_in_page() {
    let server = spawn_sqlite_server(&ServerOptions::default()).await;
    let mut chrome = Chrome::start().await;
    let first = mac(&mut chrome, &server.base).await;
    let second = chrome
        .profile(
            &server.base,
            &ProfileOptions {
                user_agent: CHROME_ON_WINDOWS,
                dark: true,
            },
        )
        .await;
    sign_up(&first, "two@example.com").await;
    sign_in(&second, "two@example.com").await;

    first.goto("/account/sessions").await;
    let devices = first
        .client
        .find_all(Locator::Css("li.device"))
        .await
        .unwrap();
    assert_eq!(devices.len(), 2);
    let this_device = first
        .client
        .find(Locator::Css("li.device.current"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(this_device.contains("Chrome on macOS"), "{this_device}");
    assert!(this_device.contains("This device"));
    let other = first
        .client
        .find(Locator::Css("li.device:not(.current)"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(other.contains("Chrome on Windows"), "{other}");
    assert!(!other.contains("This device"));
    assert_eq!(first.main_text().await.matches("This device").count(), 1);

    // Sign the second out: a link to a confirmation, then the button that does it.
    first
        .click("li.device:not(.current) a.sign-out-device")
        .await;
    assert!(
        first
            .main_text()
            .await
            .contains("Sign out Chrome on Windows?")
    );
    first.click("#confirm").await;
    first
        .wait_for_path("/account/sessions?done=device-signed-out")
        .await;
    assert!(
        first
            .main_text()
            .await
            .contains("That device is signed out.")
    );
    let devices = first
        .client
        .find_all(Locator::Css("li.device"))
        .await
        .unwrap();
    assert_eq!(devices.len(), 1);

    // The second browser's next page load.
    second.goto("/account/sessions").await;
    second.wait_for_path("/?notice=session-ended").await;
    assert!(
        second
            .main_text()
            .await
            .contains("Your session on this device ended")
    );
    second.client.find(Locator::Css("#sign-in")).await.unwrap();

    // And the first is still signed in.
    first.goto("/account/sessions").await;
    first.wait_for_path("/account/sessions").await;
    first.close().await;
    second.close().await;
}
