//! The application service: every use case is a method of [`Application`], defined in its
//! own file under `use_cases/`.

use std::sync::Arc;

use sessions_domain::SessionPolicy;

use crate::ports::{
    AccessTokenCodec, AttemptCounters, Clock, DeviceParser, DeviceTokenStore, EventStore,
    Geolocator, IdGenerator, PasswordHasher, RefreshTokenStore, SessionRepository, StoreHealth,
    TokenSecrets, UserRepository,
};

/// The adapters the use cases drive, wired once by the composition root.
#[derive(Clone)]
pub struct Ports {
    /// User persistence.
    pub users: Arc<dyn UserRepository>,
    /// Session persistence (with the audit trail's writes).
    pub sessions: Arc<dyn SessionRepository>,
    /// Refresh-token persistence and rotation.
    pub refresh_tokens: Arc<dyn RefreshTokenStore>,
    /// Audit-trail reads.
    pub events: Arc<dyn EventStore>,
    /// The throttle's attempt counts.
    pub attempts: Arc<dyn AttemptCounters>,
    /// Device tokens.
    pub device_tokens: Arc<dyn DeviceTokenStore>,
    /// Password hashing.
    pub passwords: Arc<dyn PasswordHasher>,
    /// Access-token signing.
    pub access_tokens: Arc<dyn AccessTokenCodec>,
    /// Refresh-token values.
    pub token_secrets: Arc<dyn TokenSecrets>,
    /// Current time.
    pub clock: Arc<dyn Clock>,
    /// Identifiers.
    pub ids: Arc<dyn IdGenerator>,
    /// User-agent parsing.
    pub devices: Arc<dyn DeviceParser>,
    /// IP geolocation.
    pub geolocator: Arc<dyn Geolocator>,
    /// Store readiness.
    pub health: Arc<dyn StoreHealth>,
}

/// The session service's use cases over a set of ports and a policy.
#[derive(Clone)]
pub struct Application {
    pub(crate) ports: Ports,
    pub(crate) policy: SessionPolicy,
}

impl Application {
    /// Wires the use cases to their ports.
    pub fn new(ports: Ports, policy: SessionPolicy) -> Self {
        Self { ports, policy }
    }

    /// The policy the use cases apply.
    pub fn policy(&self) -> &SessionPolicy {
        &self.policy
    }
}
