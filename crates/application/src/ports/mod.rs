//! Ports: what the use cases need from the outside world, as traits. Adapters in
//! `sessions-infrastructure` implement them; tests use the mockall mocks (`mock` feature).

mod access_tokens;
mod attempts;
mod clock;
mod device_tokens;
mod devices;
mod events;
mod geolocation;
mod health;
mod ids;
mod keys;
mod passwords;
mod refresh_tokens;
mod sessions;
mod storage;
mod store_error;
mod token_secrets;
mod users;
mod webhooks;

pub use access_tokens::{AccessTokenCodec, InvalidAccessToken, TokenCodecError};
pub use attempts::AttemptCounters;
pub use clock::Clock;
pub use device_tokens::DeviceTokenStore;
pub use devices::DeviceParser;
pub use events::{EventFilter, EventOrder, EventSearch, EventStore};
pub use geolocation::Geolocator;
pub use health::StoreHealth;
pub use ids::IdGenerator;
pub use keys::{KeyRing, KeyRingError, KeyStore, PublicSigningKey, SealedKeyGeneration};
pub use passwords::{HashPriority, HashingError, PasswordHasher};
pub use refresh_tokens::{RefreshRotation, RefreshTokenStore};
pub use sessions::{
    ActiveFilter, CleanupBatch, DeletedBatch, EndedBy, SessionQuery, SessionRepository,
    SessionStart, StartSessionError,
};
pub use storage::{Storage, StoragePorts};
pub use store_error::{StoreError, WriteError};
pub use token_secrets::TokenSecrets;
pub use users::{InsertUserError, UserRepository};
pub use webhooks::{
    AttemptOutcome, AttemptRecord, ClaimedDelivery, Delivery, OutgoingWebhook, SealedSecret,
    TargetRefused, WebhookEndpoint, WebhookSecrets, WebhookSender, WebhookStore,
};

#[cfg(feature = "mock")]
pub use {
    access_tokens::MockAccessTokenCodec,
    attempts::MockAttemptCounters,
    clock::MockClock,
    device_tokens::MockDeviceTokenStore,
    devices::MockDeviceParser,
    events::MockEventStore,
    geolocation::MockGeolocator,
    health::MockStoreHealth,
    ids::MockIdGenerator,
    keys::{MockKeyRing, MockKeyStore},
    passwords::MockPasswordHasher,
    refresh_tokens::MockRefreshTokenStore,
    sessions::MockSessionRepository,
    token_secrets::MockTokenSecrets,
    users::MockUserRepository,
    webhooks::{MockWebhookSecrets, MockWebhookSender, MockWebhookStore},
};
