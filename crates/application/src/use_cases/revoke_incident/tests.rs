use std::sync::{Arc, Mutex};

use sessions_domain::{CountryCode, SessionState};

use super::*;
use crate::{
    Caller,
    use_cases::test_support::{MockPorts, alice_id, client, session_id, session_of, t0, uuid},
};

fn admin() -> Caller {
    Caller::admin(client())
}

/// Session `n` of alice's, from Firefox on Linux when `n` is even (Chrome on macOS if odd).
fn numbered(n: u128) -> Session {
    let session = session_of(alice_id(), n);
    if n.is_multiple_of(2) {
        let state = SessionState {
            user_agent: sessions_domain::UserAgent::from_header("Firefox-on-Linux"),
            ..session.state().clone()
        };
        Session::restore(state)
    } else {
        session
    }
}

fn firefox() -> SessionFilter {
    SessionFilter {
        device: Some("firefox".into()),
        ..SessionFilter::default()
    }
}

/// The store holds sessions 1..=total; candidates are served in pages after the id given.
fn with_sessions(ports: &mut MockPorts, total: u128) {
    ports
        .sessions
        .expect_find_active_candidates()
        .returning(move |_, _, after, limit| {
            let start = after.map_or(1, |id| id.as_uuid().as_u128() + 1);
            Ok((start..=total).take(limit as usize).map(numbered).collect())
        });
    ports.with_client_enrichment(None);
}

#[tokio::test]
async fn an_empty_filter_is_refused_before_anything_is_read() {
    let mut ports = MockPorts::new();
    ports.sessions.expect_find_active_candidates().never();
    let result = ports
        .app()
        .revoke_incident(SessionFilter::default(), false, &admin())
        .await;
    assert!(matches!(result, Err(RevokeIncidentError::EmptyFilter)));
}

#[tokio::test]
async fn a_dry_run_counts_and_samples_every_page_and_revokes_nothing() {
    let mut ports = MockPorts::new();
    with_sessions(&mut ports, 1_203);
    ports.sessions.expect_revoke_many().never();
    let outcome = ports
        .app()
        .revoke_incident(firefox(), true, &admin())
        .await
        .unwrap();
    assert_eq!(outcome.matched, 601);
    assert_eq!(outcome.revoked, 0);
    assert_eq!(outcome.incident, None);
    assert_eq!(outcome.sample.len(), SAMPLE_SIZE);
    assert!(
        outcome
            .sample
            .iter()
            .all(|s| s.id().as_uuid().as_u128().is_multiple_of(2))
    );
}

#[tokio::test]
async fn a_real_run_revokes_the_matching_sessions_in_short_batches_as_one_incident_by_the_admin() {
    let mut ports = MockPorts::new();
    with_sessions(&mut ports, 1_203);
    ports.ids.expect_next_id().returning(|| uuid(77));
    let revoked: Arc<Mutex<Vec<SessionId>>> = Arc::default();
    let seen = Arc::clone(&revoked);
    ports
        .sessions
        .expect_revoke_many()
        .withf(|ids, reason, now, cause| {
            ids.len() <= REVOCATIONS
                && *reason == RevocationReason::Admin
                && *now == t0()
                && cause.actor == sessions_domain::Actor::Admin
                && cause.incident == Some(IncidentId::from_uuid(uuid(77)))
                && cause.origin.as_ref().map(|origin| origin.ip) == Some(client().ip)
        })
        .times(8)
        .returning(move |ids, _, _, _| {
            seen.lock().unwrap().extend_from_slice(ids);
            Ok(ids.len() as u64)
        });
    let outcome = ports
        .app()
        .revoke_incident(firefox(), false, &admin())
        .await
        .unwrap();
    assert_eq!(outcome.matched, 601);
    assert_eq!(outcome.revoked, 601);
    assert_eq!(outcome.incident, Some(IncidentId::from_uuid(uuid(77))));
    let revoked = revoked.lock().unwrap();
    assert_eq!(revoked.len(), 601);
    assert!(
        revoked
            .iter()
            .all(|id| id.as_uuid().as_u128().is_multiple_of(2))
    );
    assert!(revoked.contains(&session_id(1_202)));
}

#[tokio::test]
async fn sessions_no_longer_active_are_neither_counted_nor_revoked() {
    let mut ports = MockPorts::new();
    ports.now = t0() + chrono::TimeDelta::days(31);
    with_sessions(&mut ports, 10);
    ports.sessions.expect_revoke_many().never();
    let filter = SessionFilter {
        country: CountryCode::parse("US").ok(),
        ..SessionFilter::default()
    };
    ports.ids.expect_next_id().returning(|| uuid(77));
    let outcome = ports
        .app()
        .revoke_incident(filter, false, &admin())
        .await
        .unwrap();
    assert_eq!((outcome.matched, outcome.revoked), (0, 0));
}
