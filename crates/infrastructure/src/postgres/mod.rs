//! The Postgres adapter: one [`PostgresStore`] implements every storage port. Concurrency
//! rules are enforced in the database: the session limit under a lock on the user row,
//! refresh rotation and session writes as compare-and-set statements. The session read of
//! every authenticated request, the token lookup and the rotation of every refresh are
//! batched under load (see `batcher`).

mod attempts;
mod device_tokens;
mod events;
pub mod queries;
mod refresh_tokens;
mod rotations;
mod session_row;
mod sessions;
mod users;

use std::time::Duration;

use async_trait::async_trait;
use refresh_tokens::TokenWithSessionRow;
use session_row::SessionRow;
use sessions_application::ports::{StoreError, StoreHealth};
use sqlx::{
    PgPool,
    migrate::{MigrateError, Migrator},
    postgres::{PgConnectOptions, PgPoolOptions},
};
use uuid::Uuid;

use crate::{batcher::Batcher, rotation_batch::RotationRequest};

/// The embedded Postgres migrations.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/postgres");

/// One array parameter of a batched statement: `field` of every request, in batch order.
fn column<R, T>(requests: &[R], field: impl Fn(&R) -> T) -> Vec<T> {
    requests.iter().map(field).collect()
}

/// Sessions, users, refresh tokens and events in Postgres.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
    /// The cleanup's own connection (one, opened at the first batch), with
    /// [`queries::CLEANUP_CONNECTION_SETTINGS`].
    cleanup: PgPool,
    /// Reads of a session by id, batched under load.
    sessions_by_id: Batcher<Uuid, Option<SessionRow>>,
    /// Reads of a refresh token and its session by the token's hash, batched under load.
    tokens_by_hash: Batcher<[u8; 32], Option<TokenWithSessionRow>>,
    /// Refresh rotations, batched under load.
    rotations: Batcher<RotationRequest, bool>,
}

impl PostgresStore {
    /// Connects a pool of at most `max_connections` to `url`.
    ///
    /// # Errors
    /// The driver's error when the URL is invalid or the server unreachable.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        let options: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            // No ping round trip before every query: a broken connection fails its query
            // and is replaced; readiness checks the database explicitly.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(Self::from_pool(pool))
    }

    /// Wraps an existing pool. Starts tasks on the current Tokio runtime (the dispatchers of
    /// batched reads), so it must be called within one.
    pub fn from_pool(pool: PgPool) -> Self {
        Self {
            sessions_by_id: sessions::session_reads(pool.clone()),
            tokens_by_hash: refresh_tokens::token_reads(pool.clone()),
            rotations: rotations::rotations(pool.clone()),
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

    /// Closes the pools, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
        self.cleanup.close().await;
    }
}

#[async_trait]
impl StoreHealth for PostgresStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(drop)
            .map_err(StoreError::new)
    }
}
