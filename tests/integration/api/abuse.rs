//! The attacks of the abuse-resistance issue, each against the real server on both stores:
//! password guessing through the password change, locking the owner out, spraying from a
//! rotating IPv6 /64, burning hashes with duplicate registrations, and a lockout budget
//! shared by two instances on one database.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::on_both_stores;
use crate::support::server::{
    CHROME_ON_MACOS, FIREFOX_ON_WINDOWS, PASSWORD, ServerOptions, TestServer, expect_problem,
    second_store, spawn_server, spawn_server_on, spawn_sqlite_server,
};

/// A login of `email` with `password` from `ip`, presenting `device_token` if given.
async fn login(
    server: &TestServer,
    email: &str,
    password: &str,
    ip: &str,
    device_token: Option<&str>,
) -> Response {
    let mut body = json!({ "email": email, "password": password });
    if let Some(token) = device_token {
        body["device_token"] = json!(token);
    }
    server
        .client
        .post(server.url("/v1/auth/login"))
        .header("user-agent", CHROME_ON_MACOS)
        .header("x-forwarded-for", ip)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The `Retry-After` of a refusal, in seconds.
fn retry_after(response: &Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn change_password(server: &TestServer, access: &str, current: &str) -> Response {
    server
        .client
        .put(server.url("/v1/users/me/password"))
        .bearer_auth(access)
        .json(&json!({ "current_password": current, "new_password": "a brand new password" }))
        .send()
        .await
        .unwrap()
}

async fn password_change_stops_being_a_guessing_oracle_after_five_failures(server: TestServer) {
    let victim = server.user("victim@example.com").await;
    let thief = server.login("victim@example.com").await;
    for guess in 1..=4 {
        let refused =
            change_password(&server, &thief.access, &format!("guess number {guess}")).await;
        expect_problem(refused, StatusCode::FORBIDDEN, "invalid_credentials").await;
    }

    let fifth = change_password(&server, &thief.access, "guess number 5").await;
    expect_problem(fifth, StatusCode::UNAUTHORIZED, "session_revoked").await;
    // Even the right password is no use now, and the session is revoked for good.
    let right = change_password(&server, &thief.access, PASSWORD).await;
    expect_problem(right, StatusCode::UNAUTHORIZED, "session_revoked").await;
    let current = server
        .as_user(Method::GET, "/v1/sessions/current", &thief)
        .send()
        .await
        .unwrap();
    expect_problem(current, StatusCode::UNAUTHORIZED, "session_revoked").await;
    // The victim's own session stays, and its trail says why the thief's ended.
    let events = server.session_events(&victim, &thief.session_id).await;
    let revocation = events
        .iter()
        .find(|event| event["type"] == "session_revoked")
        .unwrap_or_else(|| panic!("no revocation in {events:?}"));
    assert_eq!(revocation["data"]["reason"], "suspicious_activity");
}

async fn the_owner_with_a_device_token_logs_in_while_an_attacker_keeps_failing(server: TestServer) {
    server.register("owner@example.com").await;
    let first = login(&server, "owner@example.com", PASSWORD, "203.0.113.7", None).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let device_token = first["device_token"].as_str().unwrap().to_owned();

    // The attacker spends the account's budget from another network, and keeps trying.
    let mut refused = None;
    for attempt in 0..14 {
        let response = login(
            &server,
            "owner@example.com",
            &format!("guess number {attempt}"),
            "198.51.100.66",
            None,
        )
        .await;
        match response.status() {
            StatusCode::UNAUTHORIZED => assert!(attempt < 10, "attempt {attempt} was checked"),
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(attempt >= 10, "attempt {attempt} was refused");
                refused = Some(response);
            }
            status => panic!("attempt {attempt}: {status}"),
        }
    }
    let refused = refused.expect("the attacker was refused");
    assert!((1..=900).contains(&retry_after(&refused)));

    // A client without the device token is refused even with the right password …
    let stranger = login(&server, "owner@example.com", PASSWORD, "192.0.2.10", None).await;
    expect_problem(stranger, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // … the owner's device gets in, and gets a new device token, the old one retired.
    let owner = login(
        &server,
        "owner@example.com",
        PASSWORD,
        "192.0.2.10",
        Some(&device_token),
    )
    .await;
    assert_eq!(owner.status(), StatusCode::CREATED);
    let owner: Value = owner.json().await.unwrap();
    let renewed = owner["device_token"].as_str().unwrap();
    assert_ne!(renewed, device_token);
    let retired = login(
        &server,
        "owner@example.com",
        PASSWORD,
        "192.0.2.10",
        Some(&device_token),
    )
    .await;
    expect_problem(retired, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let again = login(
        &server,
        "owner@example.com",
        PASSWORD,
        "192.0.2.10",
        Some(renewed),
    )
    .await;
    assert_eq!(again.status(), StatusCode::CREATED);
}

async fn spraying_from_addresses_rotating_in_one_ipv6_slash_64_is_one_budget(server: TestServer) {
    for n in 0..20 {
        server.register(&format!("spray-{n}@example.com")).await;
    }
    let (mut checked, mut refused) = (0, 0);
    for attempt in 0_u32..200 {
        // A new address in 2001:db8:1:2::/64 for every attempt, over 20 accounts.
        let ip = format!("2001:db8:1:2:{:x}::{:x}", attempt % 7 + 1, attempt + 1);
        let email = format!("spray-{}@example.com", attempt % 20);
        let response = login(&server, &email, "Spring2026!guess", &ip, None).await;
        match response.status() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            status => panic!("attempt {attempt}: {status}"),
        }
    }
    // The network's budget (100 failures per window) stops the spray, whatever the address.
    assert_eq!((checked, refused), (100, 100));
    // Another network is not affected.
    let elsewhere = login(
        &server,
        "spray-0@example.com",
        PASSWORD,
        "2001:db8:1:3::1",
        None,
    )
    .await;
    assert_eq!(elsewhere.status(), StatusCode::CREATED);
}

async fn registrations_are_limited_per_network(server: TestServer) {
    for n in 0..20 {
        let response = server
            .client
            .post(server.url("/v1/users"))
            .header("x-forwarded-for", "198.51.100.20")
            .json(&json!({ "email": format!("signup-{n}@example.com"), "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "registration {n}");
    }
    let refused = server
        .client
        .post(server.url("/v1/users"))
        .header("x-forwarded-for", "198.51.100.20")
        .json(&json!({ "email": "signup-20@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!((1..=3600).contains(&retry_after(&refused)));
    expect_problem(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

async fn a_grace_replay_is_honoured_and_recorded_only_for_the_client_that_rotated(
    server: TestServer,
) {
    let owner = server.user("replay@example.com").await;
    // The owner's two tabs refresh at once: the second is a replay from the same client.
    let first = server
        .refresh_from(&owner.refresh, "203.0.113.7", CHROME_ON_MACOS)
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.unwrap();
    let replay = server
        .refresh_from(&owner.refresh, "203.0.113.99", CHROME_ON_MACOS)
        .await;
    assert_eq!(replay.status(), StatusCode::OK);
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay["refresh_token"], first["refresh_token"]);
    let events = server.session_events(&owner, &owner.session_id).await;
    let replayed = events
        .iter()
        .find(|event| event["type"] == "refresh_replayed")
        .unwrap_or_else(|| panic!("no refresh_replayed in {events:?}"));
    assert_eq!(replayed["data"]["ip"], "203.0.113.99");
    assert_eq!(replayed["data"]["user_agent"], CHROME_ON_MACOS);

    // A thief replays the same used token from elsewhere, inside the window: reuse.
    let stolen = server
        .refresh_from(&owner.refresh, "198.51.100.66", FIREFOX_ON_WINDOWS)
        .await;
    expect_problem(stolen, StatusCode::UNAUTHORIZED, "refresh_token_reuse").await;
    let successor = first["refresh_token"].as_str().unwrap();
    let after = server
        .refresh_from(successor, "203.0.113.7", CHROME_ON_MACOS)
        .await;
    expect_problem(after, StatusCode::UNAUTHORIZED, "session_revoked").await;
}

async fn a_grace_replay_with_another_browser_on_the_same_network_revokes(server: TestServer) {
    let owner = server.user("browser@example.com").await;
    let first = server
        .refresh_from(&owner.refresh, "203.0.113.7", CHROME_ON_MACOS)
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let other = server
        .refresh_from(&owner.refresh, "203.0.113.7", FIREFOX_ON_WINDOWS)
        .await;
    expect_problem(other, StatusCode::UNAUTHORIZED, "refresh_token_reuse").await;
}

on_both_stores!(
    a_grace_replay_is_honoured_and_recorded_only_for_the_client_that_rotated,
    a_grace_replay_with_another_browser_on_the_same_network_revokes,
    password_change_stops_being_a_guessing_oracle_after_five_failures,
    the_owner_with_a_device_token_logs_in_while_an_attacker_keeps_failing,
    spraying_from_addresses_rotating_in_one_ipv6_slash_64_is_one_budget,
    registrations_are_limited_per_network,
);

/// 2,000 registrations of a taken address, 16 at a time: each is 409 and none is hashed.
async fn duplicate_registrations_cost_no_hash(server: TestServer) {
    server.register("taken@example.com").await;
    let hashes_before = server.hashes();
    let server = std::sync::Arc::new(server);
    let mut workers = Vec::new();
    for worker in 0..16 {
        let server = std::sync::Arc::clone(&server);
        workers.push(tokio::spawn(async move {
            for n in 0..125 {
                let response = server
                    .client
                    .post(server.url("/v1/users"))
                    // Each from its own network: the registration budget is not what stops them.
                    .header(
                        "x-forwarded-for",
                        format!("10.{worker}.{}.{}", n / 250, n % 250),
                    )
                    .json(&json!({ "email": "Taken@Example.com", "password": PASSWORD }))
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                assert_eq!(
                    status,
                    StatusCode::CONFLICT,
                    "{}",
                    response.text().await.unwrap()
                );
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    assert_eq!(server.hashes(), hashes_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicate_registrations_cost_no_hash_on_postgres() {
    duplicate_registrations_cost_no_hash(
        spawn_server(&crate::support::server::ServerOptions::default()).await,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicate_registrations_cost_no_hash_on_sqlite() {
    duplicate_registrations_cost_no_hash(
        spawn_sqlite_server(&crate::support::server::ServerOptions::default()).await,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_database_share_the_accounts_lockout_budget() {
    let first = spawn_server(&crate::support::server::ServerOptions::default()).await;
    let second = spawn_server_on(
        second_store(first.postgres()).await,
        &ServerOptions::default(),
    )
    .await;
    first.register("shared@example.com").await;
    for (n, instance) in [&first, &second].into_iter().cycle().take(10).enumerate() {
        let response = login(
            instance,
            "shared@example.com",
            "a wrong password",
            &format!("198.51.100.{n}"),
            None,
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    for instance in [&first, &second] {
        let refused = login(instance, "shared@example.com", PASSWORD, "192.0.2.1", None).await;
        expect_problem(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    }
}
