//! The password-change use case against mocks of its ports, with attempt counts kept as a
//! store keeps them.

use mockall::{Sequence, predicate::eq};
use sessions_domain::PasswordHash;

use super::*;
use crate::use_cases::test_support::caller;
use crate::use_cases::test_support::{MockPorts, alice, alice_id, session_id, session_of, t0};
use mockall::predicate::function;
use sessions_domain::{Actor, Cause};

fn change(current: &str, new: &str) -> PasswordChange {
    PasswordChange {
        current_password: current.into(),
        new_password: new.into(),
    }
}

/// Alice exists with password "old password 123", checked as a known client.
fn given_alice(ports: &mut MockPorts) {
    ports
        .users
        .expect_find_by_id()
        .with(eq(alice_id()))
        .returning(|_| Ok(Some(alice())));
    ports.passwords.expect_admits().returning(|_| Ok(()));
    ports
        .passwords
        .expect_verify()
        .withf(|_, _, priority| *priority == HashPriority::Known)
        .returning(|candidate, _, _| Ok(candidate == "old password 123"));
}

#[tokio::test]
async fn the_new_hash_is_stored_before_every_other_session_is_revoked() {
    let mut ports = MockPorts::new();
    given_alice(&mut ports);
    let counts = ports.with_attempt_counts();
    let mut order = Sequence::new();
    ports
        .passwords
        .expect_hash()
        .withf(|password, _| password.expose() == "new password 456")
        .returning(|_, _| Ok(PasswordHash::new("$argon2id$new".into())));
    ports
        .users
        .expect_update_password()
        .withf(|id, hash, now, cause| {
            assert_eq!(cause.actor, Actor::session(session_id(1)));
            *id == alice_id() && hash.as_str() == "$argon2id$new" && *now == t0()
        })
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, _, _| Ok(true));
    ports
        .sessions
        .expect_revoke_all_for_user()
        .with(
            eq(alice_id()),
            eq(Some(session_id(1))),
            eq(RevocationReason::PasswordChanged),
            eq(t0()),
            function(|cause: &Cause| cause.actor == Actor::session(session_id(1))),
        )
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, _, _, _| Ok(2));

    let revoked = ports
        .app()
        .change_password(
            alice_id(),
            session_id(1),
            change("old password 123", "new password 456"),
            &caller(),
        )
        .await
        .unwrap();

    assert_eq!(revoked, 2);
    let spent = counts.lock().unwrap()[&BudgetKey::PasswordChanges(session_id(1))].count;
    assert_eq!(spent, 0, "a success spends nothing");
}

#[tokio::test]
async fn a_wrong_current_password_changes_nothing_and_counts_for_session_and_account() {
    let mut ports = MockPorts::new();
    given_alice(&mut ports);
    let counts = ports.with_attempt_counts();
    ports.users.expect_update_password().never();
    ports.sessions.expect_revoke_all_for_user().never();
    let result = ports
        .app()
        .change_password(
            alice_id(),
            session_id(1),
            change("wrong password!", "new password 456"),
            &caller(),
        )
        .await;
    assert!(matches!(
        result,
        Err(ChangePasswordError::InvalidCredentials)
    ));
    let counts = counts.lock().unwrap();
    assert_eq!(counts[&BudgetKey::PasswordChanges(session_id(1))].count, 1);
    assert_eq!(counts[&BudgetKey::Account(alice().email)].count, 1);
}

#[tokio::test]
async fn the_fifth_wrong_password_revokes_the_session_for_suspicious_activity() {
    let mut ports = MockPorts::new();
    given_alice(&mut ports);
    ports.with_attempt_counts();
    ports
        .sessions
        .expect_find()
        .with(eq(session_id(1)))
        .returning(|_| Ok(Some(session_of(alice_id(), 1))));
    ports
        .sessions
        .expect_save_revocation()
        .withf(|session, events| {
            session
                .state()
                .revocation
                .map(|revocation| revocation.reason)
                == Some(RevocationReason::SuspiciousActivity)
                && events.len() == 1
        })
        .times(1)
        .returning(|_, _| Ok(true));
    ports.users.expect_update_password().never();
    let app = ports.app();
    let alice = caller();
    let guess = || {
        app.change_password(
            alice_id(),
            session_id(1),
            change("wrong password!", "new password 456"),
            &alice,
        )
    };
    for _ in 0..4 {
        assert!(matches!(
            guess().await,
            Err(ChangePasswordError::InvalidCredentials)
        ));
    }

    assert!(matches!(
        guess().await,
        Err(ChangePasswordError::SessionRevoked)
    ));
}

#[tokio::test]
async fn a_too_short_new_password_is_rejected_before_anything_else() {
    let ports = MockPorts::new();
    let result = ports
        .app()
        .change_password(
            alice_id(),
            session_id(1),
            change("old password 123", "short"),
            &caller(),
        )
        .await;
    assert!(matches!(
        result,
        Err(ChangePasswordError::InvalidPassword(
            InvalidPassword::TooShort
        ))
    ));
}

#[tokio::test]
async fn a_deleted_user_is_not_found() {
    let mut ports = MockPorts::new();
    ports.users.expect_find_by_id().returning(|_| Ok(None));
    let result = ports
        .app()
        .change_password(
            alice_id(),
            session_id(1),
            change("old password 123", "new password 456"),
            &caller(),
        )
        .await;
    assert!(matches!(result, Err(ChangePasswordError::UserNotFound)));
}
