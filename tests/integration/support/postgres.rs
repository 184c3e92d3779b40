//! The Postgres server of a test run, and a fresh database for each test.
//!
//! The server is `SESSIONS_TEST_DATABASE_URL` when set, else a container of the image named
//! by `SESSIONS_TEST_PG_IMAGE` (default `sessions-postgres:17`, which
//! `scripts/test-postgres-image.sh` pulls or builds). The container lives as long as the
//! test process; it carries the label `sessions-test=1`, by which the test script removes
//! leftovers. Each test gets its own database, cloned from a migrated template.

use std::time::Duration;

use sessions_infrastructure::{Batching, postgres::PostgresStore};
use sqlx::{Connection, Executor, PgConnection};
use testcontainers_modules::testcontainers::{
    ContainerAsync, GenericImage, ImageExt,
    core::{IntoContainerPort, WaitFor},
    runners::AsyncRunner,
};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// Base URL of the server (without a database name) and the template database's name.
struct Server {
    base_url: String,
    template: String,
}

static SERVER: OnceCell<Server> = OnceCell::const_new();
static CONTAINER: std::sync::OnceLock<ContainerAsync<GenericImage>> = std::sync::OnceLock::new();

/// A Postgres container of the test image, and its server URL (without a database).
async fn run_container() -> (ContainerAsync<GenericImage>, String) {
    let image = std::env::var("SESSIONS_TEST_PG_IMAGE")
        .unwrap_or_else(|_| "sessions-postgres:17".to_owned());
    let (name, tag) = image.rsplit_once(':').unwrap_or((image.as_str(), "latest"));
    let container = GenericImage::new(name, tag)
        .with_exposed_port(5432.tcp())
        .with_wait_for(WaitFor::message_on_stderr(
            "database system is ready to accept connections",
        ))
        .with_env_var("POSTGRES_PASSWORD", "postgres")
        .with_labels([("sessions-test", "1")])
        .with_cmd([
            "-c",
            "max_connections=400",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ])
        .with_startup_timeout(Duration::from_secs(120))
        .start()
        .await
        .unwrap_or_else(|error| {
            panic!("cannot start {image} (run scripts/test-postgres-image.sh): {error}")
        });
    let port = container
        .get_host_port_ipv4(5432.tcp())
        .await
        .expect("mapped Postgres port");
    (
        container,
        format!("postgres://postgres:postgres@127.0.0.1:{port}"),
    )
}

async fn start_container() -> String {
    let (container, url) = run_container().await;
    let _ = CONTAINER.set(container);
    url
}

/// A Postgres server of its own, for a test that stops or pauses it, with a migrated store
/// of up to `max_connections` over it.
pub async fn own_server(max_connections: u32) -> (ContainerAsync<GenericImage>, PostgresStore) {
    let (container, url) = run_container().await;
    drop(connect(&format!("{url}/postgres")).await);
    let store = PostgresStore::connect(&format!("{url}/postgres"), max_connections, Batching::On)
        .await
        .expect("connect to its own server");
    store.migrate().await.expect("migrate");
    (container, store)
}

/// `postgres://user:pw@host:port/db?x` → `postgres://user:pw@host:port`.
fn server_part(url: &str) -> String {
    let without_query = url.split('?').next().unwrap_or(url);
    let authority = without_query.find("://").map_or(0, |index| index + 3);
    match without_query[authority..].find('/') {
        Some(path) => without_query[..authority + path].to_owned(),
        None => without_query.to_owned(),
    }
}

/// Connects to `url`, retrying while the server finishes starting.
async fn connect(url: &str) -> PgConnection {
    let mut attempts = 0;
    loop {
        match PgConnection::connect(url).await {
            Ok(connection) => return connection,
            Err(_) if attempts < 60 => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(error) => panic!("cannot connect to test Postgres: {error}"),
        }
    }
}

async fn server() -> &'static Server {
    SERVER
        .get_or_init(|| async {
            let base_url = match std::env::var("SESSIONS_TEST_DATABASE_URL") {
                Ok(url) => server_part(&url),
                Err(_) => start_container().await,
            };
            let template = format!("sessions_template_{}", Uuid::new_v4().simple());
            let mut admin = connect(&format!("{base_url}/postgres")).await;
            admin
                .execute(format!("CREATE DATABASE {template}").as_str())
                .await
                .expect("create template database");
            let store = PostgresStore::connect(&format!("{base_url}/{template}"), 2, Batching::On)
                .await
                .expect("connect to template");
            store.migrate().await.expect("migrate template");
            store.close().await;
            Server { base_url, template }
        })
        .await
}

/// A migrated, empty database of its own, with a pool of up to `max_connections`.
pub async fn fresh_store(max_connections: u32) -> PostgresStore {
    fresh_store_batching(max_connections, Batching::On).await
}

/// [`fresh_store`], coalescing concurrent requests or not.
pub async fn fresh_store_batching(max_connections: u32, batching: Batching) -> PostgresStore {
    PostgresStore::connect(&fresh_database().await, max_connections, batching)
        .await
        .expect("connect to test database")
}

/// The URL of a migrated, empty database of its own.
pub async fn fresh_database() -> String {
    let server = server().await;
    let name = format!("test_{}", Uuid::new_v4().simple());
    let mut admin = connect(&format!("{}/postgres", server.base_url)).await;
    admin
        .execute(format!("CREATE DATABASE {name} TEMPLATE {}", server.template).as_str())
        .await
        .expect("create test database");
    admin.close().await.expect("close admin connection");
    format!("{}/{name}", server.base_url)
}

/// How many rows `table` holds in `store`.
pub async fn row_count(store: &PostgresStore, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(store.pool())
        .await
        .expect("count rows")
}
