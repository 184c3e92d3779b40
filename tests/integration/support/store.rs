//! The storage ports of one adapter, as the conformance tests use them.

use std::sync::Arc;

use sessions_application::ports::{Storage, StoragePorts};
use sessions_infrastructure::{Batching, sqlite::SqliteStore};

/// Every storage port, implemented by one adapter instance.
#[derive(Clone)]
pub struct StoreUnderTest {
    ports: StoragePorts,
    /// Keeps a file-backed store's folder alive as long as the store.
    _folder: Option<Arc<tempfile::TempDir>>,
}

impl StoreUnderTest {
    pub fn of<S: Storage + 'static>(store: S) -> Self {
        Self {
            ports: StoragePorts::of(store),
            _folder: None,
        }
    }
}

impl std::ops::Deref for StoreUnderTest {
    type Target = StoragePorts;

    fn deref(&self) -> &StoragePorts {
        &self.ports
    }
}

/// A fresh Postgres database behind the storage ports.
pub async fn postgres(batching: Batching) -> StoreUnderTest {
    StoreUnderTest::of(super::postgres::fresh_store_batching(60, batching).await)
}

/// A fresh SQLite database file (in a temporary folder) behind the storage ports.
pub async fn sqlite(batching: Batching) -> StoreUnderTest {
    let folder = tempfile::tempdir().expect("temporary folder");
    let store = SqliteStore::open(&folder.path().join("sessions.db"), 4, batching)
        .await
        .expect("open SQLite");
    store.migrate().await.expect("migrate SQLite");
    StoreUnderTest {
        _folder: Some(Arc::new(folder)),
        ..StoreUnderTest::of(store)
    }
}
