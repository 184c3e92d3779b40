//! `sessions-domain`: the centre of the hexagon.
//!
//! Pure session rules — the [`Session`] aggregate, its value types, lifecycle, refresh-token
//! rotation, the session-limit eviction choice, the throttle's budgets, device tokens, the
//! signing keys' lifecycle and the domain events. No I/O and no clock:
//! every rule takes `now` as an argument.

mod audit;
mod device;
mod device_token;
mod email;
mod event;
mod eviction;
mod ids;
mod incident;
mod location;
mod network;
mod password;
mod policy;
mod provider;
mod refresh;
mod revocation;
mod session;
mod signing_keys;
mod throttle;
mod time;
mod user;
mod user_agent;
mod webhook;

pub use audit::{
    AccountEvent, AccountEventKind, Actor, AuditEventKind, Cause, Origin, RecordedEvent,
};
pub use device::{DeviceFingerprint, DeviceInfo, DeviceKind, ParsedDevice};
pub use device_token::DeviceToken;
pub use email::{Email, InvalidEmail};
pub use event::{SessionEvent, SessionEventKind, SuspiciousKind};
pub use eviction::{EvictionCandidate, choose_evictions};
pub use ids::{DeviceTokenId, IncidentId, RefreshTokenId, SessionId, UserId};
pub use incident::SessionFilter;
/// An IP network (an address and a prefix length), as incident filters and searches name them.
pub use ipnetwork::IpNetwork;
pub use location::{CountryCode, InvalidCountryCode, Location};
pub use network::{NetworkRelation, is_public_address, network_relation};
pub use password::{InvalidPassword, Password, PasswordHash};
pub use policy::{SessionLimit, SessionLimitTooLarge, SessionPolicy};
pub use provider::{InvalidProviderSlug, ProviderSet, ProviderSlug};
pub use refresh::{RefreshClient, RefreshDecision, RefreshRejection, RefreshToken, TokenHash};
pub use revocation::{Revocation, RevocationReason, UnknownRevocationReason};
pub use session::{
    AlreadyRevoked, IpChange, NewSession, Session, SessionInactive, SessionState, SessionStatus,
    TouchOutcome, TouchRequest, TouchWrite,
};
pub use signing_keys::{KeyGeneration, KeyLifetime, KeySchedule};
pub use throttle::{
    AttemptCount, Budget, BudgetKey, ThrottlePolicy, Throttled, ThrottledNetwork, admit,
};
pub use time::{add_saturating, sub_saturating};
pub use user::User;
pub use user_agent::UserAgent;
pub use webhook::{DeliveryStatus, RetrySchedule, WebhookEventType, is_new_device};
