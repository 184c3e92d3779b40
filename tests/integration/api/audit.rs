//! The audit trail and incident response over HTTP, on both stores: a user's own activity,
//! the administrators' search and export, and revocation by filter.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::on_both_stores;
use crate::support::server::{
    CHROME_ON_MACOS, FIREFOX_ON_WINDOWS, PASSWORD, TestServer, Tokens, expect_problem, tokens,
};

async fn json(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK, "{:?}", response.url());
    response.json().await.unwrap()
}

fn events(page: &Value) -> &Vec<Value> {
    page["events"].as_array().unwrap()
}

fn of_type<'a>(events: &'a [Value], event_type: &str) -> &'a Value {
    events
        .iter()
        .find(|event| event["type"] == event_type)
        .unwrap_or_else(|| panic!("no {event_type} in {events:#?}"))
}

async fn my_events(server: &TestServer, reader: &Tokens) -> Vec<Value> {
    let page = json(
        server
            .as_user(Method::GET, "/v1/users/me/events", reader)
            .send()
            .await
            .unwrap(),
    )
    .await;
    events(&page).clone()
}

async fn a_failed_sign_in_a_password_change_and_a_grace_replay_show_in_the_users_activity(
    server: TestServer,
) {
    let user_id = server.register("ines@example.com").await;
    let owner = server.login("ines@example.com").await;
    let failed = server
        .client
        .post(server.url("/v1/auth/login"))
        .header("user-agent", FIREFOX_ON_WINDOWS)
        .header("x-forwarded-for", "198.51.100.66")
        .json(&json!({ "email": "ines@example.com", "password": "not the password" }))
        .send()
        .await
        .unwrap();
    expect_problem(failed, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let rotated = server
        .refresh_from(&owner.refresh, "203.0.113.7", CHROME_ON_MACOS)
        .await;
    let rotated = tokens(rotated.json().await.unwrap());
    let replay = server
        .refresh_from(&owner.refresh, "203.0.113.42", CHROME_ON_MACOS)
        .await;
    assert_eq!(replay.status(), StatusCode::OK);
    let changed = server
        .as_user(Method::PUT, "/v1/users/me/password", &rotated)
        .header("user-agent", CHROME_ON_MACOS)
        .header("x-forwarded-for", "203.0.113.8")
        .json(&json!({ "current_password": PASSWORD, "new_password": "a brand new passphrase" }))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);

    let activity = my_events(&server, &rotated).await;

    // The requests from other addresses than the sign-in's also recorded ip_changed.
    let types: Vec<&str> = activity
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .filter(|event_type| *event_type != "ip_changed")
        .collect();
    assert_eq!(
        types,
        [
            "password_changed",
            "refresh_replayed",
            "login_failed",
            "session_created"
        ],
        "newest first"
    );
    let failed = of_type(&activity, "login_failed");
    assert_eq!(failed["ip"], "198.51.100.66");
    assert_eq!(failed["user_agent"], FIREFOX_ON_WINDOWS);
    assert_eq!(failed["user_id"], user_id.as_str());
    assert_eq!(failed["session_id"], Value::Null);
    assert_eq!(
        failed["actor"],
        json!({ "type": "user", "session_id": null })
    );
    assert!(!failed.to_string().contains("not the password"));
    let changed = of_type(&activity, "password_changed");
    assert_eq!(changed["ip"], "203.0.113.8");
    assert_eq!(changed["user_agent"], CHROME_ON_MACOS);
    assert_eq!(changed["actor"]["session_id"], owner.session_id.as_str());
    let replayed = of_type(&activity, "refresh_replayed");
    assert_eq!(replayed["ip"], "203.0.113.42");
    assert_eq!(replayed["user_agent"], CHROME_ON_MACOS);
    assert_eq!(replayed["session_id"], owner.session_id.as_str());
    let created = of_type(&activity, "session_created");
    assert_eq!(created["ip"], "203.0.113.7");
    assert!(
        created["device"].as_str().unwrap().contains("Chrome"),
        "{created}"
    );
    assert_eq!(created["actor"]["session_id"], owner.session_id.as_str());
}

async fn a_users_activity_pages_and_holds_only_their_own_events(server: TestServer) {
    let alice = server.user("alice@example.com").await;
    let bob = server.user("bob@example.com").await;
    for _ in 0..3 {
        server.login("alice@example.com").await;
    }
    let first: Value = json(
        server
            .as_user(Method::GET, "/v1/users/me/events?limit=3", &alice)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: Value = json(
        server
            .as_user(
                Method::GET,
                &format!("/v1/users/me/events?limit=3&cursor={cursor}"),
                &alice,
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    // Four sign-ins, and the ip_changed of the first read from another address.
    assert_eq!(events(&first).len(), 3);
    assert_eq!(events(&second).len(), 2);
    assert_eq!(second["next_cursor"], Value::Null);
    let created = events(&first)
        .iter()
        .chain(events(&second))
        .filter(|event| event["type"] == "session_created")
        .count();
    assert_eq!(created, 4);
    let bobs = my_events(&server, &bob).await;
    assert!(bobs.iter().any(|event| event["type"] == "session_created"));
    assert!(
        bobs.iter()
            .all(|event| event["session_id"] == bob.session_id.as_str())
    );
    for bad in ["limit=0", "limit=501", "cursor=abc", "cursor=-1"] {
        let response = server
            .as_user(Method::GET, &format!("/v1/users/me/events?{bad}"), &alice)
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

async fn an_administrator_searches_by_type_network_account_and_time(server: TestServer) {
    let alice_id = server.register("alice@example.com").await;
    let alice = server.login("alice@example.com").await;
    server.register("bob@example.com").await;
    let bob = server
        .login_from("bob@example.com", FIREFOX_ON_WINDOWS, "198.51.100.20")
        .await;
    let bob = tokens(bob.json().await.unwrap());
    let nobody = server
        .login_from("nobody@example.com", FIREFOX_ON_WINDOWS, "198.51.100.21")
        .await;
    expect_problem(nobody, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let search = |query: &str| {
        server
            .as_admin(Method::GET, &format!("/v1/admin/events?{query}"))
            .send()
    };

    let network = json(search("ip=198.51.100.0/24").await.unwrap()).await;
    let types: Vec<&str> = events(&network)
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["login_failed", "session_created"]);
    assert_eq!(events(&network)[0]["data"]["account"], "nobody@example.com");
    assert_eq!(events(&network)[1]["session_id"], bob.session_id.as_str());
    let two_types = json(
        search("type=login_failed&type=session_created")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(events(&two_types).len(), 3);
    let alices = json(search(&format!("user_id={alice_id}")).await.unwrap()).await;
    assert_eq!(events(&alices).len(), 1);
    assert_eq!(events(&alices)[0]["session_id"], alice.session_id.as_str());
    let by_session = json(
        search(&format!("session_id={}", bob.session_id))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(events(&by_session).len(), 1);
    let future = json(search("since=2999-01-01T00:00:00Z").await.unwrap()).await;
    assert!(events(&future).is_empty());
    let past = json(search("until=2000-01-01T00:00:00Z").await.unwrap()).await;
    assert!(events(&past).is_empty());
    let paged = json(search("limit=2").await.unwrap()).await;
    let cursor = paged["next_cursor"].as_str().unwrap();
    let rest = json(search(&format!("limit=2&cursor={cursor}")).await.unwrap()).await;
    assert_eq!(events(&paged).len() + events(&rest).len(), 3);
    assert!(events(&paged)[1]["id"].as_i64() > events(&rest)[0]["id"].as_i64());

    for bad in [
        "type=nonsense",
        "ip=198.51.100.0/33",
        "ip=not-an-address",
        "since=yesterday",
        "user_id=42",
        "limit=501",
    ] {
        let response = search(bad).await.unwrap();
        expect_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        )
        .await;
    }
    let as_user = server
        .as_user(Method::GET, "/v1/admin/events", &alice)
        .send()
        .await
        .unwrap();
    expect_problem(as_user, StatusCode::FORBIDDEN, "forbidden").await;
}

async fn the_export_streams_every_matching_event_as_ndjson_oldest_first(server: TestServer) {
    for n in 0..3 {
        server.user(&format!("user{n}@example.com")).await;
    }
    let response = server
        .as_admin(Method::GET, "/v1/admin/events/export?type=session_created")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let body = response.text().await.unwrap();
    let lines: Vec<Value> = body
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|line| line["type"] == "session_created"));
    assert!(
        lines
            .windows(2)
            .all(|pair| pair[0]["id"].as_i64() < pair[1]["id"].as_i64())
    );
}

async fn incident_response_counts_then_revokes_exactly_the_matching_sessions(server: TestServer) {
    server.register("alice@example.com").await;
    server.register("bob@example.com").await;
    let mut botnet = Vec::new();
    for (email, ip) in [
        ("alice@example.com", "198.51.100.7"),
        ("bob@example.com", "198.51.100.8"),
        ("bob@example.com", "198.51.100.9"),
    ] {
        let response = server.login_from(email, FIREFOX_ON_WINDOWS, ip).await;
        botnet.push(tokens(response.json().await.unwrap()));
    }
    let elsewhere = server.login("alice@example.com").await;
    let same_net_other_browser = server
        .login_from("bob@example.com", CHROME_ON_MACOS, "198.51.100.10")
        .await;
    let same_net_other_browser = tokens(same_net_other_browser.json().await.unwrap());
    let filter = json!({ "ip": "198.51.100.0/24", "device": "firefox" });
    let revoke = |body: Value| {
        server
            .as_admin(Method::POST, "/v1/admin/sessions/revoke")
            .header("x-forwarded-for", "192.0.2.50")
            .json(&body)
            .send()
    };

    let mut dry = filter.clone();
    dry["dry_run"] = json!(true);
    let counted = json(revoke(dry).await.unwrap()).await;
    let real = json(revoke(filter.clone()).await.unwrap()).await;
    let again = json(revoke(filter).await.unwrap()).await;

    assert_eq!(counted["matched_count"], 3);
    assert_eq!(counted["revoked_count"], 0);
    assert_eq!(counted["incident_id"], Value::Null);
    assert_eq!(counted["sample"].as_array().unwrap().len(), 3);
    assert_eq!(real["revoked_count"], counted["matched_count"]);
    assert_eq!(
        (
            again["matched_count"].clone(),
            again["revoked_count"].clone()
        ),
        (json!(0), json!(0))
    );
    let incident = real["incident_id"].as_str().unwrap();
    for session in &botnet {
        let response = server
            .as_user(Method::GET, "/v1/sessions/current", session)
            .send()
            .await
            .unwrap();
        expect_problem(response, StatusCode::UNAUTHORIZED, "session_revoked").await;
    }
    for untouched in [&elsewhere, &same_net_other_browser] {
        let response = server
            .as_user(Method::GET, "/v1/sessions/current", untouched)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let recorded = json(
        server
            .as_admin(Method::GET, "/v1/admin/events?type=session_revoked")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(events(&recorded).len(), 3);
    for event in events(&recorded) {
        assert_eq!(event["incident_id"], incident);
        assert_eq!(event["actor"]["type"], "admin");
        assert_eq!(event["ip"], "192.0.2.50");
        assert_eq!(event["data"]["reason"], "admin");
    }
}

async fn an_incident_request_without_a_condition_or_with_a_misspelt_one_is_refused(
    server: TestServer,
) {
    let user = server.user("carol@example.com").await;
    for body in [
        json!({}),
        json!({ "dry_run": true }),
        json!({ "ips": "198.51.100.0/24" }),
        json!({ "ip": "198.51.100.0/24", "countri": "PT" }),
        json!({ "country": "Portugal" }),
        json!({ "device": "" }),
        json!({ "provider": "Not A Slug!" }),
        json!({ "ip": "999.1.1.1" }),
    ] {
        let response = server
            .as_admin(Method::POST, "/v1/admin/sessions/revoke")
            .json(&body)
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
    let response = server
        .as_user(Method::GET, "/v1/sessions/current", &user)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "nothing was revoked");
}

on_both_stores!(
    a_failed_sign_in_a_password_change_and_a_grace_replay_show_in_the_users_activity,
    a_users_activity_pages_and_holds_only_their_own_events,
    an_administrator_searches_by_type_network_account_and_time,
    the_export_streams_every_matching_event_as_ndjson_oldest_first,
    incident_response_counts_then_revokes_exactly_the_matching_sessions,
    an_incident_request_without_a_condition_or_with_a_misspelt_one_is_refused,
);
