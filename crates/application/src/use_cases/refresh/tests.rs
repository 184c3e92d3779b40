//! The refresh use case against mocks of its ports.

use chrono::TimeDelta;
use sessions_domain::{RevocationReason, Session, SessionEventKind, TokenHash};

use super::*;
use crate::use_cases::test_support::{
    MockPorts, alice_id, at, client, parse_fake_user_agent, session_of, uuid,
};

fn presented() -> SecretToken {
    SecretToken::new("presented".into())
}

/// The client of the tests' rotations (see `test_support::client`).
fn rotating_client() -> RefreshClient {
    RefreshClient {
        ip: client().ip,
        device: client()
            .user_agent
            .as_ref()
            .map(|agent| parse_fake_user_agent(agent).fingerprint),
    }
}

/// Fake secrets: the hash is the first byte of the value, the successor appends "+" and the
/// rotation's time in seconds after t0; the fake device parser, no geolocation.
fn expect_secrets(ports: &mut MockPorts) {
    ports.with_client_enrichment(None);
    ports.token_secrets.expect_hash().returning(|secret| {
        TokenHash::from_bytes([u8::try_from(secret.expose().len()).unwrap(); 32])
    });
    ports
        .token_secrets
        .expect_successor_of()
        .returning(|secret, rotated_at| {
            let seconds = (rotated_at - at(0)).num_seconds();
            SecretToken::new(format!("{}+{seconds}", secret.expose()))
        });
    ports
        .access_tokens
        .expect_issue()
        .returning(|_| Ok("access".into()));
}

/// Session 1 of Alice, whose current token is `current`.
fn session_with_current(current: RefreshTokenId) -> Session {
    let mut session = session_of(alice_id(), 1);
    session.rotate_refresh_token(current, at(0));
    session
}

fn unused_token() -> RefreshToken {
    RefreshToken::issue(
        RefreshTokenId::from_uuid(uuid(501)),
        session_of(alice_id(), 1).id(),
        TokenHash::from_bytes([9; 32]),
        at(0),
    )
}

fn used_token(used_at: i64) -> RefreshToken {
    let mut token = unused_token();
    token.mark_used(
        RefreshTokenId::from_uuid(uuid(502)),
        at(used_at),
        rotating_client(),
    );
    token
}

fn expect_lookup(ports: &mut MockPorts, token: RefreshToken, session: Session) {
    ports
        .refresh_tokens
        .expect_find_with_session()
        .withf(|hash| *hash == TokenHash::from_bytes([9; 32]))
        .returning(move |_| Ok(Some((token.clone(), session.clone()))));
}

#[tokio::test]
async fn an_unused_token_is_rotated_into_its_derived_successor() {
    let mut ports = MockPorts::new();
    ports.now = at(5);
    expect_secrets(&mut ports);
    expect_lookup(
        &mut ports,
        unused_token(),
        session_with_current(unused_token().id),
    );
    ports.ids.expect_next_id().times(1).return_const(uuid(502));
    ports
        .refresh_tokens
        .expect_rotate()
        .withf(|rotation| {
            rotation.used.used_at == Some(at(5))
                && rotation.used.used_by == Some(rotating_client())
                && rotation.used.successor_id == Some(rotation.successor.id)
                && rotation.successor.hash == TokenHash::from_bytes([11; 32])
                && rotation.session.refresh_token_id() == Some(rotation.successor.id)
                && rotation.session.state().version == 0
        })
        .times(1)
        .returning(|_| Ok(()));

    let pair = ports.app().refresh(&presented(), &client()).await.unwrap();

    assert_eq!(pair.refresh_token.expose(), "presented+5");
    assert_eq!(
        pair.session.session.refresh_token_id(),
        Some(RefreshTokenId::from_uuid(uuid(502)))
    );
}

#[tokio::test]
async fn the_previous_token_inside_the_grace_window_returns_the_same_successor() {
    // Used at 5 s, replayed at 20 s: the successor is derived as at 5 s, with the key of
    // the rotation's moment.
    let mut ports = MockPorts::new();
    ports.now = at(20);
    expect_secrets(&mut ports);
    expect_lookup(
        &mut ports,
        used_token(5),
        session_with_current(RefreshTokenId::from_uuid(uuid(502))),
    );
    ports.refresh_tokens.expect_rotate().never();
    ports
        .events
        .expect_append()
        .withf(|events| {
            events.len() == 1
                && events[0].kind
                    == SessionEventKind::RefreshReplayed {
                        ip: client().ip,
                        user_agent: client().user_agent,
                    }
        })
        .times(1)
        .returning(|_| Ok(()));

    let pair = ports.app().refresh(&presented(), &client()).await.unwrap();

    assert_eq!(pair.refresh_token.expose(), "presented+5");
}

#[tokio::test]
async fn the_previous_token_from_another_network_inside_the_window_revokes_the_session() {
    let mut ports = MockPorts::new();
    ports.now = at(20);
    expect_secrets(&mut ports);
    expect_lookup(
        &mut ports,
        used_token(5),
        session_with_current(RefreshTokenId::from_uuid(uuid(502))),
    );
    ports.events.expect_append().never();
    ports.sessions.expect_find().times(1).returning(|_| {
        Ok(Some(session_with_current(RefreshTokenId::from_uuid(uuid(
            502,
        )))))
    });
    ports
        .sessions
        .expect_save_revocation()
        .times(1)
        .returning(|_, _| Ok(true));
    let thief = ClientContext {
        ip: "198.51.100.66".parse().unwrap(),
        ..client()
    };

    let result = ports.app().refresh(&presented(), &thief).await;

    assert!(matches!(result, Err(RefreshError::RefreshTokenReuse)));
}

#[tokio::test]
async fn the_previous_token_after_the_grace_window_revokes_the_session() {
    let mut ports = MockPorts::new();
    ports.now = at(35);
    expect_secrets(&mut ports);
    expect_lookup(
        &mut ports,
        used_token(5),
        session_with_current(RefreshTokenId::from_uuid(uuid(502))),
    );
    ports.sessions.expect_find().times(1).returning(|_| {
        Ok(Some(session_with_current(RefreshTokenId::from_uuid(uuid(
            502,
        )))))
    });
    ports
        .sessions
        .expect_save_revocation()
        .withf(|session, events| {
            session.state().revocation.map(|r| r.reason)
                == Some(RevocationReason::RefreshTokenReuse)
                && events[0].kind == SessionEventKind::RefreshTokenReuse
        })
        .times(1)
        .returning(|_, _| Ok(true));

    let result = ports.app().refresh(&presented(), &client()).await;

    assert!(matches!(result, Err(RefreshError::RefreshTokenReuse)));
}

#[tokio::test]
async fn a_lost_rotation_race_is_decided_again_and_replays_the_winner() {
    let mut ports = MockPorts::new();
    ports.now = at(5);
    expect_secrets(&mut ports);
    let mut lookups = vec![
        (
            used_token(5),
            session_with_current(RefreshTokenId::from_uuid(uuid(502))),
        ),
        (unused_token(), session_with_current(unused_token().id)),
    ];
    ports
        .refresh_tokens
        .expect_find_with_session()
        .times(2)
        .returning(move |_| Ok(lookups.pop()));
    ports.ids.expect_next_id().return_const(uuid(777));
    ports
        .refresh_tokens
        .expect_rotate()
        .times(1)
        .returning(|_| Err(WriteError::Conflict));
    ports.events.expect_append().times(1).returning(|_| Ok(()));

    let pair = ports.app().refresh(&presented(), &client()).await.unwrap();

    assert_eq!(pair.refresh_token.expose(), "presented+5");
}

#[tokio::test]
async fn an_unknown_token_is_invalid() {
    let mut ports = MockPorts::new();
    expect_secrets(&mut ports);
    ports
        .refresh_tokens
        .expect_find_with_session()
        .returning(|_| Ok(None));
    let result = ports.app().refresh(&presented(), &client()).await;
    assert!(matches!(result, Err(RefreshError::InvalidRefreshToken)));
}

#[tokio::test]
async fn a_token_of_a_revoked_session_is_refused_as_revoked() {
    let mut ports = MockPorts::new();
    expect_secrets(&mut ports);
    let mut session = session_with_current(unused_token().id);
    session.revoke(RevocationReason::Logout, at(0)).unwrap();
    expect_lookup(&mut ports, unused_token(), session);
    let result = ports.app().refresh(&presented(), &client()).await;
    assert!(matches!(result, Err(RefreshError::SessionRevoked)));
}

#[tokio::test]
async fn a_token_of_an_expired_session_is_refused_as_expired() {
    let mut ports = MockPorts::new();
    ports.now = at(0) + TimeDelta::days(30);
    expect_secrets(&mut ports);
    expect_lookup(
        &mut ports,
        unused_token(),
        session_with_current(unused_token().id),
    );
    let result = ports.app().refresh(&presented(), &client()).await;
    assert!(matches!(result, Err(RefreshError::SessionExpired)));
}
