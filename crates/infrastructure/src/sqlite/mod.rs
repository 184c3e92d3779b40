//! The SQLite adapter, the embedded default: one [`SqliteStore`] implements every storage
//! port with the same behaviour as Postgres. Every write goes through one writer connection
//! (SQLite allows one writer at a time anyway), so write transactions of this process are
//! serialised and the session limit and refresh rotation are atomic; reads use a pool of
//! readers (WAL mode). Each method runs its own statements, or, with coalescing on, hands the
//! hottest ones to `crate::coalescing`. Other processes on the same file wait for the lock
//! (busy timeout).

mod attempts;
mod device_tokens;
mod encoding;
mod events;
mod refresh_tokens;
mod session_row;
mod sessions;
mod signing_keys;
mod users;
mod webhooks;

use std::{path::Path, str::FromStr, time::Duration};

use async_trait::async_trait;
use sessions_application::ports::{StoreError, StoreHealth};
use sqlx::{
    SqlitePool,
    migrate::{MigrateError, Migrator},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

pub(crate) use refresh_tokens::rotate_one;
pub(crate) use session_row::SessionRow;

use crate::coalescing::{Batching, sqlite::SqliteBatches};

/// The embedded SQLite migrations.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/sqlite");

/// Sessions, users, refresh tokens and events in one SQLite file.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
    /// The health check's own connection: busy readers delay a check, and must not make
    /// the file look unreadable.
    health: SqlitePool,
    /// The coalesced statements, when batching is on.
    batches: Option<SqliteBatches>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://path` or a bare path),
    /// with `readers` reading connections.
    ///
    /// # Errors
    /// The driver's error when the file cannot be opened.
    pub async fn connect(url: &str, readers: u32, batching: Batching) -> Result<Self, sqlx::Error> {
        let url = if url.starts_with("sqlite:") {
            url.to_owned()
        } else {
            format!("sqlite://{url}")
        };
        let options = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Every commit reaches the disk before it is acknowledged: with `NORMAL`, a power
            // loss could undo the last commits, bringing back a session whose revocation was
            // acknowledged. Coalesced writes share one commit, so one sync.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        let options = options.read_only(true);
        let readers = SqlitePoolOptions::new()
            .max_connections(readers.max(1))
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        let health = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(options);
        Ok(Self {
            health,
            batches: (batching == Batching::On).then(|| SqliteBatches::spawn(&readers, &writer)),
            writer,
            readers,
        })
    }

    /// Opens the database file at `path`, creating it (not its folder) if missing.
    ///
    /// # Errors
    /// The driver's error when the file cannot be opened.
    pub async fn open(path: &Path, readers: u32, batching: Batching) -> Result<Self, sqlx::Error> {
        Self::connect(&format!("sqlite://{}", path.display()), readers, batching).await
    }

    /// Applies pending migrations.
    ///
    /// # Errors
    /// The migrator's error, e.g. when a landed migration was edited.
    pub async fn migrate(&self) -> Result<(), MigrateError> {
        MIGRATOR.run(&self.writer).await
    }

    /// Closes the pools.
    pub async fn close(&self) {
        self.writer.close().await;
        self.readers.close().await;
        self.health.close().await;
    }

    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    pub(crate) fn readers(&self) -> &SqlitePool {
        &self.readers
    }

    /// A write transaction on the writer connection, which serialises it with every other
    /// write of this process. (Not `begin_with("BEGIN IMMEDIATE")`: sqlx 0.8 leaves the
    /// connection inside a transaction for good when such a `begin_with` is cancelled at the
    /// wrong moment — a client disconnecting mid-login would wedge every later write.)
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.writer.begin().await
    }
}

#[async_trait]
impl StoreHealth for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.health)
            .await
            .map(drop)
            .map_err(StoreError::new)
    }
}
