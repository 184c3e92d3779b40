//! Malformed input to every route: always a 4xx problem+json, never a 5xx.

use reqwest::{Method, RequestBuilder, StatusCode};

use crate::support::server::{
    ADMIN_TOKEN, SERVICE_TOKEN, ServerOptions, TestServer, Tokens, spawn_server,
};

/// Who calls a route.
#[derive(Clone, Copy)]
enum Caller {
    Anonymous,
    User,
    Admin,
    Service,
}

/// Every route (`{id}` and `{user_id}` filled in by the test).
const ROUTES: [(&str, &str, Caller); 24] = [
    ("GET", "/healthz", Caller::Anonymous),
    ("GET", "/readyz", Caller::Anonymous),
    ("GET", "/metrics", Caller::Anonymous),
    ("GET", "/openapi.json", Caller::Anonymous),
    ("POST", "/v1/users", Caller::Anonymous),
    ("POST", "/v1/auth/login", Caller::Anonymous),
    ("POST", "/v1/auth/refresh", Caller::Anonymous),
    ("POST", "/v1/auth/logout", Caller::User),
    ("PUT", "/v1/users/me/password", Caller::User),
    ("GET", "/v1/sessions", Caller::User),
    ("GET", "/v1/sessions/current", Caller::User),
    ("GET", "/v1/sessions/{id}", Caller::User),
    ("DELETE", "/v1/sessions/{id}", Caller::User),
    ("DELETE", "/v1/sessions", Caller::User),
    ("PUT", "/v1/sessions/{id}/trust", Caller::User),
    ("DELETE", "/v1/sessions/{id}/trust", Caller::User),
    ("GET", "/v1/sessions/{id}/events", Caller::User),
    ("POST", "/v1/introspect", Caller::Service),
    ("GET", "/v1/admin/users/{user_id}/sessions", Caller::Admin),
    (
        "DELETE",
        "/v1/admin/users/{user_id}/sessions",
        Caller::Admin,
    ),
    ("DELETE", "/v1/admin/sessions/{id}", Caller::Admin),
    (
        "PUT",
        "/v1/admin/users/{user_id}/session-limit",
        Caller::Admin,
    ),
    ("DELETE", "/v1/admin/users/{user_id}", Caller::Admin),
    ("POST", "/v1/admin/sessions/cleanup", Caller::Admin),
];

fn request(
    server: &TestServer,
    user: &Tokens,
    (method, path, caller): (&str, &str, Caller),
    id: &str,
) -> RequestBuilder {
    let path = path.replace("{id}", id).replace("{user_id}", id);
    let builder = server.client.request(
        Method::from_bytes(method.as_bytes()).unwrap(),
        server.url(&path),
    );
    match caller {
        Caller::Anonymous => builder,
        Caller::User => builder.bearer_auth(&user.access),
        Caller::Admin => builder.bearer_auth(ADMIN_TOKEN),
        Caller::Service => builder.bearer_auth(SERVICE_TOKEN),
    }
}

/// Sends `builder`; the answer must not be a 5xx, and an error must be problem+json.
async fn assert_handled(builder: RequestBuilder, what: &str) {
    let response = builder.send().await.unwrap();
    let status = response.status();
    assert!(!status.is_server_error(), "{what}: {status}");
    if status.is_client_error() {
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(content_type, "application/problem+json", "{what}: {status}");
    }
}

#[tokio::test]
async fn malformed_input_to_every_route_is_a_4xx_problem_never_a_5xx() {
    let server = spawn_server(&ServerOptions::default()).await;
    let user = server.user("fuzz@example.com").await;
    let valid_id = user.session_id.clone();
    let huge = format!("{{\"email\": \"{}\"}}", "a".repeat(70 * 1024));
    let bodies = [
        ("bad JSON", "{\"email\": ".to_owned()),
        ("wrong types", "{\"email\": 1, \"password\": [], \"token\": {}, \"refresh_token\": false, \"max_sessions\": \"x\", \"reason\": 5}".to_owned()),
        ("not an object", "[1, 2, 3]".to_owned()),
        ("huge body", huge.clone()),
    ];
    for route in ROUTES {
        for (label, body) in &bodies {
            let what = format!("{} {} with {label}", route.0, route.1);
            let builder = request(&server, &user, route, &valid_id)
                .header("content-type", "application/json")
                .body(body.clone());
            assert_handled(builder, &what).await;
        }
        for bad_id in [
            "not-a-uuid",
            "1234",
            "%00",
            "00000000-0000-0000-0000-00000000000g",
        ] {
            let what = format!("{} {} with id {bad_id}", route.0, route.1);
            assert_handled(request(&server, &user, route, bad_id), &what).await;
        }
        let what = format!("{} {} with a bad X-Forwarded-For", route.0, route.1);
        let forwarded = request(&server, &user, route, &valid_id)
            .header("x-forwarded-for", "999.999.1.1, nonsense");
        assert_handled(forwarded, &what).await;
        let what = format!("{} {} with a 10 KB user agent", route.0, route.1);
        let long_agent =
            request(&server, &user, route, &valid_id).header("user-agent", "A".repeat(10 * 1024));
        assert_handled(long_agent, &what).await;
    }
}

#[tokio::test]
async fn a_body_over_64_kib_is_413_and_a_bad_forwarded_for_400() {
    let server = spawn_server(&ServerOptions::default()).await;
    let huge = format!(
        "{{\"email\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(70 * 1024)
    );
    let response = server
        .client
        .post(server.url("/v1/users"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let response = server
        .client
        .post(server.url("/v1/auth/login"))
        .header("x-forwarded-for", "not-an-ip")
        .json(&serde_json::json!({ "email": "a@example.com", "password": "whatever password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_10_kb_user_agent_is_stored_as_its_first_512_characters() {
    let server = spawn_server(&ServerOptions::default()).await;
    server.register("ua@example.com").await;
    let response = server
        .login_from("ua@example.com", &"B".repeat(10 * 1024), "203.0.113.7")
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["session"]["user_agent"].as_str().unwrap().len(), 512);
}

#[tokio::test]
async fn every_bearer_route_without_a_token_is_401_and_every_admin_route_refuses_the_service_token()
{
    let server = spawn_server(&ServerOptions::default()).await;
    let user = server.user("guard@example.com").await;
    for route in ROUTES {
        let (method, path, caller) = route;
        let path = path
            .replace("{id}", &user.session_id)
            .replace("{user_id}", &user.session_id);
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        match caller {
            Caller::User | Caller::Admin | Caller::Service => {
                let response = server
                    .client
                    .request(method.clone(), server.url(&path))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    response.status(),
                    StatusCode::UNAUTHORIZED,
                    "{method} {path}"
                );
                assert_eq!(response.headers()["www-authenticate"], "Bearer");
            }
            Caller::Anonymous => {}
        }
        if let Caller::Admin = caller {
            let response = server
                .client
                .request(method.clone(), server.url(&path))
                .bearer_auth(SERVICE_TOKEN)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
        }
    }
}

/// Sends `request` as raw bytes and reads the whole answer (the server closes after it).
async fn raw_exchange(server: &TestServer, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let mut answer = Vec::new();
    let read = async {
        let mut buffer = [0_u8; 4096];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => answer.extend_from_slice(&buffer[..read]),
            }
        }
    };
    // Read while writing: the server answers an oversized head, and closes, before it has
    // read all of it.
    let write = async {
        let _ = writer.write_all(request).await;
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        tokio::join!(read, write);
    })
    .await
    .expect("the server closes the connection after its answer");
    String::from_utf8(answer).unwrap()
}

#[tokio::test]
async fn requests_the_http_layer_cannot_parse_get_a_problem_too() {
    let server = spawn_server(&ServerOptions::default()).await;
    let many_headers = "x-many: 1\r\n".repeat(200);
    let cases = [
        (
            "a garbage request line",
            b"\x01\x02 nonsense\r\n\r\n".to_vec(),
            400,
            "invalid_request",
        ),
        (
            "a non-numeric Content-Length",
            b"POST /v1/auth/login HTTP/1.1\r\nhost: x\r\ncontent-length: ten\r\n\r\n".to_vec(),
            400,
            "invalid_request",
        ),
        (
            "a 1 MB header",
            format!(
                "GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
                "a".repeat(1 << 20)
            )
            .into_bytes(),
            431,
            "header_fields_too_large",
        ),
        (
            "200 headers",
            format!("GET /healthz HTTP/1.1\r\nhost: x\r\n{many_headers}\r\n").into_bytes(),
            431,
            "header_fields_too_large",
        ),
    ];
    for (what, request, status, code) in cases {
        let answer = raw_exchange(&server, &request).await;
        let (head, body) = answer
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("{what}: no complete answer: {answer:?}"));
        assert!(
            head.starts_with(&format!("HTTP/1.1 {status} ")),
            "{what}: {head}"
        );
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/problem+json"),
            "{what}: {head}"
        );
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["code"], code, "{what}");
        assert_eq!(problem["status"], status, "{what}");
    }
    // The service is unharmed: the next connection is served as usual.
    let healthy = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(healthy.status(), StatusCode::OK);
}
