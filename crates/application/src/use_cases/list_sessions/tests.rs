//! The listing use case against mocks of its ports.

use chrono::TimeDelta;
use sessions_domain::SessionPolicy;

use super::*;
use crate::use_cases::test_support::{MockPorts, alice_id, at, session_id, session_of, t0};

fn alices(numbers: std::ops::RangeInclusive<u128>) -> Vec<Session> {
    numbers.map(|n| session_of(alice_id(), n)).collect()
}

/// The caller: Alice's session 2.
fn caller() -> Session {
    session_of(alice_id(), 2)
}

#[tokio::test]
async fn a_full_page_asks_for_one_more_row_and_returns_a_cursor_after_its_last_session() {
    let mut ports = MockPorts::new();
    ports
        .sessions
        .expect_list_for_user()
        .withf(|user, query| {
            *user == alice_id()
                && query.limit == 3
                && query.after.is_none()
                && query.active
                    == Some(ActiveFilter {
                        now: t0(),
                        idle_since: None,
                    })
        })
        .times(1)
        .returning(|_, _| Ok(alices(1..=3)));

    let page = ports
        .app()
        .list_sessions(
            &caller(),
            SessionListing {
                page_size: PageSize::new(2).unwrap(),
                ..SessionListing::default()
            },
        )
        .await
        .unwrap();

    assert_eq!(page.sessions.len(), 2);
    assert!(page.sessions[1].is_current);
    assert!(!page.sessions[0].is_current);
    assert_eq!(
        page.next_cursor,
        Some(SessionCursor::after(&session_of(alice_id(), 2)))
    );
}

#[tokio::test]
async fn the_last_page_has_no_cursor() {
    let mut ports = MockPorts::new();
    ports
        .sessions
        .expect_list_for_user()
        .times(1)
        .returning(|_, _| Ok(alices(1..=1)));
    let page = ports
        .app()
        .list_sessions(&caller(), SessionListing::default())
        .await
        .unwrap();
    assert_eq!(page.sessions.len(), 1);
    assert_eq!(page.next_cursor, None);
}

#[tokio::test]
async fn listing_everything_sends_no_active_filter_and_the_cursor() {
    let mut ports = MockPorts::new();
    let cursor = SessionCursor::after(&session_of(alice_id(), 9));
    ports
        .sessions
        .expect_list_for_user()
        .withf(move |_, query| query.active.is_none() && query.after == Some(cursor))
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    let page = ports
        .app()
        .list_sessions(
            &caller(),
            SessionListing {
                active_only: false,
                after: Some(cursor),
                ..SessionListing::default()
            },
        )
        .await
        .unwrap();
    assert!(page.sessions.is_empty());
}

#[tokio::test]
async fn with_an_idle_timeout_the_filter_excludes_idle_sessions() {
    let mut ports = MockPorts::new();
    ports.policy = SessionPolicy {
        idle_timeout: Some(TimeDelta::minutes(30)),
        ..SessionPolicy::default()
    };
    ports
        .sessions
        .expect_list_for_user()
        .withf(|_, query| {
            query.active.and_then(|filter| filter.idle_since) == Some(t0() - TimeDelta::minutes(30))
        })
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    ports
        .app()
        .list_sessions(&caller(), SessionListing::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn the_page_shows_the_caller_as_its_authentication_left_it() {
    let mut ports = MockPorts::new();
    ports
        .sessions
        .expect_list_for_user()
        .times(1)
        .returning(|_, _| Ok(alices(1..=3)));
    let mut touched = caller();
    touched
        .touch(
            &sessions_domain::TouchRequest {
                ip: touched.state().ip_address,
                device: None,
                original_device: None,
                country: None,
            },
            at(61),
            &SessionPolicy::default(),
        )
        .unwrap();

    let page = ports
        .app()
        .list_sessions(&touched, SessionListing::default())
        .await
        .unwrap();

    let listed = page.sessions.iter().find(|view| view.is_current).unwrap();
    assert_eq!(listed.session.id(), session_id(2));
    assert_eq!(listed.session.state().last_activity_at, at(61));
}

#[tokio::test]
async fn a_store_failure_is_reported_as_such() {
    let mut ports = MockPorts::new();
    ports
        .sessions
        .expect_list_for_user()
        .returning(|_, _| Err(StoreError::new(std::io::Error::other("down"))));
    let result = ports
        .app()
        .list_sessions(&caller(), SessionListing::default())
        .await;
    assert!(matches!(result, Err(ListSessionsError::Store(_))));
}
