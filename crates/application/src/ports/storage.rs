//! Every storage port at once: what one store (Postgres, SQLite) implements, and its ports
//! as the application wires them.

use std::sync::Arc;

use super::{
    AttemptCounters, DeviceTokenStore, EventStore, KeyStore, RefreshTokenStore, SessionRepository,
    StoreHealth, UserRepository, WebhookStore,
};

/// A store that implements every storage port.
pub trait Storage:
    UserRepository
    + SessionRepository
    + RefreshTokenStore
    + EventStore
    + AttemptCounters
    + DeviceTokenStore
    + KeyStore
    + WebhookStore
    + StoreHealth
{
}

impl<S> Storage for S where
    S: UserRepository
        + SessionRepository
        + RefreshTokenStore
        + EventStore
        + AttemptCounters
        + DeviceTokenStore
        + KeyStore
        + WebhookStore
        + StoreHealth
{
}

/// The storage ports of one store.
#[derive(Clone)]
pub struct StoragePorts {
    /// Users.
    pub users: Arc<dyn UserRepository>,
    /// Sessions, with the audit trail's writes.
    pub sessions: Arc<dyn SessionRepository>,
    /// Refresh tokens.
    pub refresh_tokens: Arc<dyn RefreshTokenStore>,
    /// Audit-trail reads.
    pub events: Arc<dyn EventStore>,
    /// The throttle's attempt counts.
    pub attempts: Arc<dyn AttemptCounters>,
    /// Device tokens.
    pub device_tokens: Arc<dyn DeviceTokenStore>,
    /// The key generations.
    pub keys: Arc<dyn KeyStore>,
    /// Webhook endpoints and their deliveries.
    pub webhooks: Arc<dyn WebhookStore>,
    /// Readiness.
    pub health: Arc<dyn StoreHealth>,
}

impl StoragePorts {
    /// Every port of `store`, sharing it.
    pub fn of<S: Storage + 'static>(store: S) -> Self {
        let store = Arc::new(store);
        Self {
            users: store.clone(),
            sessions: store.clone(),
            refresh_tokens: store.clone(),
            events: store.clone(),
            attempts: store.clone(),
            device_tokens: store.clone(),
            keys: store.clone(),
            webhooks: store.clone(),
            health: store,
        }
    }
}
