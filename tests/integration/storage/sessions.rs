//! The session repository.

use chrono::{DateTime, TimeDelta, Utc};
use sessions_application::{
    SessionCursor,
    ports::{
        ActiveFilter, CleanupBatch, DeletedBatch, EndedBy, SessionQuery, StartSessionError,
        WriteError,
    },
};
use sessions_domain::{
    Actor, AuditEventKind, Cause, CountryCode, ProviderSlug, RevocationReason, Session,
    SessionEventKind, SessionId, SessionLimit, SessionPolicy, TouchRequest, UserId,
};
use uuid::Uuid;

use super::conformance_tests;
use crate::support::{
    fixtures::{
        admin_from, event_types, events_of, later, now, reload, session_start, started_session,
        stored_user,
    },
    race::released_together,
    store::StoreUnderTest,
};

fn touch_from(ip: &str) -> TouchRequest {
    TouchRequest {
        ip: ip.parse().unwrap(),
        device: None,
        original_device: None,
        country: CountryCode::parse("DE").ok(),
    }
}

async fn a_session_reads_back_with_every_field(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let at = now();
    let start = session_start(user.id, "2001:db8::7", at, SessionPolicy::default());
    let evicted = store.sessions.start(&start).await.unwrap();
    assert!(evicted.is_empty());
    assert_eq!(reload(&store, start.session.id()).await, start.session);

    let policy = SessionPolicy::default();
    let mut session = start.session.clone();
    session
        .touch(&touch_from("198.51.100.9"), later(at, 1), &policy)
        .unwrap();
    session.trust(later(at, 2), &policy).unwrap();
    session
        .record_provider_access(ProviderSlug::parse("plaid").unwrap(), later(at, 3), &policy)
        .unwrap();
    store.sessions.save(&session, &[]).await.unwrap();
    session.advance_version();

    let stored = reload(&store, session.id()).await;
    assert_eq!(stored, session);
    assert_eq!(stored.state().version, 1);
    assert_eq!(stored.state().suspicious_activity_count, 1);
}

async fn ipv4_and_ipv6_addresses_round_trip_as_plain_addresses(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let start = session_start(user.id, "2001:db8:1:2::42", now(), SessionPolicy::default());
    store.sessions.start(&start).await.unwrap();
    let mut session = start.session.clone();
    session
        .touch(
            &touch_from("203.0.113.200"),
            later(now(), 1),
            &SessionPolicy::default(),
        )
        .unwrap();
    store.sessions.save(&session, &[]).await.unwrap();

    let stored = reload(&store, session.id()).await;
    assert_eq!(stored.state().ip_address.to_string(), "2001:db8:1:2::42");
    assert_eq!(
        stored.state().last_ip_address.map(|ip| ip.to_string()),
        Some("203.0.113.200".to_owned())
    );
}

async fn starting_a_session_for_an_unknown_user_fails_and_stores_nothing(store: StoreUnderTest) {
    let stranger = UserId::from_uuid(uuid::Uuid::now_v7());
    let start = session_start(stranger, "203.0.113.7", now(), SessionPolicy::default());
    let result = store.sessions.start(&start).await;
    assert!(matches!(result, Err(StartSessionError::UserNotFound)));
    assert_eq!(store.sessions.find(start.session.id()).await.unwrap(), None);
}

async fn a_save_with_a_stale_version_is_a_conflict_and_writes_nothing(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let (session, _) = started_session(&store, user.id, now()).await;
    let mut first = session.clone();
    first
        .revoke(RevocationReason::Admin, later(now(), 1))
        .unwrap();
    store.sessions.save(&first, &[]).await.unwrap();

    let mut stale = session.clone();
    stale
        .trust(later(now(), 2), &SessionPolicy::default())
        .unwrap();
    let result = store.sessions.save(&stale, &[]).await;

    assert!(matches!(result, Err(WriteError::Conflict)));
    let stored = reload(&store, session.id()).await;
    assert!(stored.is_revoked());
    assert!(!stored.state().is_trusted);
}

async fn saved_events_are_listed_oldest_first(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let (mut session, _) = started_session(&store, user.id, now()).await;
    let policy = SessionPolicy::default();
    let trusted = session.trust(later(now(), 1), &policy).unwrap().unwrap();
    let revoked = session
        .revoke(RevocationReason::Logout, later(now(), 2))
        .unwrap();
    store
        .sessions
        .save(&session, &[trusted, revoked.clone()])
        .await
        .unwrap();

    let events = events_of(&store, session.id()).await;

    assert_eq!(
        event_types(&store, session.id()).await,
        ["session_created", "session_trusted", "session_revoked"]
    );
    assert_eq!(events[2].kind, AuditEventKind::Session(revoked.kind));
    assert_eq!(events[2].at, revoked.at);
}

async fn providers_are_stored_once_in_first_access_order(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let (mut session, _) = started_session(&store, user.id, now()).await;
    let policy = SessionPolicy::default();
    for (n, slug) in ["plaid", "yodlee", "plaid", "mx"].into_iter().enumerate() {
        let at = later(now(), i64::try_from(n).unwrap());
        session
            .record_provider_access(ProviderSlug::parse(slug).unwrap(), at, &policy)
            .unwrap();
    }
    store.sessions.save(&session, &[]).await.unwrap();

    let stored = reload(&store, session.id()).await;
    let providers: Vec<_> = stored
        .state()
        .providers_accessed
        .iter()
        .map(ProviderSlug::as_str)
        .collect();
    assert_eq!(providers, ["plaid", "yodlee", "mx"]);
    assert_eq!(
        stored
            .state()
            .last_provider_accessed
            .as_ref()
            .map(ProviderSlug::as_str),
        Some("mx")
    );
}

async fn pages_are_stable_across_equal_creation_times(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let at = now();
    let unlimited = SessionPolicy {
        default_max_sessions: SessionLimit::Unlimited,
        ..SessionPolicy::default()
    };
    let mut expected = Vec::new();
    for _ in 0..7 {
        let start = session_start(user.id, "203.0.113.7", at, unlimited);
        store.sessions.start(&start).await.unwrap();
        expected.push(start.session.id());
    }
    expected.sort();
    expected.reverse();

    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .sessions
            .list_for_user(
                user.id,
                SessionQuery {
                    active: None,
                    after,
                    limit: 3,
                },
            )
            .await
            .unwrap();
        seen.extend(page.iter().map(Session::id));
        if page.len() < 3 {
            break;
        }
        after = page.last().map(SessionCursor::after);
    }

    assert_eq!(seen, expected);
}

async fn the_active_listing_leaves_out_revoked_expired_and_idle_sessions(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let at = now();
    let (active, _) = started_session(&store, user.id, at).await;
    let (mut revoked, _) = started_session(&store, user.id, at).await;
    revoked.revoke(RevocationReason::Logout, at).unwrap();
    store.sessions.save(&revoked, &[]).await.unwrap();
    started_session(&store, user.id, at - TimeDelta::days(31)).await; // expired
    started_session(&store, user.id, at - TimeDelta::hours(2)).await; // idle

    let list = |active| SessionQuery {
        active,
        after: None,
        limit: 50,
    };
    let listed = store
        .sessions
        .list_for_user(
            user.id,
            list(Some(ActiveFilter {
                now: at,
                idle_since: Some(at - TimeDelta::hours(1)),
            })),
        )
        .await
        .unwrap();
    let everything = store
        .sessions
        .list_for_user(user.id, list(None))
        .await
        .unwrap();

    assert_eq!(
        listed.iter().map(Session::id).collect::<Vec<_>>(),
        [active.id()]
    );
    assert_eq!(everything.len(), 4);
}

async fn revoking_all_but_the_current_session_records_one_event_each(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let other_user = stored_user(&store).await;
    let at = now();
    let (current, _) = started_session(&store, user.id, at).await;
    let (second, _) = started_session(&store, user.id, at).await;
    let (third, _) = started_session(&store, user.id, at).await;
    let (bystander, _) = started_session(&store, other_user.id, at).await;
    let cause = Cause {
        actor: Actor::session(current.id()),
        ..admin_from("203.0.113.7")
    };

    let revoked = store
        .sessions
        .revoke_all_for_user(
            user.id,
            Some(current.id()),
            RevocationReason::LogoutAll,
            later(at, 1),
            &cause,
        )
        .await
        .unwrap();

    assert_eq!(revoked, 2);
    for id in [second.id(), third.id()] {
        let stored = reload(&store, id).await;
        let revocation = stored.state().revocation.unwrap();
        assert_eq!(revocation.reason, RevocationReason::LogoutAll);
        assert_eq!(revocation.at, later(at, 1));
        let events = events_of(&store, id).await;
        let last = events.last().unwrap();
        assert_eq!(
            last.kind,
            AuditEventKind::Session(SessionEventKind::Revoked {
                reason: RevocationReason::LogoutAll,
                evicted_by: None
            })
        );
        assert_eq!(last.cause, cause);
    }
    assert!(!reload(&store, current.id()).await.is_revoked());
    assert!(!reload(&store, bystander.id()).await.is_revoked());
    let again = store
        .sessions
        .revoke_all_for_user(
            user.id,
            Some(current.id()),
            RevocationReason::LogoutAll,
            later(at, 2),
            &cause,
        )
        .await
        .unwrap();
    assert_eq!(again, 0);
}

async fn the_session_limit_evicts_the_least_recently_active_untrusted_session(
    store: StoreUnderTest,
) {
    let user = stored_user(&store).await;
    let policy = SessionPolicy {
        default_max_sessions: SessionLimit::new(2).unwrap(),
        ..SessionPolicy::default()
    };
    let at = now();
    let oldest = session_start(user.id, "203.0.113.7", later(at, -30), policy);
    store.sessions.start(&oldest).await.unwrap();
    let mut trusted = oldest.session.clone();
    trusted.trust(later(at, -29), &policy).unwrap();
    store.sessions.save(&trusted, &[]).await.unwrap();
    let newer = session_start(user.id, "203.0.113.7", later(at, -10), policy);
    store.sessions.start(&newer).await.unwrap();

    let third = session_start(user.id, "203.0.113.7", at, policy);
    let evictions = store.sessions.start(&third).await.unwrap();

    assert_eq!(evictions.len(), 1);
    assert_eq!(evictions[0].session_id, newer.session.id());
    assert_eq!(
        evictions[0].kind,
        SessionEventKind::Revoked {
            reason: RevocationReason::SessionLimit,
            evicted_by: Some(third.session.id())
        }
    );
    assert!(reload(&store, newer.session.id()).await.is_revoked());
    assert!(!reload(&store, oldest.session.id()).await.is_revoked());
    assert_eq!(
        event_types(&store, newer.session.id()).await,
        ["session_created", "session_revoked"]
    );
}

async fn a_users_own_limit_overrides_the_default(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    store
        .users
        .set_max_sessions(user.id, Some(SessionLimit::Unlimited), now())
        .await
        .unwrap();
    let policy = SessionPolicy {
        default_max_sessions: SessionLimit::new(1).unwrap(),
        ..SessionPolicy::default()
    };
    for _ in 0..3 {
        let start = session_start(user.id, "203.0.113.7", now(), policy);
        assert!(store.sessions.start(&start).await.unwrap().is_empty());
    }
}

async fn cleanup_deletes_only_sessions_that_ended_before_the_cutoff(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let at = now();
    let cutoff = at - TimeDelta::days(7);
    let (live, _) = started_session(&store, user.id, at).await;
    let (long_expired, _) = started_session(&store, user.id, at - TimeDelta::days(40)).await;
    let (recently_expired, _) = started_session(&store, user.id, at - TimeDelta::days(31)).await;
    let (mut long_revoked, _) = started_session(&store, user.id, at - TimeDelta::days(9)).await;
    long_revoked
        .revoke(RevocationReason::Logout, at - TimeDelta::days(8))
        .unwrap();
    store.sessions.save(&long_revoked, &[]).await.unwrap();
    let (mut recently_revoked, _) = started_session(&store, user.id, at).await;
    recently_revoked
        .revoke(RevocationReason::Logout, at)
        .unwrap();
    store.sessions.save(&recently_revoked, &[]).await.unwrap();

    let batch = |ended_by, from| CleanupBatch {
        ended_by,
        from,
        before: cutoff,
        size: 1,
    };
    let epoch = DateTime::<Utc>::UNIX_EPOCH;
    let expired = store
        .sessions
        .delete_ended(batch(EndedBy::Expiry, epoch))
        .await
        .unwrap();
    let revoked = store
        .sessions
        .delete_ended(batch(EndedBy::Revocation, epoch))
        .await
        .unwrap();
    let left = (
        store
            .sessions
            .delete_ended(batch(EndedBy::Expiry, epoch))
            .await
            .unwrap(),
        store
            .sessions
            .delete_ended(batch(EndedBy::Revocation, epoch))
            .await
            .unwrap(),
    );

    let deleted = |count, last_ended_at| DeletedBatch {
        count,
        last_ended_at,
    };
    assert_eq!(expired, deleted(1, Some(long_expired.state().expires_at)));
    assert_eq!(revoked, deleted(1, Some(at - TimeDelta::days(8))));
    assert_eq!(left, (deleted(0, None), deleted(0, None)));
    for gone in [long_expired.id(), long_revoked.id()] {
        assert_eq!(store.sessions.find(gone).await.unwrap(), None);
    }
    for kept in [live.id(), recently_expired.id(), recently_revoked.id()] {
        assert!(store.sessions.find(kept).await.unwrap().is_some());
    }
}

async fn a_cleanup_batch_starts_where_the_previous_one_ended(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let at = now();
    let mut ended = Vec::new();
    for days_ago in [40, 39, 38] {
        let (session, _) = started_session(&store, user.id, at - TimeDelta::days(days_ago)).await;
        ended.push(session);
    }
    let batch = |from| CleanupBatch {
        ended_by: EndedBy::Expiry,
        from,
        before: at - TimeDelta::days(7),
        size: 1,
    };

    let first = store
        .sessions
        .delete_ended(batch(DateTime::<Utc>::UNIX_EPOCH))
        .await
        .unwrap();
    // From the last one's end: the one in between is not walked over.
    let from_the_last = store
        .sessions
        .delete_ended(batch(ended[2].state().expires_at))
        .await
        .unwrap();
    let after_the_last = store
        .sessions
        .delete_ended(batch(ended[2].state().expires_at))
        .await
        .unwrap();

    assert_eq!(first.last_ended_at, Some(ended[0].state().expires_at));
    assert_eq!(
        from_the_last.last_ended_at,
        Some(ended[2].state().expires_at)
    );
    assert_eq!(after_the_last.count, 0);
    assert_eq!(store.sessions.find(ended[0].id()).await.unwrap(), None);
    assert!(store.sessions.find(ended[1].id()).await.unwrap().is_some());
    assert_eq!(store.sessions.find(ended[2].id()).await.unwrap(), None);
}

async fn activity_moves_forward_only_and_never_lands_on_a_revoked_session(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let at = now();
    let policy = SessionPolicy::default();
    let (session, _) = started_session(&store, user.id, at).await;
    let mut active = session.clone();
    active
        .touch(&touch_from("203.0.113.7"), later(at, 120), &policy)
        .unwrap();
    assert!(store.sessions.record_activity(&active).await.unwrap());
    let mut stale = session.clone();
    stale
        .touch(&touch_from("203.0.113.7"), later(at, 61), &policy)
        .unwrap();
    assert!(store.sessions.record_activity(&stale).await.unwrap());
    assert_eq!(
        reload(&store, session.id()).await.state().last_activity_at,
        later(at, 120)
    );

    let mut revoked = reload(&store, session.id()).await;
    revoked
        .revoke(RevocationReason::Admin, later(at, 130))
        .unwrap();
    store.sessions.save(&revoked, &[]).await.unwrap();
    let mut late = reload(&store, session.id()).await;
    let mut late_state = late.state().clone();
    late_state.last_activity_at = later(at, 500);
    late = Session::restore(late_state);
    assert!(!store.sessions.record_activity(&late).await.unwrap());
    assert_eq!(
        reload(&store, session.id()).await.state().last_activity_at,
        later(at, 120)
    );
}

async fn a_revocation_is_written_once_and_the_first_one_stands(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let (session, _) = started_session(&store, user.id, now()).await;
    let mut first = session.clone();
    let first_event = first
        .revoke(RevocationReason::Logout, later(now(), 1))
        .unwrap();
    let mut second = session.clone();
    let second_event = second
        .revoke(RevocationReason::Admin, later(now(), 2))
        .unwrap();

    assert!(
        store
            .sessions
            .save_revocation(&first, &[first_event])
            .await
            .unwrap()
    );
    assert!(
        !store
            .sessions
            .save_revocation(&second, &[second_event])
            .await
            .unwrap()
    );

    let stored = reload(&store, session.id()).await;
    assert_eq!(
        stored.state().revocation.map(|r| r.reason),
        Some(RevocationReason::Logout)
    );
    assert_eq!(
        event_types(&store, session.id()).await,
        ["session_created", "session_revoked"]
    );
}

async fn active_sessions_are_counted_across_users(store: StoreUnderTest) {
    let at = now();
    let alice = stored_user(&store).await;
    let bob = stored_user(&store).await;
    started_session(&store, alice.id, at).await;
    started_session(&store, bob.id, at).await;
    started_session(&store, bob.id, at - TimeDelta::days(31)).await; // expired
    let (mut revoked, _) = started_session(&store, bob.id, at).await;
    revoked.revoke(RevocationReason::Logout, at).unwrap();
    store.sessions.save(&revoked, &[]).await.unwrap();

    assert_eq!(store.sessions.count_active(at).await.unwrap(), 2);
}

async fn concurrent_reads_each_get_their_own_session_or_none(store: StoreUnderTest) {
    let at = now();
    let mut expected = Vec::new();
    for _ in 0..4 {
        let user = stored_user(&store).await;
        for _ in 0..5 {
            let (session, _) = started_session(&store, user.id, at).await;
            expected.push((session.id(), Some(session)));
        }
    }
    for _ in 0..10 {
        expected.push((SessionId::from_uuid(Uuid::now_v7()), None));
    }
    // Every id read by several tasks released together, so reads queue up behind each
    // other (and the same id appears more than once in one batch).
    let reads = released_together((0..3).flat_map(|_| expected.clone()), |(id, session)| {
        let sessions = store.sessions.clone();
        async move { (sessions.find(id).await.unwrap(), session) }
    })
    .await;
    for (found, expected) in reads {
        assert_eq!(found, expected);
    }
}

conformance_tests!(
    concurrent_reads_each_get_their_own_session_or_none,
    activity_moves_forward_only_and_never_lands_on_a_revoked_session,
    a_revocation_is_written_once_and_the_first_one_stands,
    active_sessions_are_counted_across_users,
    a_session_reads_back_with_every_field,
    ipv4_and_ipv6_addresses_round_trip_as_plain_addresses,
    starting_a_session_for_an_unknown_user_fails_and_stores_nothing,
    a_save_with_a_stale_version_is_a_conflict_and_writes_nothing,
    saved_events_are_listed_oldest_first,
    providers_are_stored_once_in_first_access_order,
    pages_are_stable_across_equal_creation_times,
    the_active_listing_leaves_out_revoked_expired_and_idle_sessions,
    revoking_all_but_the_current_session_records_one_event_each,
    the_session_limit_evicts_the_least_recently_active_untrusted_session,
    a_users_own_limit_overrides_the_default,
    cleanup_deletes_only_sessions_that_ended_before_the_cutoff,
    a_cleanup_batch_starts_where_the_previous_one_ended,
);
