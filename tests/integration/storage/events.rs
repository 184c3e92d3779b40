//! The event store: every kind of event survives storage unchanged; events outlive their
//! session and leave by their own retention.

use chrono::{DateTime, TimeDelta, Utc};
use sessions_application::{
    ports::{CleanupBatch, EndedBy, EventFilter},
    use_cases::EventPaging,
};
use sessions_domain::{
    Actor, AuditEventKind, Cause, DeviceInfo, IncidentId, Location, Origin, ProviderSlug,
    RevocationReason, SessionEvent, SessionEventKind, SessionId, SessionPolicy, SuspiciousKind,
    UserAgent,
};

use super::conformance_tests;
use crate::support::{
    app::application,
    fixtures::{events_of, later, now, started_session, stored_user},
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
    let causes = [
        Cause::SYSTEM,
        Cause {
            actor: Actor::Admin,
            origin: Some(Origin {
                ip: "2001:db8::5".parse().unwrap(),
                user_agent: UserAgent::from_header("curl/8.5"),
                device: Some(DeviceInfo::new("curl 8.5".into())),
                location: Location::parse_display("Lisbon, PT"),
            }),
            incident: Some(IncidentId::from_uuid(uuid::Uuid::now_v7())),
        },
        Cause {
            actor: Actor::session(session.id()),
            origin: Some(Origin {
                ip: "198.51.100.9".parse().unwrap(),
                user_agent: None,
                device: None,
                location: None,
            }),
            incident: None,
        },
        Cause {
            actor: Actor::Service,
            origin: None,
            incident: None,
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
            cause: causes[n % causes.len()].clone(),
        })
        .collect();
    store.sessions.save(&session, &events).await.unwrap();

    let stored = events_of(&store, session.id()).await;

    assert_eq!(
        stored[0].kind,
        AuditEventKind::Session(SessionEventKind::Created { new_device: None })
    );
    assert_eq!(stored.len(), events.len() + 1);
    for (stored, written) in stored[1..].iter().zip(&events) {
        assert_eq!(stored.session_id, Some(written.session_id));
        assert_eq!(stored.user_id, Some(written.user_id));
        assert_eq!(stored.at, written.at);
        assert_eq!(stored.kind, AuditEventKind::Session(written.kind.clone()));
        assert_eq!(stored.cause, written.cause);
    }
    assert!(
        stored
            .windows(2)
            .all(|pair| pair[0].sequence < pair[1].sequence)
    );
}

async fn an_unknown_session_has_no_events(store: StoreUnderTest) {
    let events = events_of(&store, SessionId::from_uuid(uuid::Uuid::now_v7())).await;
    assert!(events.is_empty());
}

async fn a_cleaned_up_sessions_events_stay(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let at = now();
    let (ended, _) = started_session(&store, user.id, at - TimeDelta::days(40)).await;
    let deleted = store
        .sessions
        .delete_ended(CleanupBatch {
            ended_by: EndedBy::Expiry,
            from: DateTime::<Utc>::UNIX_EPOCH,
            before: at - TimeDelta::days(7),
            size: 10,
        })
        .await
        .unwrap();

    assert_eq!(deleted.count, 1);
    assert_eq!(store.sessions.find(ended.id()).await.unwrap(), None);
    let events = events_of(&store, ended.id()).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].kind,
        AuditEventKind::Session(SessionEventKind::Created { new_device: None })
    );
}

/// Through the application: its cleanup deletes a session ended longer ago than the
/// retention, the administrators' search still finds the session's events, and the events
/// older than the audit retention are gone.
async fn the_cleanup_keeps_a_deleted_sessions_events_searchable_until_the_audit_retention(
    store: StoreUnderTest,
) {
    let user = stored_user(&store).await;
    let at = now();
    let policy = SessionPolicy::default();
    let (ended, _) = started_session(&store, user.id, at - TimeDelta::days(40)).await;
    let (ancient, _) = started_session(
        &store,
        user.id,
        at - policy.audit_retention - TimeDelta::days(40),
    )
    .await;
    let app = application(&store, policy);

    let report = app.cleanup().await.unwrap();

    assert_eq!(report.deleted, 2);
    assert_eq!(report.events, 1, "the ancient session's event");
    assert_eq!(store.sessions.find(ended.id()).await.unwrap(), None);
    let found = app
        .search_events(
            EventFilter {
                user_id: Some(user.id),
                ..EventFilter::default()
            },
            EventPaging::default(),
        )
        .await
        .unwrap();
    let sessions: Vec<_> = found.events.iter().map(|event| event.session_id).collect();
    assert_eq!(sessions, [Some(ended.id())]);
    assert!(events_of(&store, ancient.id()).await.is_empty());
}

async fn events_leave_oldest_first_once_older_than_the_cutoff(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let at = now();
    let mut sessions = Vec::new();
    for days_ago in [500, 450, 420, 10] {
        let (session, _) = started_session(&store, user.id, at - TimeDelta::days(days_ago)).await;
        sessions.push(session.id());
    }
    let cutoff = at - TimeDelta::days(400);

    let first = store
        .events
        .delete_recorded_before(cutoff, 2)
        .await
        .unwrap();
    let oldest_left = events_of(&store, sessions[2]).await;
    let second = store
        .events
        .delete_recorded_before(cutoff, 2)
        .await
        .unwrap();

    assert_eq!((first, second), (2, 1));
    assert_eq!(oldest_left.len(), 1, "the oldest go first");
    for old in &sessions[..3] {
        assert!(events_of(&store, *old).await.is_empty());
    }
    assert_eq!(events_of(&store, sessions[3]).await.len(), 1);
}

conformance_tests!(
    every_kind_of_event_reads_back_unchanged,
    an_unknown_session_has_no_events,
    a_cleaned_up_sessions_events_stay,
    the_cleanup_keeps_a_deleted_sessions_events_searchable_until_the_audit_retention,
    events_leave_oldest_first_once_older_than_the_cutoff,
);
