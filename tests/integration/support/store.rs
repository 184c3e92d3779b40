//! The storage ports of one adapter, as the conformance tests use them.

use std::sync::Arc;

use sessions_application::ports::{
    EventStore, RefreshTokenStore, SessionRepository, StoreHealth, UserRepository,
};

/// Every storage port, implemented by one adapter instance.
#[derive(Clone)]
pub struct StoreUnderTest {
    pub users: Arc<dyn UserRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub refresh_tokens: Arc<dyn RefreshTokenStore>,
    pub events: Arc<dyn EventStore>,
    pub health: Arc<dyn StoreHealth>,
}

impl StoreUnderTest {
    pub fn of<S>(store: S) -> Self
    where
        S: UserRepository
            + SessionRepository
            + RefreshTokenStore
            + EventStore
            + StoreHealth
            + 'static,
    {
        let store = Arc::new(store);
        Self {
            users: store.clone(),
            sessions: store.clone(),
            refresh_tokens: store.clone(),
            events: store.clone(),
            health: store,
        }
    }
}

/// A fresh Postgres database behind the storage ports.
pub async fn postgres() -> StoreUnderTest {
    StoreUnderTest::of(super::postgres::fresh_store(60).await)
}
