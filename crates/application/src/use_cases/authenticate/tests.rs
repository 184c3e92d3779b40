//! The authenticate use case against mocks of its ports.

use chrono::TimeDelta;
use sessions_domain::{CountryCode, RevocationReason, SessionEventKind, SuspiciousKind};

use super::*;
use crate::{
    ports::{InvalidAccessToken, WriteError},
    use_cases::test_support::{
        MockPorts, alice_id, at, claims_for, client, mallory_id, session_of,
    },
};

fn expect_stored(ports: &mut MockPorts, session: Session) {
    ports
        .sessions
        .expect_find()
        .returning(move |_| Ok(Some(session.clone())));
}

#[tokio::test]
async fn a_valid_token_inside_the_write_threshold_authenticates_without_a_write() {
    let mut ports = MockPorts::new();
    ports.now = at(30);
    ports.accept_access_token(1);
    expect_stored(&mut ports, session_of(alice_id(), 1));
    ports.with_client_enrichment(Some("US"));
    ports.sessions.expect_save().never();

    let authenticated = ports.app().authenticate("access", &client()).await.unwrap();

    assert_eq!(authenticated.touch.write, TouchWrite::Nothing);
    assert_eq!(authenticated.session.state().last_activity_at, at(0));
}

#[tokio::test]
async fn activity_after_the_write_threshold_is_recorded_without_a_version_check() {
    let mut ports = MockPorts::new();
    ports.now = at(61);
    ports.accept_access_token(1);
    expect_stored(&mut ports, session_of(alice_id(), 1));
    ports.with_client_enrichment(Some("US"));
    ports
        .sessions
        .expect_record_activity()
        .withf(|session| session.state().last_activity_at == at(61))
        .times(1)
        .returning(|_| Ok(true));
    ports.sessions.expect_save().never();

    let authenticated = ports.app().authenticate("access", &client()).await.unwrap();

    assert_eq!(authenticated.touch.write, TouchWrite::Activity);
    assert_eq!(authenticated.session.state().version, 1);
}

#[tokio::test]
async fn a_bad_token_is_unauthorized_without_touching_the_store() {
    let mut ports = MockPorts::new();
    ports
        .access_tokens
        .expect_verify()
        .returning(|_| Err(InvalidAccessToken));
    let result = ports.app().authenticate("forged", &client()).await;
    assert!(matches!(result, Err(AuthenticateError::Unauthorized)));
}

#[tokio::test]
async fn a_token_is_expired_exactly_at_its_exp() {
    let mut ports = MockPorts::new();
    ports.now = at(0) + TimeDelta::minutes(15);
    ports.accept_access_token(1);
    let result = ports.app().authenticate("access", &client()).await;
    assert!(matches!(result, Err(AuthenticateError::Unauthorized)));
}

#[tokio::test]
async fn a_revoked_session_is_reported_as_revoked() {
    let mut ports = MockPorts::new();
    ports.accept_access_token(1);
    let mut session = session_of(alice_id(), 1);
    session
        .revoke(RevocationReason::UserRevoked, at(0))
        .unwrap();
    expect_stored(&mut ports, session);
    ports.with_client_enrichment(Some("US"));
    let result = ports.app().authenticate("access", &client()).await;
    assert!(matches!(result, Err(AuthenticateError::SessionRevoked)));
}

#[tokio::test]
async fn an_expired_session_is_reported_as_expired() {
    let mut ports = MockPorts::new();
    ports.access_tokens.expect_verify().returning(|_| {
        let mut claims = claims_for(alice_id(), 1);
        claims.expires_at = at(0) + TimeDelta::days(31);
        Ok(claims)
    });
    ports.now = at(0) + TimeDelta::days(30);
    expect_stored(&mut ports, session_of(alice_id(), 1));
    ports.with_client_enrichment(Some("US"));
    let result = ports.app().authenticate("access", &client()).await;
    assert!(matches!(result, Err(AuthenticateError::SessionExpired)));
}

#[tokio::test]
async fn a_deleted_session_is_unauthorized() {
    let mut ports = MockPorts::new();
    ports.accept_access_token(1);
    ports.sessions.expect_find().returning(|_| Ok(None));
    let result = ports.app().authenticate("access", &client()).await;
    assert!(matches!(result, Err(AuthenticateError::Unauthorized)));
}

#[tokio::test]
async fn a_token_naming_another_users_session_is_unauthorized() {
    let mut ports = MockPorts::new();
    ports.accept_access_token(1);
    expect_stored(&mut ports, session_of(mallory_id(), 1));
    let result = ports.app().authenticate("access", &client()).await;
    assert!(matches!(result, Err(AuthenticateError::Unauthorized)));
}

#[tokio::test]
async fn a_request_from_another_country_stores_the_suspicious_event() {
    let mut ports = MockPorts::new();
    ports.accept_access_token(1);
    expect_stored(&mut ports, session_of(alice_id(), 1));
    ports.with_client_enrichment(Some("DE"));
    ports
        .sessions
        .expect_save()
        .withf(|session, events| {
            session.state().suspicious_activity_count == 1
                && events.len() == 1
                && events[0].kind
                    == SessionEventKind::SuspiciousActivity {
                        kind: SuspiciousKind::CountryChanged,
                        count: 1,
                    }
        })
        .times(1)
        .returning(|_, _| Ok(()));

    let authenticated = ports.app().authenticate("access", &client()).await.unwrap();

    assert_eq!(
        authenticated.touch.suspicious,
        Some(SuspiciousKind::CountryChanged)
    );
}

#[tokio::test]
async fn the_request_that_reaches_the_threshold_is_refused_after_storing_the_revocation() {
    let mut ports = MockPorts::new();
    ports.accept_access_token(1);
    let mut session = session_of(alice_id(), 1);
    let mut state = session.state().clone();
    state.suspicious_activity_count = 2;
    session = Session::restore(state);
    expect_stored(&mut ports, session);
    ports.with_client_enrichment(Some("DE"));
    ports
        .sessions
        .expect_save()
        .withf(|session, events| session.is_revoked() && events.len() == 2)
        .times(1)
        .returning(|_, _| Ok(()));

    let result = ports.app().authenticate("access", &client()).await;

    assert!(matches!(result, Err(AuthenticateError::SessionRevoked)));
}

#[tokio::test]
async fn activity_refused_because_of_a_revocation_meanwhile_fails_as_revoked() {
    let mut ports = MockPorts::new();
    ports.now = at(61);
    ports.accept_access_token(1);
    let mut revoked = session_of(alice_id(), 1);
    revoked.revoke(RevocationReason::Admin, at(60)).unwrap();
    let mut reads = vec![revoked, session_of(alice_id(), 1)];
    ports
        .sessions
        .expect_find()
        .times(2)
        .returning(move |_| Ok(reads.pop()));
    ports.with_client_enrichment(Some("US"));
    ports
        .sessions
        .expect_record_activity()
        .times(1)
        .returning(|_| Ok(false));

    let result = ports.app().authenticate("access", &client()).await;

    assert!(matches!(result, Err(AuthenticateError::SessionRevoked)));
}

#[tokio::test]
async fn a_conflicting_state_write_is_decided_again_on_fresh_state() {
    let mut ports = MockPorts::new();
    ports.accept_access_token(1);
    let mut moved_on = session_of(alice_id(), 1);
    let mut state = moved_on.state().clone();
    state.suspicious_activity_count = 1;
    state.version = 1;
    moved_on = Session::restore(state);
    let mut reads = vec![moved_on, session_of(alice_id(), 1)];
    ports
        .sessions
        .expect_find()
        .times(2)
        .returning(move |_| Ok(reads.pop()));
    ports.with_client_enrichment(Some("DE"));
    let mut saves = 0;
    ports
        .sessions
        .expect_save()
        .times(2)
        .returning(move |session, _| {
            saves += 1;
            if saves == 1 {
                Err(WriteError::Conflict)
            } else {
                assert_eq!(session.state().suspicious_activity_count, 2);
                assert_eq!(session.state().version, 1);
                Ok(())
            }
        });

    let authenticated = ports.app().authenticate("access", &client()).await.unwrap();

    assert_eq!(authenticated.session.state().suspicious_activity_count, 2);
}

#[tokio::test]
async fn endless_conflicts_give_up_as_contended() {
    let mut ports = MockPorts::new();
    ports.accept_access_token(1);
    expect_stored(&mut ports, session_of(alice_id(), 1));
    ports.with_client_enrichment(Some("DE"));
    ports
        .sessions
        .expect_save()
        .times(8)
        .returning(|_, _| Err(WriteError::Conflict));
    let result = ports.app().authenticate("access", &client()).await;
    assert!(matches!(result, Err(AuthenticateError::Contended)));
}

#[tokio::test]
async fn a_country_from_the_proxy_header_is_used_when_geolocation_knows_nothing() {
    let mut ports = MockPorts::new();
    ports.accept_access_token(1);
    expect_stored(&mut ports, session_of(alice_id(), 1));
    ports.with_client_enrichment(None);
    ports
        .sessions
        .expect_save()
        .times(1)
        .returning(|_, _| Ok(()));
    let mut from_france = client();
    from_france.country_hint = CountryCode::parse("FR").ok();

    let authenticated = ports
        .app()
        .authenticate("access", &from_france)
        .await
        .unwrap();

    assert_eq!(
        authenticated.touch.suspicious,
        Some(SuspiciousKind::CountryChanged)
    );
}
