//! Start, status, revocation, trust and provider access of a session.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use super::{Session, SessionState};
use crate::{
    Cause, DeviceInfo, Location, ProviderSet, ProviderSlug, RefreshTokenId, Revocation,
    RevocationReason, SessionEvent, SessionEventKind, SessionId, SessionPolicy, UserAgent, UserId,
    add_saturating,
};

/// What a login knows about the new session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    /// Pre-generated identity (UUID v7).
    pub id: SessionId,
    /// Owner.
    pub user_id: UserId,
    /// Parsed device, when a user agent was sent.
    pub device_info: Option<DeviceInfo>,
    /// Raw user agent.
    pub user_agent: Option<UserAgent>,
    /// Client address.
    pub ip_address: IpAddr,
    /// Resolved location.
    pub location: Option<Location>,
    /// The first refresh token of the session.
    pub refresh_token_id: RefreshTokenId,
    /// Whether the account had not signed in from this device before.
    pub new_device: Option<bool>,
}

/// Where a session is in its lifecycle at a given instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    /// Usable.
    Active,
    /// Revoked, for this reason.
    Revoked(RevocationReason),
    /// Past its absolute `expires_at`.
    Expired,
    /// Inactive for longer than the idle timeout.
    IdleTimedOut,
}

impl SessionStatus {
    /// Whether the session ended by revocation (as opposed to expiry or idleness).
    pub const fn is_revoked(self) -> bool {
        matches!(self, Self::Revoked(_))
    }
}

/// An operation needed an active session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("session is not active: {status:?}")]
pub struct SessionInactive {
    /// The session's actual status.
    pub status: SessionStatus,
}

/// The session had been revoked before; revocation happens once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("session already revoked")]
pub struct AlreadyRevoked {
    /// The first revocation, which stays in force.
    pub revocation: Revocation,
}

impl Session {
    /// Starts a session at login: expires after the policy lifetime, active now, last seen at
    /// its creation address. Returns the session and its `SessionCreated` event.
    pub fn start(
        new: NewSession,
        policy: &SessionPolicy,
        now: DateTime<Utc>,
    ) -> (Self, SessionEvent) {
        let ip_address = new.ip_address.to_canonical();
        let session = Self::restore(SessionState {
            id: new.id,
            user_id: new.user_id,
            created_at: now,
            updated_at: now,
            device_info: new.device_info,
            user_agent: new.user_agent,
            ip_address,
            location: new.location,
            last_activity_at: now,
            expires_at: add_saturating(now, policy.session_lifetime),
            revocation: None,
            is_trusted: false,
            refresh_token_id: Some(new.refresh_token_id),
            last_ip_address: Some(ip_address),
            suspicious_activity_count: 0,
            last_provider_accessed: None,
            last_provider_sync_at: None,
            providers_accessed: ProviderSet::default(),
            version: 0,
        });
        let event = session.event(
            SessionEventKind::Created {
                new_device: new.new_device,
            },
            now,
        );
        (session, event)
    }

    /// The status at `now`. Revocation wins over expiry; `now == expires_at` is expired.
    pub fn status(&self, now: DateTime<Utc>, policy: &SessionPolicy) -> SessionStatus {
        if let Some(revocation) = self.state.revocation {
            SessionStatus::Revoked(revocation.reason)
        } else if now >= self.state.expires_at {
            SessionStatus::Expired
        } else if policy
            .idle_timeout
            .is_some_and(|idle| now - self.state.last_activity_at >= idle)
        {
            SessionStatus::IdleTimedOut
        } else {
            SessionStatus::Active
        }
    }

    /// Whether the session is usable at `now`.
    pub fn is_active(&self, now: DateTime<Utc>, policy: &SessionPolicy) -> bool {
        self.status(now, policy) == SessionStatus::Active
    }

    /// Fails unless the session is active at `now`.
    ///
    /// # Errors
    /// [`SessionInactive`] with the actual status.
    pub fn ensure_active(
        &self,
        now: DateTime<Utc>,
        policy: &SessionPolicy,
    ) -> Result<(), SessionInactive> {
        match self.status(now, policy) {
            SessionStatus::Active => Ok(()),
            status => Err(SessionInactive { status }),
        }
    }

    /// Revokes an active or expired session.
    ///
    /// # Errors
    /// [`AlreadyRevoked`] when it was revoked before; the first revocation is kept.
    pub fn revoke(
        &mut self,
        reason: RevocationReason,
        now: DateTime<Utc>,
    ) -> Result<SessionEvent, AlreadyRevoked> {
        self.revoke_with(reason, None, now)
    }

    /// Revokes the session to make room for `new_session` under the session limit.
    ///
    /// # Errors
    /// [`AlreadyRevoked`] when it was revoked before.
    pub fn evict(
        &mut self,
        new_session: SessionId,
        now: DateTime<Utc>,
    ) -> Result<SessionEvent, AlreadyRevoked> {
        self.revoke_with(RevocationReason::SessionLimit, Some(new_session), now)
    }

    /// Revokes the session because one of its used refresh tokens was presented again:
    /// records the reuse, then the revocation (reason `refresh_token_reuse`).
    ///
    /// # Errors
    /// [`AlreadyRevoked`] when it was revoked before.
    pub fn revoke_for_refresh_token_reuse(
        &mut self,
        now: DateTime<Utc>,
    ) -> Result<[SessionEvent; 2], AlreadyRevoked> {
        let revoked = self.revoke_with(RevocationReason::RefreshTokenReuse, None, now)?;
        Ok([
            self.event(SessionEventKind::RefreshTokenReuse, now),
            revoked,
        ])
    }

    fn revoke_with(
        &mut self,
        reason: RevocationReason,
        evicted_by: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> Result<SessionEvent, AlreadyRevoked> {
        if let Some(revocation) = self.state.revocation {
            return Err(AlreadyRevoked { revocation });
        }
        self.state.revocation = Some(Revocation { at: now, reason });
        self.state.updated_at = now;
        Ok(self.event(SessionEventKind::Revoked { reason, evicted_by }, now))
    }

    /// Marks the device trusted. `None` when it already was.
    ///
    /// # Errors
    /// [`SessionInactive`] unless the session is active.
    pub fn trust(
        &mut self,
        now: DateTime<Utc>,
        policy: &SessionPolicy,
    ) -> Result<Option<SessionEvent>, SessionInactive> {
        self.set_trusted(true, now, policy)
    }

    /// Removes the trusted mark. `None` when it was not trusted.
    ///
    /// # Errors
    /// [`SessionInactive`] unless the session is active.
    pub fn untrust(
        &mut self,
        now: DateTime<Utc>,
        policy: &SessionPolicy,
    ) -> Result<Option<SessionEvent>, SessionInactive> {
        self.set_trusted(false, now, policy)
    }

    fn set_trusted(
        &mut self,
        trusted: bool,
        now: DateTime<Utc>,
        policy: &SessionPolicy,
    ) -> Result<Option<SessionEvent>, SessionInactive> {
        self.ensure_active(now, policy)?;
        if self.state.is_trusted == trusted {
            return Ok(None);
        }
        self.state.is_trusted = trusted;
        self.state.updated_at = now;
        let kind = if trusted {
            SessionEventKind::Trusted
        } else {
            SessionEventKind::Untrusted
        };
        Ok(Some(self.event(kind, now)))
    }

    /// Records an access to a data provider: last provider and sync time always, the set of
    /// accessed providers once per provider.
    ///
    /// # Errors
    /// [`SessionInactive`] unless the session is active.
    pub fn record_provider_access(
        &mut self,
        provider: ProviderSlug,
        now: DateTime<Utc>,
        policy: &SessionPolicy,
    ) -> Result<SessionEvent, SessionInactive> {
        self.ensure_active(now, policy)?;
        self.state.providers_accessed.insert(provider.clone());
        self.state.last_provider_accessed = Some(provider.clone());
        self.state.last_provider_sync_at = Some(now);
        self.state.updated_at = now;
        Ok(self.event(SessionEventKind::ProviderAccessed { provider }, now))
    }

    /// Makes `successor` the current refresh token after a rotation; a refresh is activity.
    pub fn rotate_refresh_token(&mut self, successor: RefreshTokenId, now: DateTime<Utc>) {
        self.state.refresh_token_id = Some(successor);
        self.state.last_activity_at = now;
        self.state.updated_at = now;
    }

    pub(super) fn event(&self, kind: SessionEventKind, at: DateTime<Utc>) -> SessionEvent {
        SessionEvent {
            session_id: self.state.id,
            user_id: self.state.user_id,
            at,
            kind,
            cause: Cause::SYSTEM,
        }
    }
}
