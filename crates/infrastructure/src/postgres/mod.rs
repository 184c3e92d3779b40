//! The Postgres adapter: one [`PostgresStore`] implements every storage port. Concurrency
//! rules are enforced in the database: the session limit under a lock on the user row,
//! refresh rotation and session writes as compare-and-set statements. Each method runs its
//! own statement, or, with coalescing on, hands the hottest ones to `crate::coalescing`.

mod attempts;
mod device_tokens;
mod events;
pub mod queries;
mod refresh_tokens;
mod session_row;
mod sessions;
mod signing_keys;
mod users;
mod webhooks;

use std::time::Duration;

use async_trait::async_trait;
pub(crate) use refresh_tokens::TokenWithSessionRow;
pub(crate) use session_row::SessionRow;
use sessions_application::ports::{StoreError, StoreHealth};
use sqlx::{
    PgPool,
    migrate::{MigrateError, Migrator},
    postgres::{PgConnectOptions, PgPoolOptions},
};

use crate::coalescing::{Batching, postgres::PostgresBatches};

/// The embedded Postgres migrations.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/postgres");

/// Sessions, users, refresh tokens and events in Postgres.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
    /// The cleanup's own connection (one, opened at the first batch), with
    /// [`queries::CLEANUP_CONNECTION_SETTINGS`].
    cleanup: PgPool,
    /// The throttle's connections (a quarter of the pool, at least two), with
    /// [`queries::THROTTLE_CONNECTION_SETTINGS`].
    throttle: PgPool,
    /// The health check's own connection (one, opened at the first check): a full pool
    /// under load delays a check, and must not make a busy database look unreachable.
    health: PgPool,
    /// The coalesced statements, when batching is on.
    batches: Option<PostgresBatches>,
}

impl PostgresStore {
    /// Connects a pool of at most `max_connections` to `url`.
    ///
    /// # Errors
    /// The driver's error when the URL is invalid or the server unreachable.
    pub async fn connect(
        url: &str,
        max_connections: u32,
        batching: Batching,
    ) -> Result<Self, sqlx::Error> {
        let options: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            // No ping round trip before every query: a broken connection fails its query
            // and is replaced; readiness checks the database explicitly.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(Self::from_pool(pool, batching))
    }

    /// Wraps an existing pool. With batching on, starts tasks on the current Tokio runtime
    /// (the dispatchers of the coalesced statements), so it must be called within one.
    pub fn from_pool(pool: PgPool, batching: Batching) -> Self {
        Self {
            batches: (batching == Batching::On).then(|| PostgresBatches::spawn(&pool)),
            health: PgPoolOptions::new()
                .max_connections(1)
                .connect_lazy_with((*pool.connect_options()).clone()),
            throttle: PgPoolOptions::new()
                .max_connections((pool.options().get_max_connections() / 4).max(2))
                .test_before_acquire(false)
                .connect_lazy_with(
                    (*pool.connect_options())
                        .clone()
                        .options(queries::THROTTLE_CONNECTION_SETTINGS),
                ),
            cleanup: PgPoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .connect_lazy_with(
                    (*pool.connect_options())
                        .clone()
                        .options(queries::CLEANUP_CONNECTION_SETTINGS),
                ),
            pool,
        }
    }

    /// Applies pending migrations.
    ///
    /// # Errors
    /// The migrator's error, e.g. when a landed migration was edited.
    pub async fn migrate(&self) -> Result<(), MigrateError> {
        MIGRATOR.run(&self.pool).await
    }

    /// The connection pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The cleanup's own connection pool (one connection), as its batches run.
    pub fn cleanup_pool(&self) -> &PgPool {
        &self.cleanup
    }

    /// The throttle's connection pool, whose commits do not wait for the disk.
    pub(crate) fn throttle_pool(&self) -> &PgPool {
        &self.throttle
    }

    /// Closes the pools, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
        self.cleanup.close().await;
        self.throttle.close().await;
        self.health.close().await;
    }
}

#[async_trait]
impl StoreHealth for PostgresStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.health)
            .await
            .map(drop)
            .map_err(StoreError::new)
    }
}
