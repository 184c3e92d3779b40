//! `sessions-domain`: the centre of the hexagon.
//!
//! Pure session rules — the [`Session`] aggregate, its value types, lifecycle, refresh-token
//! rotation, the session-limit eviction choice and the domain events. No I/O and no clock:
//! every rule takes `now` as an argument.

mod device;
mod email;
mod event;
mod eviction;
mod ids;
mod location;
mod network;
mod password;
mod policy;
mod provider;
mod refresh;
mod revocation;
mod session;
mod user;
mod user_agent;

pub use device::{DeviceFingerprint, DeviceInfo, DeviceKind, ParsedDevice};
pub use email::{Email, InvalidEmail};
pub use event::{SessionEvent, SessionEventKind, SuspiciousKind};
pub use eviction::{EvictionCandidate, choose_evictions};
pub use ids::{RefreshTokenId, SessionId, UserId};
pub use location::{CountryCode, InvalidCountryCode, Location};
pub use network::{NetworkRelation, network_relation};
pub use password::{InvalidPassword, Password, PasswordHash};
pub use policy::{SessionLimit, SessionPolicy};
pub use provider::{InvalidProviderSlug, ProviderSet, ProviderSlug};
pub use refresh::{RefreshDecision, RefreshRejection, RefreshToken, TokenHash};
pub use revocation::{Revocation, RevocationReason, UnknownRevocationReason};
pub use session::{
    AlreadyRevoked, IpChange, NewSession, Session, SessionInactive, SessionState, SessionStatus,
    TouchOutcome, TouchRequest, TouchWrite,
};
pub use user::User;
pub use user_agent::UserAgent;
