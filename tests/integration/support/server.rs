//! The real HTTP server on a random port, over a fresh Postgres database, and a real HTTP
//! client to call it.

use std::{
    net::IpAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;

use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use sessions_api::{
    AppState, ConnectionTimeouts, CsrfKey, HttpSettings, PageSettings, PublicOrigin, Secret,
    ServeLimits, install_metrics_recorder, router, serve, store_status,
};
use sessions_application::{
    Application, Ports,
    ports::{Geolocator, HashPriority, HashingError, PasswordHasher, Storage, StoragePorts},
    use_cases::KeysError,
};
use sessions_domain::{CountryCode, Location, Password, PasswordHash, SessionPolicy};
use sessions_infrastructure::{
    Argon2Cost, Argon2Hasher, Batching, SystemClock, UapDeviceParser, UuidV7Generator,
    postgres::PostgresStore, sqlite::SqliteStore,
};
use tokio::{net::TcpListener, sync::oneshot};

use super::postgres::fresh_store;

pub const ADMIN_TOKEN: &str = "test-admin-token";
pub const SERVICE_TOKEN: &str = "test-service-token";
pub const FIREFOX_ON_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";
pub const PASSWORD: &str = "correct horse battery staple";
pub const CHROME_ON_MACOS: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) \
    AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

/// 203.0.113.0/24 is New York, 198.51.100.0/24 is Berlin; nothing else is known.
pub struct TestGeolocator;

impl Geolocator for TestGeolocator {
    fn locate(&self, ip: IpAddr) -> Option<Location> {
        let IpAddr::V4(v4) = ip.to_canonical() else {
            return None;
        };
        match v4.octets() {
            [203, 0, 113, _] => Location::parse_display("New York, US"),
            [198, 51, 100, _] => {
                Location::new(CountryCode::parse("DE").ok()?, Some("Berlin".into())).into()
            }
            _ => None,
        }
    }
}

/// How to run a test server.
#[derive(Clone, Copy, Default)]
pub struct ServerOptions {
    pub policy: SessionPolicy,
    /// The server's limits; generous ones when `None`.
    pub limits: Option<ServeLimits>,
    /// `SESSIONS_PUBLIC_URL`; development (loopback HTTP) when `None`.
    pub public_origin: Option<&'static str>,
    /// `SESSIONS_SIGN_UP=off`.
    pub sign_up_off: bool,
}

/// Limits no test runs into unless it means to.
const GENEROUS_LIMITS: ServeLimits = ServeLimits {
    timeouts: ConnectionTimeouts {
        header: Duration::from_secs(60),
        idle: Duration::from_secs(300),
    },
    request: Duration::from_secs(60),
    max_connections: 1_000,
    shutdown: Duration::from_secs(5),
};

/// The real hasher (at a cheap cost), counting the hashes it is asked for.
struct CountingHasher {
    inner: Argon2Hasher,
    hashes: Arc<AtomicUsize>,
}

#[async_trait]
impl PasswordHasher for CountingHasher {
    fn admits(&self, priority: HashPriority) -> Result<(), HashingError> {
        self.inner.admits(priority)
    }

    async fn hash(
        &self,
        password: &Password,
        priority: HashPriority,
    ) -> Result<PasswordHash, HashingError> {
        self.hashes.fetch_add(1, Ordering::SeqCst);
        self.inner.hash(password, priority).await
    }

    async fn verify(
        &self,
        candidate: &str,
        hash: &PasswordHash,
        priority: HashPriority,
    ) -> Result<bool, HashingError> {
        self.hashes.fetch_add(1, Ordering::SeqCst);
        self.inner.verify(candidate, hash, priority).await
    }

    async fn verify_dummy(
        &self,
        candidate: &str,
        priority: HashPriority,
    ) -> Result<(), HashingError> {
        self.hashes.fetch_add(1, Ordering::SeqCst);
        self.inner.verify_dummy(candidate, priority).await
    }
}

/// A running server.
pub struct TestServer {
    pub base: String,
    pub client: Client,
    /// Password hashes and verifications the server has run.
    hashes: Arc<AtomicUsize>,
    /// The Postgres store, for a server over Postgres.
    postgres: Option<PostgresStore>,
    /// Keeps a SQLite server's folder as long as the server.
    _folder: Option<tempfile::TempDir>,
    _shutdown: oneshot::Sender<()>,
}

/// Starts a server over a fresh Postgres database.
pub async fn spawn_server(options: &ServerOptions) -> TestServer {
    spawn_server_on(fresh_store(20).await, options).await
}

/// Starts a server over `store` (several servers may share one database).
pub async fn spawn_server_on(store: PostgresStore, options: &ServerOptions) -> TestServer {
    let mut server = serve_over(store.clone(), options, None).await;
    server.postgres = Some(store);
    server
}

/// A second connection pool to the same database, as another server process would have.
pub async fn second_store(store: &PostgresStore) -> PostgresStore {
    let options = store.pool().connect_options().as_ref().clone();
    PostgresStore::from_pool(
        sqlx::postgres::PgPoolOptions::new()
            .connect_with(options)
            .await
            .unwrap(),
        Batching::On,
    )
}

/// Starts a server over a fresh SQLite file.
pub async fn spawn_sqlite_server(options: &ServerOptions) -> TestServer {
    let folder = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&folder.path().join("sessions.db"), 4, Batching::On)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    serve_over(store, options, Some(folder)).await
}

/// The application over `store` (whose files are in `folder`, if any), served on a random
/// port.
async fn serve_over<S: Storage + 'static>(
    store: S,
    options: &ServerOptions,
    folder: Option<tempfile::TempDir>,
) -> TestServer {
    let cheap = Argon2Cost {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };
    let hashes = Arc::new(AtomicUsize::new(0));
    let passwords = CountingHasher {
        inner: Argon2Hasher::new(cheap, 4, Duration::from_secs(5)).unwrap(),
        hashes: Arc::clone(&hashes),
    };
    // One master key for every test server: servers sharing a database open each other's keys.
    let master = "5e".repeat(32);
    let keys = super::app::key_ring(&master);
    let application = Application::new(
        Ports {
            storage: StoragePorts::of(store),
            passwords: Arc::new(passwords),
            access_tokens: keys.clone(),
            token_secrets: keys.clone(),
            key_ring: keys,
            clock: Arc::new(SystemClock),
            ids: Arc::new(UuidV7Generator),
            devices: Arc::new(UapDeviceParser::default()),
            geolocator: Arc::new(TestGeolocator),
            webhook_sender: super::app::loopback_webhooks(),
            webhook_secrets: super::app::webhook_secrets(&master),
        },
        options.policy,
    );
    let settings = HttpSettings {
        admin_token: Secret::new(ADMIN_TOKEN.into()),
        service_token: Secret::new(SERVICE_TOKEN.into()),
        // The tests speak through "a proxy" on loopback to choose client addresses.
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        country_header: Some("cf-ipcountry".parse().unwrap()),
        metrics_token: None,
        metrics_listener: false,
        jwks_max_age: std::time::Duration::from_secs(300),
        pages: PageSettings {
            public_origin: options
                .public_origin
                .map(|origin| PublicOrigin::parse(origin).unwrap()),
            sign_up: !options.sign_up_off,
            csrf_key: CsrfKey::new([0x5e; 32]),
        },
    };
    // A server over an unreachable database starts all the same, as readiness tests need.
    if let Err(error) = application.maintain_keys().await {
        assert!(matches!(error, KeysError::Store(_)), "{error}");
    }
    let application = Arc::new(application);
    let (store, probe) = store_status();
    tokio::spawn(probe.run(application.clone()));
    // The webhook sender, as the binary runs it; the tests' runtime ends it.
    let sender = application.clone();
    tokio::spawn(async move {
        loop {
            let _ = sender.deliver_webhooks().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let state = AppState::new(application, settings, install_metrics_recorder(), store);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (shutdown, stopped) = oneshot::channel::<()>();
    let limits = options.limits.unwrap_or(GENEROUS_LIMITS);
    tokio::spawn(serve(listener, router(state), limits, async move {
        let _ = stopped.await;
    }));
    TestServer {
        base,
        client: Client::new(),
        hashes,
        postgres: None,
        _folder: folder,
        _shutdown: shutdown,
    }
}

/// What a login returns that the tests use.
#[derive(Clone, Debug)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
    pub session_id: String,
    pub body: Value,
}

impl TestServer {
    /// The Postgres store of a server over Postgres.
    pub fn postgres(&self) -> &PostgresStore {
        self.postgres.as_ref().expect("a server over Postgres")
    }

    /// Password hashes and verifications run so far.
    pub fn hashes(&self) -> usize {
        self.hashes.load(Ordering::SeqCst)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The status `GET /v1/sessions/current` answers `access_token` with: whether its
    /// session is still active.
    pub async fn current_status(&self, access_token: &str) -> StatusCode {
        self.client
            .get(self.url("/v1/sessions/current"))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap()
            .status()
    }

    /// A request with the user's access token.
    pub fn as_user(&self, method: reqwest::Method, path: &str, tokens: &Tokens) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&tokens.access)
    }

    /// The events of session `session_id`, read by `reader` (one of the owner's sessions),
    /// oldest first.
    pub async fn session_events(&self, reader: &Tokens, session_id: &str) -> Vec<Value> {
        let path = format!("/v1/sessions/{session_id}/events");
        let response = self
            .as_user(reqwest::Method::GET, &path, reader)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["events"].as_array().unwrap().clone()
    }

    /// A request with the admin token.
    pub fn as_admin(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(ADMIN_TOKEN)
    }

    /// Registers `email`; returns the user id.
    pub async fn register(&self, email: &str) -> String {
        let response = self
            .client
            .post(self.url("/v1/users"))
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }

    /// Logs `email` in from `user_agent` at `ip`.
    pub async fn login_from(&self, email: &str, user_agent: &str, ip: &str) -> Response {
        self.client
            .post(self.url("/v1/auth/login"))
            .header("user-agent", user_agent)
            .header("x-forwarded-for", ip)
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .unwrap()
    }

    /// Refreshes `token` from `user_agent` at `ip`.
    pub async fn refresh_from(&self, token: &str, ip: &str, user_agent: &str) -> Response {
        self.client
            .post(self.url("/v1/auth/refresh"))
            .header("user-agent", user_agent)
            .header("x-forwarded-for", ip)
            .json(&json!({ "refresh_token": token }))
            .send()
            .await
            .unwrap()
    }

    /// Logs `email` in with Chrome on macOS from New York (must succeed).
    pub async fn login(&self, email: &str) -> Tokens {
        let response = self.login_from(email, CHROME_ON_MACOS, "203.0.113.7").await;
        assert_eq!(response.status(), StatusCode::CREATED);
        tokens(response.json().await.unwrap())
    }

    /// Registers and logs in `email`.
    pub async fn user(&self, email: &str) -> Tokens {
        self.register(email).await;
        self.login(email).await
    }
}

/// The tokens of a TokenPair body.
pub fn tokens(body: Value) -> Tokens {
    Tokens {
        access: body["access_token"].as_str().unwrap().to_owned(),
        refresh: body["refresh_token"].as_str().unwrap().to_owned(),
        session_id: body["session"]["id"].as_str().unwrap().to_owned(),
        body,
    }
}

/// Asserts a problem+json response with `status` and `code`; returns its body.
pub async fn expect_problem(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    if status == StatusCode::UNAUTHORIZED {
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
    }
    let body: Value = response.json().await.unwrap();
    assert_eq!(content_type, "application/problem+json", "{body}");
    assert_eq!(body["code"], code, "{body}");
    body
}
