//! The admin API over HTTP.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::server::{SERVICE_TOKEN, ServerOptions, expect_problem, spawn_server};

#[tokio::test]
async fn admin_routes_answer_401_without_and_403_with_the_wrong_credential() {
    let server = spawn_server(&ServerOptions::default()).await;
    let user = server.user("uma@example.com").await;
    let path = "/v1/admin/sessions/cleanup";
    let none = server.client.post(server.url(path)).send().await.unwrap();
    expect_problem(none, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let unknown = server
        .client
        .post(server.url(path))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    expect_problem(unknown, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let service = server
        .client
        .post(server.url(path))
        .bearer_auth(SERVICE_TOKEN)
        .send()
        .await
        .unwrap();
    expect_problem(service, StatusCode::FORBIDDEN, "forbidden").await;
    let user_token = server
        .as_user(Method::POST, path, &user)
        .send()
        .await
        .unwrap();
    expect_problem(user_token, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn an_admin_lists_any_users_sessions_including_ended_ones() {
    let server = spawn_server(&ServerOptions::default()).await;
    let user_id = server.register("vera@example.com").await;
    let first = server.login("vera@example.com").await;
    let second = server.login("vera@example.com").await;
    server
        .as_user(Method::POST, "/v1/auth/logout", &first)
        .send()
        .await
        .unwrap();
    let path = format!("/v1/admin/users/{user_id}/sessions");

    let active: Value = server
        .as_admin(Method::GET, &path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let all: Value = server
        .as_admin(Method::GET, &format!("{path}?active_only=false"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(active["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(active["sessions"][0]["id"], second.session_id.as_str());
    assert_eq!(active["sessions"][0]["is_current"], false);
    assert_eq!(all["sessions"].as_array().unwrap().len(), 2);
    assert_eq!(all["next_cursor"], Value::Null);
    let unknown = server
        .as_admin(
            Method::GET,
            &format!("/v1/admin/users/{}/sessions", uuid::Uuid::now_v7()),
        )
        .send()
        .await
        .unwrap();
    expect_problem(unknown, StatusCode::NOT_FOUND, "user_not_found").await;
}

#[tokio::test]
async fn an_admin_revokes_all_of_a_users_sessions_with_a_reason_or_admin() {
    let server = spawn_server(&ServerOptions::default()).await;
    let user_id = server.register("walt@example.com").await;
    let first = server.login("walt@example.com").await;
    server.login("walt@example.com").await;
    let path = format!("/v1/admin/users/{user_id}/sessions");

    let bad = server
        .as_admin(Method::DELETE, &path)
        .json(&json!({ "reason": "bored" }))
        .send()
        .await
        .unwrap();
    expect_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request").await;
    let with_reason: Value = server
        .as_admin(Method::DELETE, &path)
        .json(&json!({ "reason": "suspicious_activity" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(with_reason, json!({ "revoked_count": 2 }));
    let session: Value = server
        .as_admin(Method::GET, &format!("{path}?active_only=false"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        session["sessions"][0]["revoked_reason"],
        "suspicious_activity"
    );

    server.login("walt@example.com").await;
    let default_reason: Value = server
        .as_admin(Method::DELETE, &path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(default_reason, json!({ "revoked_count": 1 }));
    // The document allows a JSON `null` body, and `{"reason": null}`: both mean `admin`.
    for body in [json!(null), json!({ "reason": null })] {
        server.login("walt@example.com").await;
        let revoked: Value = server
            .as_admin(Method::DELETE, &path)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(revoked, json!({ "revoked_count": 1 }), "{body}");
    }
    let after = server
        .as_user(Method::GET, "/v1/sessions/current", &first)
        .send()
        .await
        .unwrap();
    expect_problem(after, StatusCode::UNAUTHORIZED, "session_revoked").await;
    let unknown = server
        .as_admin(
            Method::DELETE,
            &format!("/v1/admin/users/{}/sessions", uuid::Uuid::now_v7()),
        )
        .send()
        .await
        .unwrap();
    expect_problem(unknown, StatusCode::NOT_FOUND, "user_not_found").await;
}

#[tokio::test]
async fn an_admin_revokes_one_session_with_reason_admin() {
    let server = spawn_server(&ServerOptions::default()).await;
    let user = server.user("xena@example.com").await;
    let path = format!("/v1/admin/sessions/{}", user.session_id);
    let revoked = server.as_admin(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let after = server
        .as_user(Method::GET, "/v1/sessions/current", &user)
        .send()
        .await
        .unwrap();
    expect_problem(after, StatusCode::UNAUTHORIZED, "session_revoked").await;
    let unknown = server
        .as_admin(
            Method::DELETE,
            &format!("/v1/admin/sessions/{}", uuid::Uuid::now_v7()),
        )
        .send()
        .await
        .unwrap();
    expect_problem(unknown, StatusCode::NOT_FOUND, "session_not_found").await;
}

#[tokio::test]
async fn an_admin_sets_and_clears_a_session_limit() {
    let server = spawn_server(&ServerOptions::default()).await;
    let user_id = server.register("yuri@example.com").await;
    let path = format!("/v1/admin/users/{user_id}/session-limit");
    for (body, expected) in [
        (json!({ "max_sessions": 3 }), json!({ "max_sessions": 3 })),
        (json!({ "max_sessions": 0 }), json!({ "max_sessions": 0 })),
        (
            json!({ "max_sessions": null }),
            json!({ "max_sessions": null }),
        ),
        // JSON Schema's integer: a number without a fractional part.
        (json!({ "max_sessions": 5.0 }), json!({ "max_sessions": 5 })),
        (
            json!({ "max_sessions": 1_000_000 }),
            json!({ "max_sessions": 1_000_000 }),
        ),
    ] {
        let response: Value = server
            .as_admin(Method::PUT, &path)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(response, expected);
    }
    for bad in [
        json!({ "max_sessions": -1 }),
        json!({}),
        json!({ "max_sessions": "3" }),
        json!({ "max_sessions": 2.5 }),
        // Past the largest limit, and past what a 32-bit column would hold: refused, never
        // stored as some other number.
        json!({ "max_sessions": 1_000_001 }),
        json!({ "max_sessions": 2_147_483_648_u64 }),
        json!({ "max_sessions": 1e30 }),
    ] {
        let response = server
            .as_admin(Method::PUT, &path)
            .json(&bad)
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
    let unknown = server
        .as_admin(
            Method::PUT,
            &format!("/v1/admin/users/{}/session-limit", uuid::Uuid::now_v7()),
        )
        .json(&json!({ "max_sessions": 1 }))
        .send()
        .await
        .unwrap();
    expect_problem(unknown, StatusCode::NOT_FOUND, "user_not_found").await;
}

#[tokio::test]
async fn deleting_a_user_takes_their_sessions_with_them() {
    let server = spawn_server(&ServerOptions::default()).await;
    let user_id = server.register("zoe@example.com").await;
    let tokens = server.login("zoe@example.com").await;
    let path = format!("/v1/admin/users/{user_id}");
    let deleted = server.as_admin(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let after = server
        .as_user(Method::GET, "/v1/sessions/current", &tokens)
        .send()
        .await
        .unwrap();
    expect_problem(after, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let again = server.as_admin(Method::DELETE, &path).send().await.unwrap();
    expect_problem(again, StatusCode::NOT_FOUND, "user_not_found").await;
}

#[tokio::test]
async fn cleanup_deletes_sessions_ended_before_the_retention() {
    let server = spawn_server(&ServerOptions::default()).await;
    let user = server.user("abe@example.com").await;
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '8 days' WHERE id = $1::uuid")
        .bind(&user.session_id)
        .execute(server.postgres().pool())
        .await
        .unwrap();
    let body: Value = server
        .as_admin(Method::POST, "/v1/admin/sessions/cleanup")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body, json!({ "deleted": 1 }));
}
