//! The application service: every use case is a method of [`Application`], defined in its
//! own file under `use_cases/`.

use std::sync::Arc;

use sessions_domain::SessionPolicy;

use crate::ports::{
    AccessTokenCodec, Clock, DeviceParser, Geolocator, IdGenerator, KeyRing, PasswordHasher,
    StoragePorts, TokenSecrets, WebhookSecrets, WebhookSender,
};

/// The adapters the use cases drive, wired once by the composition root.
#[derive(Clone)]
pub struct Ports {
    /// Persistence: every storage port of one store.
    pub storage: StoragePorts,
    /// Password hashing.
    pub passwords: Arc<dyn PasswordHasher>,
    /// Access-token signing.
    pub access_tokens: Arc<dyn AccessTokenCodec>,
    /// Opaque token values (refresh and device tokens).
    pub token_secrets: Arc<dyn TokenSecrets>,
    /// The key generations the access tokens and refresh successors are made with (in
    /// production the same adapter as `access_tokens` and `token_secrets`).
    pub key_ring: Arc<dyn KeyRing>,
    /// Current time.
    pub clock: Arc<dyn Clock>,
    /// Identifiers.
    pub ids: Arc<dyn IdGenerator>,
    /// User-agent parsing.
    pub devices: Arc<dyn DeviceParser>,
    /// IP geolocation.
    pub geolocator: Arc<dyn Geolocator>,
    /// Webhook deliveries' sending.
    pub webhook_sender: Arc<dyn WebhookSender>,
    /// Webhook endpoints' signing secrets.
    pub webhook_secrets: Arc<dyn WebhookSecrets>,
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
