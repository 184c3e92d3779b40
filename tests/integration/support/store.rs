//! The storage ports of one adapter, as the conformance tests use them.

use std::sync::Arc;

use sessions_application::ports::{
    AttemptCounters, DeviceTokenStore, EventStore, RefreshTokenStore, SessionRepository,
    StoreHealth, UserRepository,
};
use sessions_infrastructure::sqlite::SqliteStore;

/// Every storage port, implemented by one adapter instance.
#[derive(Clone)]
pub struct StoreUnderTest {
    pub users: Arc<dyn UserRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub refresh_tokens: Arc<dyn RefreshTokenStore>,
    pub events: Arc<dyn EventStore>,
    pub attempts: Arc<dyn AttemptCounters>,
    pub device_tokens: Arc<dyn DeviceTokenStore>,
    pub health: Arc<dyn StoreHealth>,
    /// Keeps a file-backed store's folder alive as long as the store.
    _folder: Option<Arc<tempfile::TempDir>>,
}

impl StoreUnderTest {
    pub fn of<S>(store: S) -> Self
    where
        S: UserRepository
            + SessionRepository
            + RefreshTokenStore
            + EventStore
            + AttemptCounters
            + DeviceTokenStore
            + StoreHealth
            + 'static,
    {
        let store = Arc::new(store);
        Self {
            users: store.clone(),
            sessions: store.clone(),
            refresh_tokens: store.clone(),
            events: store.clone(),
            attempts: store.clone(),
            device_tokens: store.clone(),
            health: store,
            _folder: None,
        }
    }
}

/// A fresh Postgres database behind the storage ports.
pub async fn postgres() -> StoreUnderTest {
    StoreUnderTest::of(super::postgres::fresh_store(60).await)
}

/// A fresh SQLite database file (in a temporary folder) behind the storage ports.
pub async fn sqlite() -> StoreUnderTest {
    let folder = tempfile::tempdir().expect("temporary folder");
    let store = SqliteStore::open(&folder.path().join("sessions.db"), 4)
        .await
        .expect("open SQLite");
    store.migrate().await.expect("migrate SQLite");
    StoreUnderTest {
        _folder: Some(Arc::new(folder)),
        ..StoreUnderTest::of(store)
    }
}
