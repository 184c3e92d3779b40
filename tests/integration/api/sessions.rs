//! A user's sessions over HTTP: list, read, revoke (also across instances), trust, events,
//! the session limit, and isolation between users.

use crate::support::server::{
    ServerOptions, Tokens, expect_problem, second_store, spawn_server, spawn_server_on,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn json_of(response: reqwest::Response) -> Value {
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_session_list_pages_newest_first_with_an_opaque_cursor() {
    let server = spawn_server(&ServerOptions::default()).await;
    let mut logins: Vec<Tokens> = vec![server.user("mia@example.com").await];
    for _ in 0..4 {
        logins.push(server.login("mia@example.com").await);
    }
    let me = logins.last().unwrap();

    let mut seen = Vec::new();
    let mut path = "/v1/sessions?limit=2".to_owned();
    loop {
        let page = json_of(server.as_user(Method::GET, &path, me).send().await.unwrap()).await;
        for session in page["sessions"].as_array().unwrap() {
            seen.push(session["id"].as_str().unwrap().to_owned());
            assert_eq!(
                session["is_current"],
                session["id"] == me.session_id.as_str()
            );
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/sessions?limit=2&cursor={cursor}"),
            None => break,
        }
    }

    let newest_first: Vec<String> = logins.iter().rev().map(|t| t.session_id.clone()).collect();
    assert_eq!(seen, newest_first);
    for bad in [
        "limit=0",
        "limit=201",
        "limit=abc",
        "cursor=nonsense",
        "active_only=maybe",
    ] {
        let response = server
            .as_user(Method::GET, &format!("/v1/sessions?{bad}"), me)
            .send()
            .await
            .unwrap();
        expect_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        )
        .await;
    }
}

#[tokio::test]
async fn revoking_a_session_makes_its_token_fail_on_the_very_next_request() {
    let server = spawn_server(&ServerOptions::default()).await;
    let phone = server.user("noah@example.com").await;
    let laptop = server.login("noah@example.com").await;
    let path = format!("/v1/sessions/{}", phone.session_id);

    let revoked = server
        .as_user(Method::DELETE, &path, &laptop)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let again = server
        .as_user(Method::DELETE, &path, &laptop)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NO_CONTENT);

    let next = server
        .as_user(Method::GET, "/v1/sessions/current", &phone)
        .send()
        .await
        .unwrap();
    expect_problem(next, StatusCode::UNAUTHORIZED, "session_revoked").await;
    let shown = json_of(
        server
            .as_user(Method::GET, &path, &laptop)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(shown["is_revoked"], true);
    assert_eq!(shown["is_active"], false);
    assert_eq!(shown["revoked_reason"], "user_revoked");
}

#[tokio::test]
async fn a_revocation_on_one_instance_is_refused_at_once_by_another_sharing_the_database() {
    let first = spawn_server(&ServerOptions::default()).await;
    let second = spawn_server_on(
        second_store(first.postgres()).await,
        &ServerOptions::default(),
    )
    .await;
    let phone = first.user("olga@example.com").await;
    let laptop = first.login("olga@example.com").await;
    let on_second = second
        .as_user(Method::GET, "/v1/sessions/current", &phone)
        .send()
        .await
        .unwrap();
    assert_eq!(on_second.status(), StatusCode::OK);

    let revoke = first
        .as_user(
            Method::DELETE,
            &format!("/v1/sessions/{}", phone.session_id),
            &laptop,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);

    let after = second
        .as_user(Method::GET, "/v1/sessions/current", &phone)
        .send()
        .await
        .unwrap();
    expect_problem(after, StatusCode::UNAUTHORIZED, "session_revoked").await;
}

#[tokio::test]
async fn deleting_all_sessions_revokes_every_other_one_and_counts_them() {
    let server = spawn_server(&ServerOptions::default()).await;
    let first = server.user("pete@example.com").await;
    let second = server.login("pete@example.com").await;
    let current = server.login("pete@example.com").await;

    let body = json_of(
        server
            .as_user(Method::DELETE, "/v1/sessions", &current)
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(body, json!({ "revoked_count": 2 }));
    for gone in [&first, &second] {
        let response = server
            .as_user(Method::GET, "/v1/sessions/current", gone)
            .send()
            .await
            .unwrap();
        expect_problem(response, StatusCode::UNAUTHORIZED, "session_revoked").await;
    }
    let me = server
        .as_user(Method::GET, "/v1/sessions/current", &current)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_user_can_neither_see_revoke_trust_nor_read_another_users_session() {
    let server = spawn_server(&ServerOptions::default()).await;
    let alice = server.user("quinn@example.com").await;
    let mallory = server.user("mallory@example.com").await;
    let base = format!("/v1/sessions/{}", alice.session_id);
    for (method, path) in [
        (Method::GET, base.clone()),
        (Method::DELETE, base.clone()),
        (Method::PUT, format!("{base}/trust")),
        (Method::DELETE, format!("{base}/trust")),
        (Method::GET, format!("{base}/events")),
    ] {
        let response = server
            .as_user(method.clone(), &path, &mallory)
            .send()
            .await
            .unwrap();
        expect_problem(response, StatusCode::NOT_FOUND, "session_not_found").await;
    }
    let unknown = server
        .as_user(
            Method::GET,
            &format!("/v1/sessions/{}", uuid::Uuid::now_v7()),
            &mallory,
        )
        .send()
        .await
        .unwrap();
    expect_problem(unknown, StatusCode::NOT_FOUND, "session_not_found").await;
    let still_mine = server
        .as_user(Method::GET, &base, &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(still_mine.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_session_is_trusted_and_untrusted_but_an_inactive_one_is_409() {
    let server = spawn_server(&ServerOptions::default()).await;
    let me = server.user("rosa@example.com").await;
    let old = server.login("rosa@example.com").await;
    let trust_path = format!("/v1/sessions/{}/trust", me.session_id);

    let trusted = json_of(
        server
            .as_user(Method::PUT, &trust_path, &me)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(trusted["is_trusted"], true);
    let untrusted = json_of(
        server
            .as_user(Method::DELETE, &trust_path, &me)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(untrusted["is_trusted"], false);

    server
        .as_user(
            Method::DELETE,
            &format!("/v1/sessions/{}", old.session_id),
            &me,
        )
        .send()
        .await
        .unwrap();
    let inactive = server
        .as_user(
            Method::PUT,
            &format!("/v1/sessions/{}/trust", old.session_id),
            &me,
        )
        .send()
        .await
        .unwrap();
    expect_problem(inactive, StatusCode::CONFLICT, "session_inactive").await;
}

#[tokio::test]
async fn the_events_of_a_session_are_listed_oldest_first_with_their_data() {
    let server = spawn_server(&ServerOptions::default()).await;
    let me = server.user("sam@example.com").await;
    let other = server.login("sam@example.com").await;
    server
        .as_user(
            Method::PUT,
            &format!("/v1/sessions/{}/trust", other.session_id),
            &me,
        )
        .send()
        .await
        .unwrap();
    server
        .as_user(
            Method::DELETE,
            &format!("/v1/sessions/{}", other.session_id),
            &me,
        )
        .send()
        .await
        .unwrap();

    let body = json_of(
        server
            .as_user(
                Method::GET,
                &format!("/v1/sessions/{}/events", other.session_id),
                &me,
            )
            .send()
            .await
            .unwrap(),
    )
    .await;

    let events = body["events"].as_array().unwrap();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["session_created", "session_trusted", "session_revoked"]
    );
    assert_eq!(events[2]["data"], json!({ "reason": "user_revoked" }));
    assert!(events[0]["at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn the_session_limit_evicts_the_least_recently_active_session() {
    let server = spawn_server(&ServerOptions::default()).await;
    let user_id = server.register("tess@example.com").await;
    let limit = server
        .as_admin(
            Method::PUT,
            &format!("/v1/admin/users/{user_id}/session-limit"),
        )
        .json(&json!({ "max_sessions": 2 }))
        .send()
        .await
        .unwrap();
    assert_eq!(limit.status(), StatusCode::OK);
    let oldest = server.login("tess@example.com").await;
    let middle = server.login("tess@example.com").await;
    let newest = server.login("tess@example.com").await;

    let evicted = server
        .as_user(Method::GET, "/v1/sessions/current", &oldest)
        .send()
        .await
        .unwrap();
    expect_problem(evicted, StatusCode::UNAUTHORIZED, "session_revoked").await;
    let shown = json_of(
        server
            .as_user(
                Method::GET,
                &format!("/v1/sessions/{}", oldest.session_id),
                &newest,
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(shown["revoked_reason"], "session_limit");
    let events = json_of(
        server
            .as_user(
                Method::GET,
                &format!("/v1/sessions/{}/events", oldest.session_id),
                &newest,
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        events["events"][1]["data"],
        json!({ "reason": "session_limit", "evicted_by": newest.session_id })
    );
    for alive in [&middle, &newest] {
        let response = server
            .as_user(Method::GET, "/v1/sessions/current", alive)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}
