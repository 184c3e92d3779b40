//! The event store: every kind of event survives storage unchanged.

use sessions_domain::{
    ProviderSlug, RevocationReason, SessionEvent, SessionEventKind, SessionId, SuspiciousKind,
};

use super::conformance_tests;
use crate::support::{
    fixtures::{later, now, started_session, stored_user},
    store::StoreUnderTest,
};

async fn every_kind_of_event_reads_back_unchanged(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let (session, _) = started_session(&store, user.id, now()).await;
    let kinds = [
        SessionEventKind::IpChanged {
            from: "203.0.113.7".parse().unwrap(),
            to: "2001:db8::1".parse().unwrap(),
            same_network: false,
        },
        SessionEventKind::SuspiciousActivity {
            kind: SuspiciousKind::CountryChanged,
            count: 1,
        },
        SessionEventKind::ProviderAccessed {
            provider: ProviderSlug::parse("plaid").unwrap(),
        },
        SessionEventKind::Trusted,
        SessionEventKind::Untrusted,
        SessionEventKind::RefreshTokenReuse,
        SessionEventKind::Revoked {
            reason: RevocationReason::SessionLimit,
            evicted_by: Some(SessionId::from_uuid(uuid::Uuid::now_v7())),
        },
    ];
    let events: Vec<SessionEvent> = kinds
        .into_iter()
        .enumerate()
        .map(|(n, kind)| SessionEvent {
            session_id: session.id(),
            user_id: user.id,
            at: later(now(), i64::try_from(n).unwrap()),
            kind,
        })
        .collect();
    store.sessions.save(&session, &events).await.unwrap();

    let stored = store.events.list_for_session(session.id()).await.unwrap();

    assert_eq!(stored[0].kind, SessionEventKind::Created);
    assert_eq!(stored[1..], events[..]);
}

async fn an_unknown_session_has_no_events(store: StoreUnderTest) {
    let events = store
        .events
        .list_for_session(SessionId::from_uuid(uuid::Uuid::now_v7()))
        .await
        .unwrap();
    assert!(events.is_empty());
}

conformance_tests!(
    every_kind_of_event_reads_back_unchanged,
    an_unknown_session_has_no_events,
);
