//! Refresh-token rotation: a used token yields its successor again only inside the grace
//! window, only while that successor is still the session's current token, and only to the
//! client that used it (same network, same browser and OS); anything else is reuse.

use std::{fmt, net::IpAddr};

use chrono::{DateTime, Utc};

use crate::{
    DeviceFingerprint, NetworkRelation, RefreshTokenId, Session, SessionId, SessionInactive,
    SessionPolicy, network_relation,
};

/// The client presenting a refresh token, or the one that used it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshClient {
    /// Its address.
    pub ip: IpAddr,
    /// Its browser and OS families; `None` without a user agent.
    pub device: Option<DeviceFingerprint>,
}

impl RefreshClient {
    /// Whether `other` is plausibly this client again: on the same network (IPv4 /24, IPv6
    /// /64) with the same browser and OS families (an unknown family matches only another
    /// unknown one; no user agent at all is two unknown families).
    pub fn is_same_client(&self, other: &Self) -> bool {
        network_relation(self.ip, other.ip) == NetworkRelation::SameNetwork
            && self.families() == other.families()
    }

    fn families(&self) -> (Option<&str>, Option<&str>) {
        self.device.as_ref().map_or((None, None), |device| {
            (
                device.browser_family.as_deref(),
                device.os_family.as_deref(),
            )
        })
    }
}

/// SHA-256 of a refresh token: the only form in which tokens are stored.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// Wraps a digest.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The digest bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({:02x}{:02x}…)", self.0[0], self.0[1])
    }
}

/// One refresh token of a session's chain, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshToken {
    /// Identity.
    pub id: RefreshTokenId,
    /// The session it refreshes; the token never outlives it.
    pub session_id: SessionId,
    /// SHA-256 of the token.
    pub hash: TokenHash,
    /// Issue time.
    pub issued_at: DateTime<Utc>,
    /// When it was exchanged for its successor.
    pub used_at: Option<DateTime<Utc>>,
    /// The token it was exchanged for.
    pub successor_id: Option<RefreshTokenId>,
    /// The client that exchanged it (`None` while unused, and for tokens used before clients
    /// were recorded).
    pub used_by: Option<RefreshClient>,
}

/// What to do with a presented refresh token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshDecision {
    /// Unused: mark it used and issue a successor.
    Rotate,
    /// The immediately previous token, presented again inside the grace window: answer with
    /// the same successor it was exchanged for.
    ReplaySuccessor(RefreshTokenId),
}

/// Why a presented refresh token is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefreshRejection {
    /// The session is revoked, expired or idle.
    #[error(transparent)]
    SessionInactive(#[from] SessionInactive),
    /// A used token presented outside the grace rule: the session must be revoked.
    #[error("refresh token reuse")]
    Reuse,
    /// The token belongs to another session than the one given.
    #[error("refresh token does not belong to this session")]
    WrongSession,
}

impl RefreshToken {
    /// A fresh, unused token for `session_id`.
    pub fn issue(
        id: RefreshTokenId,
        session_id: SessionId,
        hash: TokenHash,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            session_id,
            hash,
            issued_at: now,
            used_at: None,
            successor_id: None,
            used_by: None,
        }
    }

    /// Decides what `presenter` presenting this token at `now` means for `session`.
    ///
    /// # Errors
    /// [`RefreshRejection::SessionInactive`] when the session cannot be refreshed,
    /// [`RefreshRejection::Reuse`] for a used token outside the grace rule.
    pub fn assess(
        &self,
        session: &Session,
        now: DateTime<Utc>,
        policy: &SessionPolicy,
        presenter: &RefreshClient,
    ) -> Result<RefreshDecision, RefreshRejection> {
        if self.session_id != session.id() {
            return Err(RefreshRejection::WrongSession);
        }
        session.ensure_active(now, policy)?;
        let (Some(used_at), Some(successor)) = (self.used_at, self.successor_id) else {
            return Ok(RefreshDecision::Rotate);
        };
        let inside_grace = now - used_at < policy.refresh_grace;
        let successor_is_current = session.refresh_token_id() == Some(successor);
        let same_client = self
            .used_by
            .as_ref()
            .is_none_or(|user| user.is_same_client(presenter));
        if inside_grace && successor_is_current && same_client {
            Ok(RefreshDecision::ReplaySuccessor(successor))
        } else {
            Err(RefreshRejection::Reuse)
        }
    }

    /// Marks the token exchanged for `successor` by `client` at `now`.
    pub fn mark_used(
        &mut self,
        successor: RefreshTokenId,
        now: DateTime<Utc>,
        client: RefreshClient,
    ) {
        self.used_at = Some(now);
        self.successor_id = Some(successor);
        self.used_by = Some(client);
    }
}

#[cfg(test)]
mod tests;
