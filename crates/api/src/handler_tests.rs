//! Handler-level tests: the router over a mocked service, driven with `oneshot` (no socket).
//! They pin down the one mapping from use-case errors and extractor rejections to problems.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    Router,
    body::Body,
    extract::connect_info::MockConnectInfo,
    http::{Request, StatusCode, header},
};
use chrono::{TimeDelta, Utc};
use serde_json::Value;
use sessions_application::{
    AccessClaims, MockSessionService, SecretToken, SessionPage, SessionView,
    ports::{HashingError, StoreError},
    use_cases::{
        AuthenticateError, Authenticated, LoginError, RefreshError, RegisterError, TrustError,
    },
};
use sessions_domain::{
    InvalidPassword, NewSession, RefreshTokenId, Session, SessionId, SessionInactive,
    SessionPolicy, SessionStatus, Throttled, TouchOutcome, TouchWrite, UserId,
};
use tower::ServiceExt;
use uuid::Uuid;

use crate::{
    AppState, CsrfKey, HttpSettings, PageSettings, Secret, install_metrics_recorder, router,
    store_status,
};

fn app(service: MockSessionService) -> Router {
    let settings = HttpSettings {
        admin_token: Secret::new("admin-secret".into()),
        service_token: Secret::new("service-secret".into()),
        trusted_proxies: Vec::new(),
        country_header: None,
        metrics_token: None,
        metrics_listener: false,
        jwks_max_age: std::time::Duration::from_secs(300),
        pages: PageSettings {
            public_origin: None,
            sign_up: true,
            csrf_key: CsrfKey::new([0; 32]),
        },
    };
    let (store, _unprobed) = store_status();
    let state = AppState::new(
        Arc::new(service),
        settings,
        install_metrics_recorder(),
        store,
    );
    router(state).layer(MockConnectInfo(SocketAddr::from(([203, 0, 113, 7], 4000))))
}

fn json_request(method: &str, uri: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn bearer_request(method: &str, uri: &str, token: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

/// Sends `request`; returns the status, the content type and the body as JSON.
async fn send(app: Router, request: Request<Body>) -> (StatusCode, String, Value) {
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, content_type, body)
}

fn assert_problem(
    (status, content_type, body): &(StatusCode, String, Value),
    expected: StatusCode,
    code: &str,
) {
    assert_eq!(*status, expected, "{body}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], expected.as_u16());
    assert_eq!(body["type"], format!("/problems/{code}"));
    assert!(body["title"].is_string() && body["detail"].is_string());
}

const LOGIN: &str = r#"{"email": "alice@example.com", "password": "correct horse battery"}"#;

#[tokio::test]
async fn invalid_credentials_are_a_401_with_www_authenticate() {
    let mut service = MockSessionService::new();
    service
        .expect_login()
        .times(1)
        .returning(|_, _| Err(LoginError::InvalidCredentials));
    let response = app(service)
        .oneshot(json_request("POST", "/v1/auth/login", LOGIN))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
}

#[tokio::test]
async fn a_throttled_login_is_429_and_an_overloaded_hasher_503_each_with_retry_after() {
    for (error, status, code, seconds) in [
        (
            LoginError::Throttled(Throttled {
                retry_after: TimeDelta::milliseconds(61_500),
            }),
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "62",
        ),
        (
            LoginError::Hashing(HashingError::Overloaded {
                retry_after: std::time::Duration::from_millis(300),
            }),
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "1",
        ),
    ] {
        let mut service = MockSessionService::new();
        let mut error = Some(error);
        service
            .expect_login()
            .times(1)
            .returning(move |_, _| Err(error.take().unwrap()));
        let response = app(service)
            .oneshot(json_request("POST", "/v1/auth/login", LOGIN))
            .await
            .unwrap();
        assert_eq!(response.headers()[header::RETRY_AFTER], seconds);
        let content_type = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        let status_sent = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = serde_json::from_slice(&body).unwrap();
        assert_problem(&(status_sent, content_type, body), status, code);
    }
}

#[tokio::test]
async fn a_login_passes_its_device_token_to_the_use_case() {
    let mut service = MockSessionService::new();
    service
        .expect_login()
        .withf(|credentials, _| {
            credentials.device_token.as_ref().map(SecretToken::expose) == Some("device-1")
        })
        .times(1)
        .returning(|_, _| Err(LoginError::InvalidCredentials));
    let body = r#"{"email": "a@example.com", "password": "x", "device_token": "device-1"}"#;
    let response = send(app(service), json_request("POST", "/v1/auth/login", body)).await;
    assert_problem(&response, StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test]
async fn a_taken_email_is_409_and_a_short_password_422() {
    let mut service = MockSessionService::new();
    let mut calls = 0;
    service.expect_register().times(2).returning(move |_, _| {
        calls += 1;
        Err(if calls == 1 {
            RegisterError::EmailTaken
        } else {
            RegisterError::InvalidPassword(InvalidPassword::TooShort)
        })
    });
    let app = app(service);
    let taken = send(app.clone(), json_request("POST", "/v1/users", LOGIN)).await;
    assert_problem(&taken, StatusCode::CONFLICT, "email_taken");
    let short = send(app, json_request("POST", "/v1/users", LOGIN)).await;
    assert_problem(&short, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
}

#[tokio::test]
async fn refresh_errors_keep_their_codes() {
    for (error, code) in [
        (RefreshError::InvalidRefreshToken, "invalid_refresh_token"),
        (RefreshError::SessionRevoked, "session_revoked"),
        (RefreshError::SessionExpired, "session_expired"),
        (RefreshError::RefreshTokenReuse, "refresh_token_reuse"),
    ] {
        let mut service = MockSessionService::new();
        let mut error = Some(error);
        service
            .expect_refresh()
            .times(1)
            .returning(move |_, _| Err(error.take().unwrap()));
        let response = send(
            app(service),
            json_request("POST", "/v1/auth/refresh", r#"{"refresh_token": "x"}"#),
        )
        .await;
        assert_problem(&response, StatusCode::UNAUTHORIZED, code);
    }
}

#[tokio::test]
async fn a_bearer_route_without_a_token_is_401_unauthorized() {
    let response = send(
        app(MockSessionService::new()),
        Request::get("/v1/sessions").body(Body::empty()).unwrap(),
    )
    .await;
    assert_problem(&response, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn a_revoked_session_is_401_session_revoked() {
    let mut service = MockSessionService::new();
    service
        .expect_authenticate()
        .withf(|token, client| token == "access" && client.ip.to_string() == "203.0.113.7")
        .times(1)
        .returning(|_, _| Err(AuthenticateError::SessionRevoked));
    let response = send(
        app(service),
        bearer_request("GET", "/v1/sessions/current", "access"),
    )
    .await;
    assert_problem(&response, StatusCode::UNAUTHORIZED, "session_revoked");
}

#[tokio::test]
async fn a_store_failure_is_503_and_a_hashing_failure_an_opaque_500() {
    let mut service = MockSessionService::new();
    service.expect_register().times(1).returning(|_, _| {
        Err(RegisterError::Store(StoreError::new(
            std::io::Error::other("connection refused to 10.1.2.3"),
        )))
    });
    let unavailable = send(app(service), json_request("POST", "/v1/users", LOGIN)).await;
    assert_problem(
        &unavailable,
        StatusCode::SERVICE_UNAVAILABLE,
        "store_unavailable",
    );
    assert!(!unavailable.2.to_string().contains("10.1.2.3"));

    let mut service = MockSessionService::new();
    service.expect_register().times(1).returning(|_, _| {
        Err(RegisterError::Hashing(HashingError::Failed(
            "argon2 exploded".into(),
        )))
    });
    let internal = send(app(service), json_request("POST", "/v1/users", LOGIN)).await;
    assert_problem(
        &internal,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
    );
    assert!(!internal.2.to_string().contains("exploded"));
}

/// A successful authentication of session 1 of user 2.
fn authenticated() -> Authenticated {
    let now = Utc::now();
    let (session, _) = Session::start(
        NewSession {
            id: SessionId::from_uuid(Uuid::from_u128(1)),
            user_id: UserId::from_uuid(Uuid::from_u128(2)),
            device_info: None,
            user_agent: None,
            ip_address: "203.0.113.7".parse().unwrap(),
            location: None,
            refresh_token_id: RefreshTokenId::from_uuid(Uuid::from_u128(3)),
            new_device: None,
        },
        &SessionPolicy::default(),
        now,
    );
    Authenticated {
        claims: AccessClaims {
            user_id: session.user_id(),
            session_id: session.id(),
            issued_at: now,
            expires_at: now + TimeDelta::minutes(15),
        },
        touch: TouchOutcome {
            write: TouchWrite::Nothing,
            ip_change: None,
            suspicious: None,
            revoked: false,
            events: Vec::new(),
        },
        session,
    }
}

#[tokio::test]
async fn trusting_an_inactive_session_is_409_session_inactive() {
    let mut service = MockSessionService::new();
    service
        .expect_authenticate()
        .returning(|_, _| Ok(authenticated()));
    service
        .expect_set_trusted()
        .withf(|user, current, target, trusted, _caller| {
            *user == UserId::from_uuid(Uuid::from_u128(2))
                && *current == Some(SessionId::from_uuid(Uuid::from_u128(1)))
                && target.as_uuid() == Uuid::from_u128(9)
                && *trusted
        })
        .times(1)
        .returning(|_, _, _, _, _| {
            Err(TrustError::SessionInactive(SessionInactive {
                status: SessionStatus::Expired,
            }))
        });
    let uri = format!("/v1/sessions/{}/trust", Uuid::from_u128(9));
    let response = send(app(service), bearer_request("PUT", &uri, "access")).await;
    assert_problem(&response, StatusCode::CONFLICT, "session_inactive");
}

#[tokio::test]
async fn the_current_session_is_shown_with_every_field_and_nulls() {
    let mut service = MockSessionService::new();
    service
        .expect_authenticate()
        .returning(|_, _| Ok(authenticated()));
    let (status, _, body) = send(
        app(service),
        bearer_request("GET", "/v1/sessions/current", "access"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["ip_address"], "203.0.113.7");
    assert_eq!(body["is_current"], true);
    assert_eq!(body["is_active"], true);
    for nullable in [
        "device_info",
        "user_agent",
        "location",
        "revoked_at",
        "revoked_reason",
    ] {
        assert!(
            body[nullable].is_null(),
            "{nullable} missing or not null: {body}"
        );
        assert!(body.as_object().unwrap().contains_key(nullable));
    }
    assert!(body.get("refresh_token_id").is_none());
}

#[tokio::test]
async fn listing_authenticates_then_lists_the_callers_sessions() {
    let mut service = MockSessionService::new();
    service
        .expect_authenticate()
        .withf(|token, client| token == "access" && client.ip.to_string() == "203.0.113.7")
        .times(1)
        .returning(|_, _| Ok(authenticated()));
    service
        .expect_list_sessions()
        .withf(|current, listing| {
            current.id() == authenticated().session.id()
                && listing.page_size.get() == 5
                && !listing.active_only
        })
        .times(1)
        .returning(|_, _| {
            Ok(SessionPage {
                sessions: vec![SessionView {
                    session: authenticated().session,
                    is_current: true,
                    is_active: true,
                }],
                next_cursor: None,
            })
        });
    let (status, _, body) = send(
        app(service),
        bearer_request("GET", "/v1/sessions?limit=5&active_only=false", "access"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sessions"][0]["is_current"], true);
    assert!(body["next_cursor"].is_null());
}

#[tokio::test]
async fn listing_with_a_revoked_session_is_401_session_revoked() {
    let mut service = MockSessionService::new();
    service
        .expect_authenticate()
        .times(1)
        .returning(|_, _| Err(AuthenticateError::SessionRevoked));
    service.expect_list_sessions().never();
    let response = send(
        app(service),
        bearer_request("GET", "/v1/sessions", "access"),
    )
    .await;
    assert_problem(&response, StatusCode::UNAUTHORIZED, "session_revoked");
}

#[tokio::test]
async fn a_bad_listing_query_is_422_but_only_after_authentication() {
    let mut service = MockSessionService::new();
    service
        .expect_authenticate()
        .times(1)
        .returning(|_, _| Ok(authenticated()));
    service.expect_list_sessions().never();
    let response = send(
        app(service),
        bearer_request("GET", "/v1/sessions?limit=0", "access"),
    )
    .await;
    assert_problem(
        &response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );

    let mut service = MockSessionService::new();
    service
        .expect_authenticate()
        .times(1)
        .returning(|_, _| Err(AuthenticateError::SessionExpired));
    service.expect_list_sessions().never();
    let response = send(
        app(service),
        bearer_request("GET", "/v1/sessions?limit=many", "access"),
    )
    .await;
    assert_problem(&response, StatusCode::UNAUTHORIZED, "session_expired");
}

#[tokio::test]
async fn malformed_bodies_are_400_422_415_and_413() {
    let app = app(MockSessionService::new());
    let syntax = send(app.clone(), json_request("POST", "/v1/users", "{not json")).await;
    assert_problem(&syntax, StatusCode::BAD_REQUEST, "invalid_request");
    let unknown_field = send(
        app.clone(),
        json_request(
            "POST",
            "/v1/users",
            r#"{"email": "a@example.com", "password": "correct horse", "admin": true}"#,
        ),
    )
    .await;
    assert_problem(
        &unknown_field,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let wrong_type = send(
        app.clone(),
        json_request("POST", "/v1/users", r#"{"email": 5, "password": []}"#),
    )
    .await;
    assert_problem(
        &wrong_type,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let no_content_type = send(
        app.clone(),
        Request::post("/v1/users").body(Body::from(LOGIN)).unwrap(),
    )
    .await;
    assert_problem(
        &no_content_type,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let huge = format!(r#"{{"email": "{}", "password": "x"}}"#, "a".repeat(70_000));
    let too_large = send(app, json_request("POST", "/v1/users", &huge)).await;
    assert_problem(
        &too_large,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
}

#[tokio::test]
async fn admin_routes_tell_unknown_credentials_from_wrong_ones() {
    let mut service = MockSessionService::new();
    service
        .expect_recognizes_access_token()
        .returning(|token| token == "user-access-token");
    let app = app(service);
    let cleanup = |token: &str| bearer_request("POST", "/v1/admin/sessions/cleanup", token);
    let none = send(
        app.clone(),
        Request::post("/v1/admin/sessions/cleanup")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_problem(&none, StatusCode::UNAUTHORIZED, "unauthorized");
    let unknown = send(app.clone(), cleanup("guess")).await;
    assert_problem(&unknown, StatusCode::UNAUTHORIZED, "unauthorized");
    let service_token = send(app.clone(), cleanup("service-secret")).await;
    assert_problem(&service_token, StatusCode::FORBIDDEN, "forbidden");
    let user_token = send(app, cleanup("user-access-token")).await;
    assert_problem(&user_token, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn a_path_id_that_is_not_a_uuid_is_422() {
    let mut service = MockSessionService::new();
    service.expect_recognizes_access_token().never();
    let response = send(
        app(service),
        bearer_request("DELETE", "/v1/admin/sessions/not-a-uuid", "admin-secret"),
    )
    .await;
    assert_problem(
        &response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems_too() {
    let app = app(MockSessionService::new());
    let missing = send(
        app.clone(),
        Request::get("/v2/nothing").body(Body::empty()).unwrap(),
    )
    .await;
    assert_problem(&missing, StatusCode::NOT_FOUND, "not_found");
    let wrong_method = send(
        app,
        Request::patch("/v1/users").body(Body::empty()).unwrap(),
    )
    .await;
    assert_problem(
        &wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_a_given_one() {
    let app = app(MockSessionService::new());
    let generated = app
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(generated.headers().contains_key("x-request-id"));
    let echoed = app
        .oneshot(
            Request::get("/healthz")
                .header("x-request-id", "req-123")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "req-123");
}

#[tokio::test]
async fn a_metrics_scrape_costs_the_store_nothing() {
    let mut service = MockSessionService::new();
    service.expect_count_active_sessions().never();
    let response = app(service)
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// A form post to a page route, as a browser at `origin` sends it to the development address.
fn page_form(uri: &str, origin: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, origin)
        .header(header::COOKIE, "session=stolen-or-stale")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

async fn page(app: Router, request: Request<Body>) -> (StatusCode, Option<String>, String) {
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|value| value.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, location, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn a_form_from_another_origin_is_refused_before_any_use_case_runs() {
    // The mock expects nothing: any use case called would fail the test.
    let app = app(MockSessionService::new());
    for path in [
        "/sign-in",
        "/sign-up",
        "/sign-out",
        "/account/sessions/sign-out-others",
        "/account/password",
    ] {
        let request = page_form(
            path,
            "http://127.0.0.1:9999",
            "csrf=x&email=a%40b.c&password=p",
        );
        let (status, _, html) = page(app.clone(), request).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(html.contains("Nothing was changed"), "{path}");
    }
}

#[tokio::test]
async fn an_account_page_without_a_session_cookie_leads_to_sign_in_without_any_use_case() {
    let app = app(MockSessionService::new());
    let request = Request::builder()
        .uri("/account/sessions")
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::empty())
        .unwrap();
    let (status, location, _) = page(app, request).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/"));
}

#[tokio::test]
async fn a_throttled_sign_in_form_says_when_to_try_again_in_minutes() {
    let mut service = MockSessionService::new();
    service.expect_login().times(1).returning(|_, _| {
        Err(LoginError::Throttled(Throttled {
            retry_after: TimeDelta::seconds(110),
        }))
    });
    let request = page_form(
        "/sign-in",
        "http://127.0.0.1:8080",
        "email=alice%40example.com&password=guess",
    );
    let (status, _, html) = page(app(service), request).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        html.contains("Too many attempts, try again in 2 minutes."),
        "{html}"
    );
    assert!(html.contains(r#"value="alice@example.com""#));
}
