//! The rotation rules of refresh tokens.

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
            new_device: None,
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
