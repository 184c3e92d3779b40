//! An incident response's two storage steps: the candidates (a superset of the matching
//! active sessions, never a revoked or expired one) and the revocation of many sessions at
//! once with one event each.

use chrono::TimeDelta;
use sessions_domain::{
    Actor, AuditEventKind, Cause, CountryCode, IncidentId, ProviderSlug, RevocationReason, Session,
    SessionEventKind, SessionFilter, SessionId, SessionPolicy,
};

use super::conformance_tests;
use crate::support::{
    fixtures::{admin_from, events_of, now, reload, session_start, stored_user},
    store::StoreUnderTest,
};

async fn started_from(store: &StoreUnderTest, user: sessions_domain::UserId, ip: &str) -> Session {
    let start = session_start(
        user,
        ip,
        now() - TimeDelta::hours(1),
        SessionPolicy::default(),
    );
    store.sessions.start(&start).await.expect("start session");
    start.session
}

/// Every candidate page after another, in id order.
async fn all_candidates(store: &StoreUnderTest, filter: &SessionFilter) -> Vec<SessionId> {
    let mut found = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .sessions
            .find_active_candidates(filter, now(), after, 2)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id());
        found.extend(page.iter().map(Session::id));
    }
    found
}

async fn candidates_hold_every_matching_active_session_and_no_ended_one(store: StoreUnderTest) {
    let alice = stored_user(&store).await.id;
    let bob = stored_user(&store).await.id;
    let mut sessions = Vec::new();
    for (user, ip) in [
        (alice, "198.51.100.7"),
        (alice, "198.51.100.8"),
        (bob, "198.51.100.9"),
        (bob, "203.0.113.5"),
        (alice, "198.51.100.10"),
    ] {
        sessions.push(started_from(&store, user, ip).await);
    }
    let mut revoked = sessions[4].clone();
    revoked.revoke(RevocationReason::Logout, now()).unwrap();
    store.sessions.save_revocation(&revoked, &[]).await.unwrap();
    let filter = SessionFilter {
        network: Some("198.51.100.0/24".parse().unwrap()),
        country: CountryCode::parse("US").ok(),
        user_ids: vec![alice, bob],
        created_after: Some(now() - TimeDelta::days(1)),
        created_before: Some(now()),
        ..SessionFilter::default()
    };

    let candidates = all_candidates(&store, &filter).await;

    for matching in &sessions[..3] {
        assert!(candidates.contains(&matching.id()));
    }
    assert!(!candidates.contains(&sessions[4].id()), "revoked");
    assert!(candidates.windows(2).all(|pair| pair[0] < pair[1]));
    let elsewhere = SessionFilter {
        country: CountryCode::parse("PT").ok(),
        ..SessionFilter::default()
    };
    assert!(all_candidates(&store, &elsewhere).await.is_empty());
    let by_provider = SessionFilter {
        provider: Some(ProviderSlug::parse("plaid").unwrap()),
        ..SessionFilter::default()
    };
    assert!(all_candidates(&store, &by_provider).await.is_empty());
}

async fn many_sessions_are_revoked_at_once_each_with_its_event_and_only_once(
    store: StoreUnderTest,
) {
    let alice = stored_user(&store).await.id;
    let bob = stored_user(&store).await.id;
    let first = started_from(&store, alice, "198.51.100.7").await;
    let second = started_from(&store, bob, "198.51.100.8").await;
    let untouched = started_from(&store, bob, "198.51.100.9").await;
    let incident = IncidentId::from_uuid(uuid::Uuid::now_v7());
    let cause = Cause {
        incident: Some(incident),
        ..admin_from("192.0.2.10")
    };
    let ids = [first.id(), second.id()];

    let revoked = store
        .sessions
        .revoke_many(&ids, RevocationReason::Admin, now(), &cause)
        .await
        .unwrap();
    let again = store
        .sessions
        .revoke_many(&ids, RevocationReason::Admin, now(), &cause)
        .await
        .unwrap();

    assert_eq!((revoked, again), (2, 0));
    for id in ids {
        let revocation = reload(&store, id).await.state().revocation.unwrap();
        assert_eq!(revocation.reason, RevocationReason::Admin);
        let events = events_of(&store, id).await;
        assert_eq!(events.len(), 2, "created, then revoked once");
        let last = &events[1];
        assert_eq!(
            last.kind,
            AuditEventKind::Session(SessionEventKind::Revoked {
                reason: RevocationReason::Admin,
                evicted_by: None
            })
        );
        assert_eq!(last.cause.actor, Actor::Admin);
        assert_eq!(last.cause.incident, Some(incident));
    }
    assert!(!reload(&store, untouched.id()).await.is_revoked());
}

conformance_tests!(
    candidates_hold_every_matching_active_session_and_no_ended_one,
    many_sessions_are_revoked_at_once_each_with_its_event_and_only_once,
);
