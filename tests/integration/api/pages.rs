//! The browser pages over HTTP, as a browser uses them but without one: cookie sessions,
//! their attributes, renewal, revocation, CSRF and origin checks, and every page's actions.
//! The real browser drives them in `crate::browser`.

use std::time::Duration;

use chrono::TimeDelta;
use reqwest::StatusCode;
use sessions_domain::SessionPolicy;

use super::on_both_stores;
use crate::support::{
    form_client::{FormClient, csrf_of},
    server::{FIREFOX_ON_WINDOWS, PASSWORD, ServerOptions, TestServer, spawn_sqlite_server},
};

/// The id of the session a devices page was rendered for.
fn current_session_of(html: &str) -> String {
    let start = html
        .find(r#"class="device current" data-session=""#)
        .unwrap()
        + 37;
    html[start..start + 36].to_owned()
}

/// A server whose access tokens expire after a second, for the refresh to be seen.
fn one_second_access_tokens() -> ServerOptions {
    ServerOptions {
        policy: SessionPolicy {
            access_token_ttl: TimeDelta::seconds(1),
            ..SessionPolicy::default()
        },
        ..ServerOptions::default()
    }
}

async fn signed_up(server: &TestServer, email: &str) -> FormClient {
    let mut browser = FormClient::new(server);
    browser.enter("/sign-up", email, PASSWORD).await;
    browser
}

#[tokio::test]
async fn over_https_the_session_lives_in_host_only_secure_http_only_lax_cookies_no_page_shows() {
    let server = spawn_sqlite_server(&ServerOptions {
        public_origin: Some("https://sessions.example.test"),
        ..ServerOptions::default()
    })
    .await;
    let mut browser = FormClient::new(&server);
    browser.origin = "https://sessions.example.test".to_owned();
    browser
        .enter("/sign-up", "https@example.com", PASSWORD)
        .await;
    for name in [
        "__Host-session=",
        "__Host-session-refresh=",
        "__Host-device=",
    ] {
        let cookie = browser
            .set_cookies
            .iter()
            .find(|cookie| cookie.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {:?}", browser.set_cookies));
        for attribute in ["; Path=/;", "; HttpOnly", "; SameSite=Lax", "; Secure"] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
        assert!(!cookie.contains("Domain="), "{cookie}");
    }
    let page = browser.get("/account/sessions").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for token in browser.cookies.values() {
        assert!(!html.contains(token.as_str()), "a page shows a token");
    }
}

#[tokio::test]
async fn each_sign_in_starts_a_fresh_session_whatever_session_cookie_the_browser_held() {
    let server = spawn_sqlite_server(&ServerOptions::default()).await;
    let mut attacker = signed_up(&server, "attacker@example.com").await;
    let planted = attacker.cookies.clone();
    let planted_session = current_session_of(
        &attacker
            .get("/account/sessions")
            .await
            .text()
            .await
            .unwrap(),
    );

    server.register("victim@example.com").await;
    let mut victim = FormClient::new(&server);
    victim.cookies = planted.clone();
    victim
        .enter("/sign-in", "victim@example.com", PASSWORD)
        .await;
    assert_ne!(victim.cookies["session"], planted["session"]);
    assert_ne!(
        victim.cookies["session-refresh"],
        planted["session-refresh"]
    );
    let html = victim.get("/account/sessions").await.text().await.unwrap();
    assert_ne!(current_session_of(&html), planted_session);
    assert_eq!(
        html.matches(r#"<li class="device"#).count(),
        1,
        "only the victim's own device"
    );
}

async fn a_cookie_session_revoked_elsewhere_is_refused_on_its_next_page_load(server: TestServer) {
    let mut browser = signed_up(&server, "revoked@example.com").await;
    let session_id =
        current_session_of(&browser.get("/account/sessions").await.text().await.unwrap());
    let other = server.login("revoked@example.com").await;
    let revoked = server
        .client
        .delete(server.url(&format!("/v1/sessions/{session_id}")))
        .bearer_auth(&other.access)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);

    let page = browser.get("/account/sessions").await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()["location"], "/?notice=session-ended");
    assert!(
        !browser.cookies.contains_key("session"),
        "the cookies are cleared"
    );
    let sign_in = browser
        .get("/?notice=session-ended")
        .await
        .text()
        .await
        .unwrap();
    assert!(sign_in.contains("Your session on this device ended"));
}

on_both_stores!(a_cookie_session_revoked_elsewhere_is_refused_on_its_next_page_load);

#[tokio::test]
async fn an_expired_access_cookie_is_renewed_by_the_server_on_the_next_page_load() {
    let server = spawn_sqlite_server(&one_second_access_tokens()).await;
    let mut browser = signed_up(&server, "renewed@example.com").await;
    let before = browser.cookies.clone();
    let session_id =
        current_session_of(&browser.get("/account/sessions").await.text().await.unwrap());
    tokio::time::sleep(Duration::from_millis(1_100)).await;

    let page = browser.get("/account/sessions").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(current_session_of(&page.text().await.unwrap()), session_id);
    assert_ne!(
        browser.cookies["session"], before["session"],
        "a new access token"
    );
    assert_ne!(
        browser.cookies["session-refresh"], before["session-refresh"],
        "rotated"
    );
    // The renewed pair works as the first did.
    assert_eq!(
        browser.get("/account/activity").await.status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tabs_loading_at_once_with_one_expired_cookie_all_stay_signed_in() {
    let server = spawn_sqlite_server(&one_second_access_tokens()).await;
    let mut browser = signed_up(&server, "tabs@example.com").await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;

    // Every tab presents the same refresh cookie: the first rotates it, the others are the
    // same client within the grace window and get the same successor.
    let cookie = browser.cookie_header();
    let tabs: Vec<_> = (0..4)
        .map(|_| {
            let request = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap()
                .get(server.url("/account/sessions"))
                .header("cookie", cookie.clone())
                .header("user-agent", browser.user_agent)
                .header("x-forwarded-for", browser.ip)
                .header("origin", browser.origin.clone());
            tokio::spawn(async move { request.send().await.unwrap() })
        })
        .collect();
    let mut renewed = Vec::new();
    for tab in tabs {
        let response = tab.await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let access = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|value| value.to_str().unwrap().to_owned())
            .find(|value| value.starts_with("session-refresh="))
            .expect("renewed cookies");
        renewed.push(access);
    }
    assert!(
        renewed.windows(2).all(|pair| pair[0] == pair[1]),
        "one successor refresh token: {renewed:?}"
    );
    assert_eq!(
        browser.get("/account/sessions").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_form_without_its_sessions_csrf_token_changes_nothing() {
    let server = spawn_sqlite_server(&ServerOptions::default()).await;
    let mut browser = signed_up(&server, "csrf@example.com").await;
    let other_device = server.login("csrf@example.com").await;
    let mut stranger = signed_up(&server, "stranger@example.com").await;
    let strangers_token = stranger.csrf().await;

    for fields in [
        vec![],
        vec![("csrf", "")],
        vec![("csrf", strangers_token.as_str())],
    ] {
        let refused = browser
            .post("/account/sessions/sign-out-others", &fields)
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{fields:?}");
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("Nothing was changed")
        );
    }
    assert_eq!(
        server.current_status(&other_device.access).await,
        StatusCode::OK
    );

    let token = browser.csrf().await;
    let done = browser
        .post("/account/sessions/sign-out-others", &[("csrf", &token)])
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        done.headers()["location"],
        "/account/sessions?done=others-signed-out"
    );
    assert_eq!(
        server.current_status(&other_device.access).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_form_from_another_origin_is_refused_even_with_the_right_token() {
    let server = spawn_sqlite_server(&ServerOptions::default()).await;
    let mut browser = signed_up(&server, "origin@example.com").await;
    let other_device = server.login("origin@example.com").await;
    let token = browser.csrf().await;
    // Another port of the same host is another origin of the same site: SameSite=Lax
    // lets its cookies through, so only the origin check stands in the way.
    for origin in ["http://127.0.0.1:1", "null", "https://evil.example"] {
        let refused = browser
            .post_from(
                origin,
                "/account/sessions/sign-out-others",
                &[("csrf", &token)],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{origin}");
    }
    let headerless = reqwest::Client::new()
        .post(server.url("/account/sessions/sign-out-others"))
        .header("cookie", format!("session={}", browser.cookies["session"]))
        .form(&[("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        headerless.status(),
        StatusCode::FORBIDDEN,
        "neither Origin nor Sec-Fetch-Site"
    );
    assert_eq!(
        server.current_status(&other_device.access).await,
        StatusCode::OK
    );

    // Nor can another site sign a visitor in to an account of its choosing.
    let mut visitor = FormClient::new(&server);
    let forced = visitor
        .post_from(
            "https://evil.example",
            "/sign-in",
            &[("email", "origin@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(forced.status(), StatusCode::FORBIDDEN);
    assert!(visitor.cookies.is_empty());
}

#[tokio::test]
async fn signing_out_clears_the_cookies_and_ends_the_session() {
    let server = spawn_sqlite_server(&ServerOptions::default()).await;
    let mut browser = signed_up(&server, "bye@example.com").await;
    let kept = browser.cookies.clone();
    let token = browser.csrf().await;
    let out = browser.post("/sign-out", &[("csrf", &token)]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(out.headers()["location"], "/?notice=signed-out");
    assert!(!browser.cookies.contains_key("session"));
    assert!(!browser.cookies.contains_key("session-refresh"));
    assert!(
        browser.cookies.contains_key("device"),
        "the device token stays for next time"
    );

    // The old cookies, replayed, no longer open anything.
    browser.cookies = kept;
    let replayed = browser.get("/account/sessions").await;
    assert_eq!(replayed.status(), StatusCode::SEE_OTHER);
    assert_eq!(replayed.headers()["location"], "/?notice=session-ended");
}

#[tokio::test]
async fn a_throttled_sign_in_says_in_words_when_to_try_again() {
    let mut policy = SessionPolicy::default();
    policy.throttle.lockout_threshold = 2;
    let server = spawn_sqlite_server(&ServerOptions {
        policy,
        ..ServerOptions::default()
    })
    .await;
    server.register("locked@example.com").await;
    let mut browser = FormClient::new(&server);
    let wrong = [
        ("email", "locked@example.com"),
        ("password", "not the password"),
    ];
    let first = browser.post("/sign-in", &wrong).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    assert!(
        first
            .text()
            .await
            .unwrap()
            .contains("Wrong e-mail address or password.")
    );
    browser.post("/sign-in", &wrong).await;
    let locked = browser.post("/sign-in", &wrong).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = locked.text().await.unwrap();
    assert!(
        html.contains("Too many attempts, try again in 15 minutes."),
        "{html}"
    );
    assert!(
        html.contains(r#"value="locked@example.com""#),
        "the address stays filled in"
    );
}

#[tokio::test]
async fn sign_up_can_be_turned_off() {
    let server = spawn_sqlite_server(&ServerOptions {
        sign_up_off: true,
        ..ServerOptions::default()
    })
    .await;
    let mut browser = FormClient::new(&server);
    let page = browser.get("/").await.text().await.unwrap();
    assert!(page.contains(r#"action="/sign-in""#));
    assert!(!page.contains(r#"action="/sign-up""#));
    let refused = browser
        .post(
            "/sign-up",
            &[("email", "closed@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let login = server
        .login_from("closed@example.com", FIREFOX_ON_WINDOWS, "203.0.113.9")
        .await;
    assert_eq!(
        login.status(),
        StatusCode::UNAUTHORIZED,
        "no account was made"
    );
}

#[tokio::test]
async fn without_a_public_url_pages_are_served_to_loopback_hosts_only() {
    let server = spawn_sqlite_server(&ServerOptions::default()).await;
    let response = reqwest::Client::new()
        .get(server.url("/"))
        .header("host", "sessions.example.test")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("SESSIONS_PUBLIC_URL")
    );
}

#[tokio::test]
async fn pages_run_no_script_and_no_other_site_may_frame_them() {
    let server = spawn_sqlite_server(&ServerOptions::default()).await;
    let mut visitor = FormClient::new(&server);
    let mut browser = signed_up(&server, "policy@example.com").await;
    for path in [
        "/",
        "/account/sessions",
        "/account/activity",
        "/account/password",
    ] {
        let page = if path == "/" {
            visitor.get(path).await
        } else {
            browser.get(path).await
        };
        let headers = page.headers().clone();
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(
            policy.starts_with("default-src 'none';"),
            "{path}: {policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{path}");
        assert!(!policy.contains("script-src"), "{path}");
        assert!(!policy.contains("unsafe-inline"), "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        // Not `no-referrer`: browsers would then send `Origin: null` with the pages' forms.
        assert_eq!(headers["referrer-policy"], "same-origin");
        assert_eq!(headers["cache-control"], "no-store");
        let html = page.text().await.unwrap();
        assert!(!html.contains("<script"), "{path}");
        assert!(
            html.contains(r#"<main id="main""#),
            "{path}: a main landmark"
        );
    }
}

#[tokio::test]
async fn the_pages_sign_devices_out_trust_them_show_activity_and_change_the_password() {
    let server = spawn_sqlite_server(&ServerOptions::default()).await;
    let mut browser = signed_up(&server, "pages@example.com").await;
    let phone = server
        .login_from("pages@example.com", FIREFOX_ON_WINDOWS, "198.51.100.7")
        .await;
    assert_eq!(phone.status(), StatusCode::CREATED);
    let phone: serde_json::Value = phone.json().await.unwrap();
    let phone_id = phone["session"]["id"].as_str().unwrap().to_owned();
    let phone_token = phone["access_token"].as_str().unwrap().to_owned();

    let html = browser.get("/account/sessions").await.text().await.unwrap();
    assert_eq!(html.matches("This device").count(), 1);
    assert!(html.contains("Firefox on Windows"));
    assert!(html.contains("Berlin, DE"));
    assert!(html.contains("198.51.100.7"));
    assert!(html.contains("Chrome on macOS"));
    let token = csrf_of(&html);

    let confirm = browser
        .get(&format!("/account/sessions/{phone_id}/sign-out"))
        .await
        .text()
        .await
        .unwrap();
    assert!(confirm.contains("Sign out Firefox on Windows?"));

    let trusted = browser
        .post(
            &format!("/account/sessions/{phone_id}/trust"),
            &[("csrf", &token), ("trusted", "true")],
        )
        .await;
    assert_eq!(
        trusted.headers()["location"],
        "/account/sessions?done=trusted"
    );
    let html = browser
        .get("/account/sessions?done=trusted")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("The device is marked trusted."));
    assert!(html.contains(r#"<span class="badge trusted">Trusted</span>"#));

    let out = browser
        .post(
            &format!("/account/sessions/{phone_id}/sign-out"),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(
        out.headers()["location"],
        "/account/sessions?done=device-signed-out"
    );
    assert_eq!(
        server.current_status(&phone_token).await,
        StatusCode::UNAUTHORIZED
    );

    let activity = browser.get("/account/activity").await.text().await.unwrap();
    for line in [
        "Signed in",
        "Device marked trusted",
        "Signed out",
        "Berlin, DE",
    ] {
        assert!(activity.contains(line), "{line}");
    }

    let wrong = browser
        .post(
            "/account/password",
            &[
                ("csrf", &token),
                ("current_password", "not it at all"),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("The current password is wrong.")
    );
    let changed = browser
        .post(
            "/account/password",
            &[
                ("csrf", &token),
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(
        changed.headers()["location"],
        "/account/sessions?done=password-changed"
    );
    let mut again = FormClient::new(&server);
    again
        .enter("/sign-in", "pages@example.com", "a brand new passphrase")
        .await;
}
