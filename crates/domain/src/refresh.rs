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
mod tests {
    use chrono::TimeDelta;
    use uuid::Uuid;

    use super::*;
    use crate::{NewSession, SessionStatus, UserId};

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn token_id(n: u128) -> RefreshTokenId {
        RefreshTokenId::from_uuid(Uuid::from_u128(n))
    }

    fn chrome_on_macos() -> DeviceFingerprint {
        DeviceFingerprint {
            browser_family: Some("Chrome".into()),
            os_family: Some("macOS".into()),
        }
    }

    /// The client of the tests' rotations: Chrome on macOS at 203.0.113.7.
    fn laptop() -> RefreshClient {
        RefreshClient {
            ip: "203.0.113.7".parse().unwrap(),
            device: Some(chrome_on_macos()),
        }
    }

    fn session_with_token(first: RefreshTokenId) -> Session {
        let (session, _) = Session::start(
            NewSession {
                id: SessionId::from_uuid(Uuid::from_u128(100)),
                user_id: UserId::from_uuid(Uuid::from_u128(200)),
                device_info: None,
                user_agent: None,
                ip_address: "203.0.113.7".parse().unwrap(),
                location: None,
                refresh_token_id: first,
            },
            &SessionPolicy::default(),
            t0(),
        );
        session
    }

    /// A session whose first token was rotated into a second one at `t0 + 10 s`.
    fn rotated_chain() -> (Session, RefreshToken, RefreshToken) {
        let mut session = session_with_token(token_id(1));
        let mut first = RefreshToken::issue(
            token_id(1),
            session.id(),
            TokenHash::from_bytes([1; 32]),
            t0(),
        );
        let rotated_at = t0() + TimeDelta::seconds(10);
        let second = RefreshToken::issue(
            token_id(2),
            session.id(),
            TokenHash::from_bytes([2; 32]),
            rotated_at,
        );
        first.mark_used(second.id, rotated_at, laptop());
        session.rotate_refresh_token(second.id, rotated_at);
        (session, first, second)
    }

    #[test]
    fn an_unused_token_of_an_active_session_rotates() {
        let (session, _, second) = rotated_chain();
        let decision = second.assess(
            &session,
            t0() + TimeDelta::seconds(20),
            &SessionPolicy::default(),
            &laptop(),
        );
        assert_eq!(decision, Ok(RefreshDecision::Rotate));
    }

    #[test]
    fn the_previous_token_inside_the_grace_window_replays_the_same_successor() {
        let (session, first, second) = rotated_chain();
        let just_inside = t0() + TimeDelta::seconds(10) + TimeDelta::seconds(29);
        let decision = first.assess(&session, just_inside, &SessionPolicy::default(), &laptop());
        assert_eq!(decision, Ok(RefreshDecision::ReplaySuccessor(second.id)));
    }

    #[test]
    fn a_replay_from_the_same_network_and_device_is_honoured() {
        let (session, first, second) = rotated_chain();
        let neighbour = RefreshClient {
            ip: "203.0.113.200".parse().unwrap(),
            device: Some(chrome_on_macos()),
        };
        let decision = first.assess(
            &session,
            t0() + TimeDelta::seconds(11),
            &SessionPolicy::default(),
            &neighbour,
        );
        assert_eq!(decision, Ok(RefreshDecision::ReplaySuccessor(second.id)));
    }

    #[test]
    fn a_replay_from_another_network_or_another_device_inside_the_window_is_reuse() {
        let (session, first, _) = rotated_chain();
        let elsewhere = RefreshClient {
            ip: "198.51.100.7".parse().unwrap(),
            device: Some(chrome_on_macos()),
        };
        let firefox = RefreshClient {
            device: Some(DeviceFingerprint {
                browser_family: Some("Firefox".into()),
                os_family: Some("macOS".into()),
            }),
            ..laptop()
        };
        let no_user_agent = RefreshClient {
            device: None,
            ..laptop()
        };
        for presenter in [elsewhere, firefox, no_user_agent] {
            let decision = first.assess(
                &session,
                t0() + TimeDelta::seconds(11),
                &SessionPolicy::default(),
                &presenter,
            );
            assert_eq!(decision, Err(RefreshRejection::Reuse), "{presenter:?}");
        }
    }

    #[test]
    fn a_token_used_before_clients_were_recorded_replays_for_anyone_inside_the_window() {
        let (session, mut first, second) = rotated_chain();
        first.used_by = None;
        let elsewhere = RefreshClient {
            ip: "198.51.100.7".parse().unwrap(),
            device: None,
        };
        let decision = first.assess(
            &session,
            t0() + TimeDelta::seconds(11),
            &SessionPolicy::default(),
            &elsewhere,
        );
        assert_eq!(decision, Ok(RefreshDecision::ReplaySuccessor(second.id)));
    }

    #[test]
    fn the_previous_token_at_the_end_of_the_grace_window_is_reuse() {
        let (session, first, _) = rotated_chain();
        let window_end = t0() + TimeDelta::seconds(10) + TimeDelta::seconds(30);
        let decision = first.assess(&session, window_end, &SessionPolicy::default(), &laptop());
        assert_eq!(decision, Err(RefreshRejection::Reuse));
    }

    #[test]
    fn an_older_token_is_reuse_even_inside_the_grace_window() {
        let (mut session, first, mut second) = rotated_chain();
        let again = t0() + TimeDelta::seconds(12);
        second.mark_used(token_id(3), again, laptop());
        session.rotate_refresh_token(token_id(3), again);
        let decision = first.assess(&session, again, &SessionPolicy::default(), &laptop());
        assert_eq!(decision, Err(RefreshRejection::Reuse));
    }

    #[test]
    fn a_token_of_a_revoked_session_is_refused_as_inactive() {
        let (mut session, _, second) = rotated_chain();
        session
            .revoke(
                crate::RevocationReason::Logout,
                t0() + TimeDelta::seconds(11),
            )
            .unwrap();
        let decision = second.assess(
            &session,
            t0() + TimeDelta::seconds(12),
            &SessionPolicy::default(),
            &laptop(),
        );
        assert_eq!(
            decision,
            Err(RefreshRejection::SessionInactive(SessionInactive {
                status: SessionStatus::Revoked(crate::RevocationReason::Logout)
            }))
        );
    }

    #[test]
    fn a_refresh_token_never_outlives_its_session() {
        let (session, _, second) = rotated_chain();
        let decision = second.assess(
            &session,
            t0() + TimeDelta::days(30),
            &SessionPolicy::default(),
            &laptop(),
        );
        assert_eq!(
            decision,
            Err(RefreshRejection::SessionInactive(SessionInactive {
                status: SessionStatus::Expired
            }))
        );
    }

    #[test]
    fn a_token_presented_for_another_session_is_refused() {
        let (_, _, second) = rotated_chain();
        let other = session_with_token(token_id(9));
        let mut other_state = other.state().clone();
        other_state.id = SessionId::from_uuid(Uuid::from_u128(101));
        let other = Session::restore(other_state);
        assert_eq!(
            second.assess(&other, t0(), &SessionPolicy::default(), &laptop()),
            Err(RefreshRejection::WrongSession)
        );
    }

    #[test]
    fn debug_output_of_a_hash_shows_only_a_prefix() {
        let hash = TokenHash::from_bytes([0xab; 32]);
        assert_eq!(format!("{hash:?}"), "TokenHash(abab…)");
    }
}
