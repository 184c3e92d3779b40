//! The Session aggregate: one sign-in of one user on one device, and every rule of its
//! lifecycle. Its state is read through [`Session::state`] and changed only by its methods.

mod lifecycle;
mod touch;

#[cfg(test)]
mod tests;

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::{
    DeviceInfo, Location, ProviderSet, ProviderSlug, RefreshTokenId, Revocation, SessionId,
    UserAgent, UserId,
};

pub use lifecycle::{AlreadyRevoked, NewSession, SessionInactive, SessionStatus};
pub use touch::{IpChange, TouchOutcome, TouchRequest, TouchWrite};

/// Every stored field of a session. Storage adapters read it and restore sessions from it;
/// everything else changes a session only through [`Session`]'s methods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionState {
    /// Time-ordered identity (UUID v7).
    pub id: SessionId,
    /// Owner.
    pub user_id: UserId,
    /// Creation (login) time.
    pub created_at: DateTime<Utc>,
    /// Time of the last mutation.
    pub updated_at: DateTime<Utc>,
    /// Human form of the device, e.g. "Chrome on macOS".
    pub device_info: Option<DeviceInfo>,
    /// Raw user-agent header at creation (first 512 characters).
    pub user_agent: Option<UserAgent>,
    /// Client address at creation.
    pub ip_address: IpAddr,
    /// Where the session started, when known.
    pub location: Option<Location>,
    /// Last recorded activity (written at most once per write threshold).
    pub last_activity_at: DateTime<Utc>,
    /// Absolute end: creation + lifetime; never extended.
    pub expires_at: DateTime<Utc>,
    /// Revocation time and reason, set together and once.
    pub revocation: Option<Revocation>,
    /// Whether the owner marked this device trusted.
    pub is_trusted: bool,
    /// The current (latest) refresh token of the session.
    pub refresh_token_id: Option<RefreshTokenId>,
    /// Most recent client address.
    pub last_ip_address: Option<IpAddr>,
    /// Number of suspicious requests seen; never decreases.
    pub suspicious_activity_count: u32,
    /// Most recently accessed provider.
    pub last_provider_accessed: Option<ProviderSlug>,
    /// When a provider was last accessed.
    pub last_provider_sync_at: Option<DateTime<Utc>>,
    /// Distinct providers accessed, in first-access order.
    pub providers_accessed: ProviderSet,
    /// Optimistic-concurrency version, incremented by storage on every write.
    pub version: i64,
}

/// A session: its state plus the rules that change it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    state: SessionState,
}

impl Session {
    /// Rebuilds a session from stored state.
    pub fn restore(state: SessionState) -> Self {
        Self { state }
    }

    /// Read access to every field.
    pub fn state(&self) -> &SessionState {
        &self.state
    }

    /// Identity.
    pub fn id(&self) -> SessionId {
        self.state.id
    }

    /// Owner.
    pub fn user_id(&self) -> UserId {
        self.state.user_id
    }

    /// Whether the session has been revoked.
    pub fn is_revoked(&self) -> bool {
        self.state.revocation.is_some()
    }

    /// The current refresh token of the session.
    pub fn refresh_token_id(&self) -> Option<RefreshTokenId> {
        self.state.refresh_token_id
    }

    /// Records that storage accepted a write of this state: storage advances the stored
    /// version by one on every write, and so does this copy, so it can be written again.
    pub fn advance_version(&mut self) {
        self.state.version += 1;
    }
}
