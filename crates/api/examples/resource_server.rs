//! A resource service that trusts the access tokens of a `sessions` deployment.
//!
//! It verifies each token offline, against the deployment's published keys
//! (`/.well-known/jwks.json`), with the `jsonwebtoken` crate: no call per request. It fetches
//! the key set again when a token names a key it does not know (a rotation), at most once
//! a second. Offline verification sees a revocation only when the token expires (the
//! access-token lifetime, 15 minutes by default); where that is too late, the route asks
//! `POST /v1/introspect`, which sees it at once.
//!
//! ```text
//! SESSIONS_URL=http://127.0.0.1:8080 SESSIONS_SERVICE_TOKEN=… \
//!   cargo run -p sessions-api --example resource_server
//! curl -H "authorization: Bearer $ACCESS" http://127.0.0.1:8081/whoami            # offline
//! curl -H "authorization: Bearer $ACCESS" "http://127.0.0.1:8081/whoami?fresh=true" # + introspect
//! ```
//!
//! Settings (environment): `SESSIONS_URL` (default `http://127.0.0.1:8080`),
//! `SESSIONS_SERVICE_TOKEN` (for introspection), `RESOURCE_BIND` (default `127.0.0.1:8081`),
//! `TOKEN_AUDIENCE` (when the deployment sets `SESSIONS_TOKEN_AUDIENCE`).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    routing::get,
};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::RwLock;

/// The claims a `sessions` access token carries.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    sid: String,
    exp: i64,
}

/// The deployment's published keys, as last fetched.
struct Keys {
    set: JwkSet,
    fetched: Instant,
}

struct Service {
    sessions_url: String,
    introspection_token: Option<String>,
    audience: Option<String>,
    http: reqwest::Client,
    keys: RwLock<Keys>,
}

impl Service {
    async fn fetch_keys(&self) -> Result<JwkSet, reqwest::Error> {
        self.http
            .get(format!("{}/.well-known/jwks.json", self.sessions_url))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    }

    /// The key named `kid`: from the cached set, or from a fresh one if the cache is over
    /// a second old (a rotation published it since).
    async fn key(&self, kid: &str) -> Option<DecodingKey> {
        if let Some(jwk) = self.keys.read().await.set.find(kid) {
            return DecodingKey::from_jwk(jwk).ok();
        }
        let mut keys = self.keys.write().await;
        if keys.fetched.elapsed() >= Duration::from_secs(1)
            && let Ok(set) = self.fetch_keys().await
        {
            *keys = Keys {
                set,
                fetched: Instant::now(),
            };
        }
        keys.set
            .find(kid)
            .and_then(|jwk| DecodingKey::from_jwk(jwk).ok())
    }

    /// The token's claims if its signature, issuer, audience and expiry check out.
    async fn verify(&self, token: &str) -> Option<Claims> {
        let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_issuer(&["sessions"]);
        validation.leeway = 0;
        match &self.audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .ok()
            .map(|data| data.claims)
    }

    /// Whether the deployment says the token's session is active now.
    async fn is_active(&self, token: &str) -> bool {
        let Some(introspection_token) = &self.introspection_token else {
            return false;
        };
        let answer = self
            .http
            .post(format!("{}/v1/introspect", self.sessions_url))
            .bearer_auth(introspection_token)
            .json(&json!({ "token": token }))
            .send()
            .await;
        match answer {
            Ok(answer) => answer
                .json::<Value>()
                .await
                .is_ok_and(|body| body["active"] == true),
            Err(_) => false,
        }
    }
}

#[derive(Deserialize)]
struct WhoAmI {
    /// Ask the deployment too: see a revocation at once.
    #[serde(default)]
    fresh: bool,
}

async fn whoami(
    State(service): State<Arc<Service>>,
    Query(query): Query<WhoAmI>,
    headers: HeaderMap,
) -> (StatusCode, Json<Value>) {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let Some(token) = token else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "no token" })),
        );
    };
    let Some(claims) = service.verify(token).await else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid token" })),
        );
    };
    if query.fresh && !service.is_active(token).await {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "session ended" })),
        );
    }
    (
        StatusCode::OK,
        Json(json!({
            "user_id": claims.sub,
            "session_id": claims.sid,
            "expires_at": claims.exp,
            "checked": if query.fresh { "introspected" } else { "offline" },
        })),
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sessions_url =
        std::env::var("SESSIONS_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".to_owned());
    let bind = std::env::var("RESOURCE_BIND").unwrap_or_else(|_| "127.0.0.1:8081".to_owned());
    let service = Service {
        sessions_url,
        introspection_token: std::env::var("SESSIONS_SERVICE_TOKEN").ok(),
        audience: std::env::var("TOKEN_AUDIENCE").ok(),
        http: reqwest::Client::new(),
        keys: RwLock::new(Keys {
            set: JwkSet { keys: Vec::new() },
            fetched: Instant::now(),
        }),
    };
    let set = service.fetch_keys().await?;
    *service.keys.write().await = Keys {
        set,
        fetched: Instant::now(),
    };
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    println!("resource server listening on {}", listener.local_addr()?);
    let app = Router::new()
        .route("/whoami", get(whoami))
        .with_state(Arc::new(service));
    axum::serve(listener, app).await?;
    Ok(())
}
