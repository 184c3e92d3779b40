//! The user repository.

use chrono::TimeDelta;
use sessions_application::ports::{EventFilter, EventOrder, InsertUserError};
use sessions_domain::{
    AccountEventKind, Actor, AuditEventKind, Cause, PasswordHash, SessionLimit, UserId,
};

use super::conformance_tests;
use crate::support::{
    fixtures::{
        admin_from, event_types, find_token, later, new_user, now, search, started_session,
        stored_user,
    },
    store::StoreUnderTest,
};

async fn a_user_is_found_by_email_in_any_case(store: StoreUnderTest) {
    let user = new_user("alice@example.com");
    store.users.insert(&user).await.unwrap();

    let by_email = store
        .users
        .find_by_email(&sessions_domain::Email::parse("ALICE@example.COM").unwrap())
        .await
        .unwrap();
    let by_id = store.users.find_by_id(user.id).await.unwrap();

    assert_eq!(by_email, Some(user.clone()));
    assert_eq!(by_id, Some(user));
}

async fn a_taken_email_is_reported_as_email_taken(store: StoreUnderTest) {
    store
        .users
        .insert(&new_user("bob@example.com"))
        .await
        .unwrap();
    let result = store.users.insert(&new_user("bob@example.com")).await;
    assert!(matches!(result, Err(InsertUserError::EmailTaken)));
}

async fn an_unknown_user_is_not_found(store: StoreUnderTest) {
    let ghost = new_user("ghost@example.com");
    assert_eq!(store.users.find_by_id(ghost.id).await.unwrap(), None);
    assert_eq!(store.users.find_by_email(&ghost.email).await.unwrap(), None);
    assert!(
        !store
            .users
            .delete(ghost.id, now(), &admin_from("192.0.2.1"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .users
            .set_max_sessions(ghost.id, None, now())
            .await
            .unwrap()
    );
    let hash = PasswordHash::new("x".into());
    assert!(
        !store
            .users
            .update_password(ghost.id, &hash, now(), &Cause::SYSTEM)
            .await
            .unwrap()
    );
}

async fn a_password_change_replaces_the_hash_and_is_recorded(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let (session, _) = started_session(&store, user.id, now()).await;
    let at = later(now(), 5);
    let new_hash = PasswordHash::new("$argon2id$new".into());
    let cause = Cause {
        actor: Actor::session(session.id()),
        ..admin_from("198.51.100.4")
    };

    assert!(
        store
            .users
            .update_password(user.id, &new_hash, at, &cause)
            .await
            .unwrap()
    );

    let stored = store.users.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, new_hash);
    assert_eq!(stored.updated_at, at);
    let recorded = search(&store, of_user(user.id), EventOrder::NewestFirst).await;
    assert_eq!(
        recorded[0].kind,
        AuditEventKind::Account(AccountEventKind::PasswordChanged)
    );
    assert_eq!(recorded[0].session_id, None);
    assert_eq!(recorded[0].at, at);
    assert_eq!(recorded[0].cause, cause);
}

fn of_user(id: UserId) -> EventFilter {
    EventFilter {
        user_id: Some(id),
        ..EventFilter::default()
    }
}

async fn a_session_limit_is_stored_unlimited_and_cleared(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    for limit in [
        Some(SessionLimit::new(3).unwrap()),
        Some(SessionLimit::Unlimited),
        None,
    ] {
        assert!(
            store
                .users
                .set_max_sessions(user.id, limit, now())
                .await
                .unwrap()
        );
        let stored = store.users.find_by_id(user.id).await.unwrap().unwrap();
        assert_eq!(stored.max_sessions, limit);
    }
}

async fn deleting_a_user_erases_their_sessions_tokens_and_events_and_records_it(
    store: StoreUnderTest,
) {
    let user = stored_user(&store).await;
    let (session, token) = started_session(&store, user.id, now()).await;
    let (ended, _) = started_session(&store, user.id, now() - TimeDelta::days(40)).await;
    assert_eq!(event_types(&store, session.id()).await, ["session_created"]);

    let admin = admin_from("192.0.2.1");
    assert!(store.users.delete(user.id, now(), &admin).await.unwrap());

    assert_eq!(store.sessions.find(session.id()).await.unwrap(), None);
    assert_eq!(find_token(&store, &token.hash).await, None);
    for erased in [session.id(), ended.id()] {
        assert!(event_types(&store, erased).await.is_empty());
    }
    assert_eq!(store.users.find_by_id(user.id).await.unwrap(), None);
    // What is left of the user in the audit trail: the one record of their deletion.
    let left = search(&store, of_user(user.id), EventOrder::NewestFirst).await;
    assert_eq!(left.len(), 1);
    assert_eq!(
        left[0].kind,
        AuditEventKind::Account(AccountEventKind::UserDeleted)
    );
    assert_eq!(left[0].cause, admin);
    let left = store
        .events
        .delete_recorded_before(later(now(), 1), 100)
        .await
        .unwrap();
    assert_eq!(left, 1);
}

conformance_tests!(
    a_user_is_found_by_email_in_any_case,
    a_taken_email_is_reported_as_email_taken,
    an_unknown_user_is_not_found,
    a_password_change_replaces_the_hash_and_is_recorded,
    a_session_limit_is_stored_unlimited_and_cleared,
    deleting_a_user_erases_their_sessions_tokens_and_events_and_records_it,
);
