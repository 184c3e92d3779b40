use sessions_domain::{Actor, AuditEventKind, Cause, SessionEventKind};

use super::*;
use crate::use_cases::test_support::{MockPorts, alice_id, mallory_id, session_id, session_of, t0};

fn created(sequence: i64) -> RecordedEvent {
    RecordedEvent {
        sequence,
        session_id: Some(session_id(1)),
        user_id: Some(alice_id()),
        at: t0(),
        cause: Cause {
            actor: Actor::session(session_id(1)),
            origin: None,
            incident: None,
        },
        kind: AuditEventKind::Session(SessionEventKind::Created { new_device: None }),
    }
}

#[tokio::test]
async fn the_events_of_an_own_session_are_read_oldest_first() {
    let mut ports = MockPorts::new();
    ports
        .sessions
        .expect_find()
        .returning(|_| Ok(Some(session_of(alice_id(), 1))));
    ports
        .events
        .expect_search()
        .withf(|search| {
            search.filter.session_id == Some(session_id(1))
                && search.filter.user_id.is_none()
                && search.order == EventOrder::OldestFirst
                && search.after.is_none()
                && search.limit == 101
        })
        .times(1)
        .returning(|_| Ok(vec![created(7)]));
    let page = ports
        .app()
        .list_events(alice_id(), session_id(1), EventPaging::default())
        .await
        .unwrap();
    assert_eq!(page.events, vec![created(7)]);
    assert_eq!(page.next, None);
}

#[tokio::test]
async fn another_users_events_are_not_found_and_not_read() {
    let mut ports = MockPorts::new();
    ports
        .sessions
        .expect_find()
        .returning(|_| Ok(Some(session_of(mallory_id(), 1))));
    ports.events.expect_search().never();
    let result = ports
        .app()
        .list_events(alice_id(), session_id(1), EventPaging::default())
        .await;
    assert!(matches!(result, Err(ListEventsError::NotFound)));
}

#[tokio::test]
async fn a_full_page_names_its_last_event_as_the_next_cursor_and_the_last_page_none() {
    let mut ports = MockPorts::new();
    ports
        .events
        .expect_search()
        .withf(|search| search.after == Some(50) && search.limit == 3)
        .returning(|_| Ok(vec![created(49), created(48), created(47)]));
    let paging = EventPaging {
        after: Some(EventCursor::parse("50").unwrap()),
        limit: EventLimit::new(2).unwrap(),
    };
    let app = ports.app();
    let page = app.list_user_events(alice_id(), paging).await.unwrap();
    assert_eq!(page.events, vec![created(49), created(48)]);
    assert_eq!(
        page.next.map(|cursor| cursor.to_string()),
        Some("48".into())
    );
}

#[tokio::test]
async fn a_users_activity_is_every_event_naming_them_newest_first() {
    let mut ports = MockPorts::new();
    ports
        .events
        .expect_search()
        .withf(|search| {
            search.filter
                == EventFilter {
                    user_id: Some(alice_id()),
                    ..EventFilter::default()
                }
                && search.order == EventOrder::NewestFirst
        })
        .times(1)
        .returning(|_| Ok(vec![created(2), created(1)]));
    let page = ports
        .app()
        .list_user_events(alice_id(), EventPaging::default())
        .await
        .unwrap();
    assert_eq!(page.events.len(), 2);
    assert_eq!(page.next, None);
}

#[test]
fn limits_and_cursors_outside_their_forms_are_refused() {
    assert!(EventLimit::new(0).is_err());
    assert!(EventLimit::new(501).is_err());
    assert!(EventLimit::new(500).is_ok());
    for bad in ["", "-1", "1e3", "0x10", "1234567890123456789"] {
        assert!(EventCursor::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(EventCursor::parse("42").unwrap().to_string(), "42");
}
