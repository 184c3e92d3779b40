//! The audit trail's search: each filter alone and together, account events without a
//! session (or an account), newest first, and the keyset cursor.

use chrono::TimeDelta;
use sessions_application::ports::{EventFilter, EventOrder, EventSearch};
use sessions_domain::{
    AccountEvent, AccountEventKind, Actor, AuditEventKind, Email, RecordedEvent, SessionId,
    SessionPolicy, UserId,
};

use super::conformance_tests;
use crate::support::{
    fixtures::{admin_from, now, search, session_start, stored_user},
    store::StoreUnderTest,
};

/// What the trail holds: alice signed in from 203.0.113.7 (three days ago) and from
/// 198.51.100.20 (two days ago), bob from `2001:db8:1::5` (yesterday); someone failed to
/// sign in as nobody@example.com from 198.51.100.99 (an hour ago), and alice changed her
/// password from `2001:db8:1::9` (now).
struct Trail {
    alice: UserId,
    bob: UserId,
    from_documentation_net: SessionId,
    from_second_net: SessionId,
    bobs: SessionId,
}

async fn recorded_trail(store: &StoreUnderTest) -> Trail {
    let alice = stored_user(store).await.id;
    let bob = stored_user(store).await.id;
    let at = now();
    let mut started = Vec::new();
    for (user, ip, days_ago) in [
        (alice, "203.0.113.7", 3),
        (alice, "198.51.100.20", 2),
        (bob, "2001:db8:1::5", 1),
    ] {
        let start = session_start(
            user,
            ip,
            at - TimeDelta::days(days_ago),
            SessionPolicy::default(),
        );
        store.sessions.start(&start).await.expect("start session");
        started.push(start.session.id());
    }
    store
        .events
        .append_account(&AccountEvent {
            user_id: None,
            at: at - TimeDelta::hours(1),
            kind: AccountEventKind::LoginFailed {
                unknown_account: Email::parse("nobody@example.com").ok(),
            },
            cause: sessions_domain::Cause {
                actor: Actor::User { session_id: None },
                ..admin_from("198.51.100.99")
            },
        })
        .await
        .expect("append a failed sign-in");
    let changed = store
        .users
        .update_password(
            alice,
            &sessions_domain::PasswordHash::new("$argon2id$new".into()),
            at,
            &sessions_domain::Cause {
                actor: Actor::session(started[1]),
                ..admin_from("2001:db8:1::9")
            },
        )
        .await
        .expect("change the password");
    assert!(changed);
    Trail {
        alice,
        bob,
        from_documentation_net: started[0],
        from_second_net: started[1],
        bobs: started[2],
    }
}

fn types(events: &[RecordedEvent]) -> Vec<&'static str> {
    events.iter().map(|event| event.kind.type_name()).collect()
}

fn network(cidr: &str) -> EventFilter {
    EventFilter {
        network: Some(cidr.parse().unwrap()),
        ..EventFilter::default()
    }
}

async fn newest_first(store: &StoreUnderTest, filter: EventFilter) -> Vec<RecordedEvent> {
    search(store, filter, EventOrder::NewestFirst).await
}

async fn every_event_comes_back_newest_first_without_a_filter(store: StoreUnderTest) {
    recorded_trail(&store).await;
    let all = newest_first(&store, EventFilter::default()).await;
    assert_eq!(
        types(&all),
        [
            "password_changed",
            "login_failed",
            "session_created",
            "session_created",
            "session_created"
        ]
    );
    assert!(
        all.windows(2)
            .all(|pair| pair[0].sequence > pair[1].sequence)
    );
}

async fn the_search_by_account_finds_its_sessions_and_account_events(store: StoreUnderTest) {
    let trail = recorded_trail(&store).await;
    let alices = newest_first(
        &store,
        EventFilter {
            user_id: Some(trail.alice),
            ..EventFilter::default()
        },
    )
    .await;
    assert_eq!(
        types(&alices),
        ["password_changed", "session_created", "session_created"]
    );
    assert!(
        alices
            .iter()
            .all(|event| event.user_id == Some(trail.alice))
    );
    let bobs = newest_first(
        &store,
        EventFilter {
            user_id: Some(trail.bob),
            ..EventFilter::default()
        },
    )
    .await;
    assert_eq!(bobs.len(), 1);
    assert_eq!(bobs[0].session_id, Some(trail.bobs));
}

async fn the_search_by_session_finds_that_sessions_events_only(store: StoreUnderTest) {
    let trail = recorded_trail(&store).await;
    let events = newest_first(
        &store,
        EventFilter {
            session_id: Some(trail.from_second_net),
            ..EventFilter::default()
        },
    )
    .await;
    assert_eq!(types(&events), ["session_created"]);
    assert_eq!(events[0].session_id, Some(trail.from_second_net));
}

async fn the_search_by_types_finds_any_of_them(store: StoreUnderTest) {
    recorded_trail(&store).await;
    let events = newest_first(
        &store,
        EventFilter {
            types: vec!["login_failed", "password_changed"],
            ..EventFilter::default()
        },
    )
    .await;
    assert_eq!(types(&events), ["password_changed", "login_failed"]);
    let failed = &events[1];
    assert_eq!(failed.user_id, None);
    assert_eq!(failed.session_id, None);
    assert_eq!(
        failed.kind,
        AuditEventKind::Account(AccountEventKind::LoginFailed {
            unknown_account: Email::parse("nobody@example.com").ok()
        })
    );
    assert_eq!(
        failed
            .cause
            .origin
            .as_ref()
            .map(|origin| origin.ip.to_string()),
        Some("198.51.100.99".to_owned())
    );
}

async fn the_search_by_network_finds_requests_from_inside_it(store: StoreUnderTest) {
    let trail = recorded_trail(&store).await;
    let ipv4 = newest_first(&store, network("198.51.100.0/24")).await;
    assert_eq!(types(&ipv4), ["login_failed", "session_created"]);
    assert_eq!(ipv4[1].session_id, Some(trail.from_second_net));
    let ipv6 = newest_first(&store, network("2001:db8:1::/48")).await;
    assert_eq!(types(&ipv6), ["password_changed", "session_created"]);
    assert_eq!(ipv6[1].session_id, Some(trail.bobs));
    let one_address = newest_first(&store, network("203.0.113.7/32")).await;
    assert_eq!(one_address.len(), 1);
    assert_eq!(
        one_address[0].session_id,
        Some(trail.from_documentation_net)
    );
    assert!(
        newest_first(&store, network("198.51.101.0/24"))
            .await
            .is_empty()
    );
    assert!(
        newest_first(&store, network("2001:db8:2::/48"))
            .await
            .is_empty()
    );
    assert_eq!(newest_first(&store, network("0.0.0.0/0")).await.len(), 3);
}

async fn the_search_by_time_takes_since_inclusive_and_until_exclusive(store: StoreUnderTest) {
    let trail = recorded_trail(&store).await;
    let all = newest_first(&store, EventFilter::default()).await;
    let second_sign_in = all
        .iter()
        .find(|event| event.session_id == Some(trail.from_second_net))
        .unwrap()
        .at;
    let window = newest_first(
        &store,
        EventFilter {
            since: Some(second_sign_in),
            until: Some(second_sign_in + TimeDelta::days(1) + TimeDelta::seconds(1)),
            ..EventFilter::default()
        },
    )
    .await;
    assert_eq!(types(&window), ["session_created", "session_created"]);
    assert_eq!(window[0].session_id, Some(trail.bobs));
    assert_eq!(window[1].session_id, Some(trail.from_second_net));
    let up_to_bobs = newest_first(
        &store,
        EventFilter {
            since: Some(second_sign_in),
            until: Some(second_sign_in + TimeDelta::days(1)),
            ..EventFilter::default()
        },
    )
    .await;
    assert_eq!(up_to_bobs.len(), 1, "until is exclusive");
    let before = newest_first(
        &store,
        EventFilter {
            until: Some(second_sign_in),
            ..EventFilter::default()
        },
    )
    .await;
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].session_id, Some(trail.from_documentation_net));
}

async fn filters_together_must_all_hold(store: StoreUnderTest) {
    let trail = recorded_trail(&store).await;
    let events = newest_first(
        &store,
        EventFilter {
            user_id: Some(trail.alice),
            types: vec!["session_created"],
            network: Some("198.51.100.0/24".parse().unwrap()),
            ..EventFilter::default()
        },
    )
    .await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].session_id, Some(trail.from_second_net));
}

async fn the_cursor_walks_every_event_once_in_both_orders(store: StoreUnderTest) {
    recorded_trail(&store).await;
    for order in [EventOrder::NewestFirst, EventOrder::OldestFirst] {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .events
                .search(&EventSearch {
                    filter: EventFilter::default(),
                    order,
                    after,
                    limit: 2,
                })
                .await
                .unwrap();
            let Some(last) = page.last() else { break };
            after = Some(last.sequence);
            seen.extend(page.iter().map(|event| event.sequence));
        }
        assert_eq!(seen.len(), 5, "{order:?}");
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        if order == EventOrder::NewestFirst {
            sorted.reverse();
        }
        assert_eq!(seen, sorted, "{order:?}");
    }
}

conformance_tests!(
    every_event_comes_back_newest_first_without_a_filter,
    the_search_by_account_finds_its_sessions_and_account_events,
    the_search_by_session_finds_that_sessions_events_only,
    the_search_by_types_finds_any_of_them,
    the_search_by_network_finds_requests_from_inside_it,
    the_search_by_time_takes_since_inclusive_and_until_exclusive,
    filters_together_must_all_hold,
    the_cursor_walks_every_event_once_in_both_orders,
);
