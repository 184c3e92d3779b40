//! The configured store: Postgres or the embedded SQLite.

use std::path::Path;

use sessions_application::ports::StoragePorts;
use sessions_infrastructure::{postgres::PostgresStore, sqlite::SqliteStore};
use sqlx::migrate::MigrateError;

use crate::settings::{Database, DatabaseKind};

/// Reading connections of the SQLite store: one per core, at least two (so that one slow
/// read does not hold up every other). Each connection has a thread of its own; more of them
/// than cores only take turns, and serve fewer reads (bench/PERFORMANCE.md).
fn sqlite_readers() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    u32::try_from(cores).unwrap_or(u32::MAX).max(2)
}

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database is unreachable or the URL invalid.
    #[error("cannot open the {kind} store: {source}")]
    Connect {
        kind: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// The SQLite file's folder cannot be created.
    #[error("cannot create the folder of {path}: {source}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] MigrateError),
}

/// The store behind every storage port.
#[derive(Clone, Debug)]
pub enum Store {
    Postgres(PostgresStore),
    Sqlite(SqliteStore),
}

/// The file path in a `sqlite://path?options` URL.
fn sqlite_path(url: &str) -> &str {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    rest.split('?').next().unwrap_or(rest)
}

impl Store {
    /// Connects to (or creates) the configured database.
    ///
    /// # Errors
    /// [`StoreError`] when it cannot be opened.
    pub async fn open(database: &Database) -> Result<Self, StoreError> {
        let connect = |source| StoreError::Connect {
            kind: database.name(),
            source,
        };
        match &database.kind {
            DatabaseKind::Postgres { url, pool_size } => {
                PostgresStore::connect(url, *pool_size, database.batching)
                    .await
                    .map(Self::Postgres)
                    .map_err(connect)
            }
            DatabaseKind::Sqlite(url) => {
                let path = sqlite_path(url);
                if let Some(folder) = Path::new(path)
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(folder).map_err(|source| StoreError::Folder {
                        path: path.to_owned(),
                        source,
                    })?;
                }
                SqliteStore::connect(url, sqlite_readers(), database.batching)
                    .await
                    .map(Self::Sqlite)
                    .map_err(connect)
            }
        }
    }

    /// Applies pending migrations.
    ///
    /// # Errors
    /// [`StoreError::Migrate`] when one fails.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Self::Postgres(store) => store.migrate().await?,
            Self::Sqlite(store) => store.migrate().await?,
        }
        Ok(())
    }

    /// The storage ports.
    pub fn ports(&self) -> StoragePorts {
        match self {
            Self::Postgres(store) => StoragePorts::of(store.clone()),
            Self::Sqlite(store) => StoragePorts::of(store.clone()),
        }
    }

    /// Closes the connections, waiting for those in use.
    pub async fn close(&self) {
        match self {
            Self::Postgres(store) => store.close().await,
            Self::Sqlite(store) => store.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn the_file_path_is_read_from_any_sqlite_url_form() {
        assert_eq!(
            sqlite_path("sqlite://./data/sessions.db"),
            "./data/sessions.db"
        );
        assert_eq!(
            sqlite_path("sqlite:/var/lib/s.db?mode=rwc"),
            "/var/lib/s.db"
        );
    }
}
