//! The registration use case against mocks of its ports.

use sessions_domain::{AttemptCount, PasswordHash};

use super::*;
use crate::use_cases::test_support::{MockPorts, alice, client, t0, uuid};

fn registration(email: &str, password: &str) -> Registration {
    Registration {
        email: email.into(),
        password: password.into(),
    }
}

fn registrations() -> BudgetKey {
    BudgetKey::Registrations(ThrottledNetwork::of(client().ip))
}

#[tokio::test]
async fn registering_stores_the_user_with_the_hashed_password_and_counts_it() {
    let mut ports = MockPorts::new();
    let counts = ports.with_attempt_counts();
    ports.passwords.expect_admits().returning(|_| Ok(()));
    ports.users.expect_find_by_email().returning(|_| Ok(None));
    ports
        .passwords
        .expect_hash()
        .withf(|password, priority| {
            password.expose() == "correct horse battery" && *priority == HashPriority::Unknown
        })
        .times(1)
        .returning(|_, _| Ok(PasswordHash::new("$argon2id$hash".into())));
    ports.ids.expect_next_id().return_const(uuid(7));
    ports
        .users
        .expect_insert()
        .withf(|user| {
            user.email.as_str() == "alice@example.com"
                && user.password_hash.as_str() == "$argon2id$hash"
                && user.max_sessions.is_none()
                && user.created_at == t0()
        })
        .times(1)
        .returning(|_| Ok(()));

    let user = ports
        .app()
        .register(
            registration("Alice@Example.com", "correct horse battery"),
            &client(),
        )
        .await
        .unwrap();

    assert_eq!(user.id, UserId::from_uuid(uuid(7)));
    assert_eq!(counts.lock().unwrap()[&registrations()].count, 1);
}

#[tokio::test]
async fn a_taken_address_is_refused_without_hashing() {
    let mut ports = MockPorts::new();
    ports.with_attempt_counts();
    ports.passwords.expect_admits().returning(|_| Ok(()));
    ports
        .users
        .expect_find_by_email()
        .returning(|_| Ok(Some(alice())));
    ports.passwords.expect_hash().never();
    ports.users.expect_insert().never();
    let result = ports
        .app()
        .register(
            registration("alice@example.com", "correct horse battery"),
            &client(),
        )
        .await;
    assert!(matches!(result, Err(RegisterError::EmailTaken)));
}

#[tokio::test]
async fn a_registration_racing_another_for_the_address_is_refused_as_taken() {
    let mut ports = MockPorts::new();
    ports.with_attempt_counts();
    ports.passwords.expect_admits().returning(|_| Ok(()));
    ports.users.expect_find_by_email().returning(|_| Ok(None));
    ports
        .passwords
        .expect_hash()
        .returning(|_, _| Ok(PasswordHash::new("$argon2id$hash".into())));
    ports.ids.expect_next_id().return_const(uuid(7));
    ports
        .users
        .expect_insert()
        .returning(|_| Err(InsertUserError::EmailTaken));
    let result = ports
        .app()
        .register(
            registration("alice@example.com", "correct horse battery"),
            &client(),
        )
        .await;
    assert!(matches!(result, Err(RegisterError::EmailTaken)));
}

#[tokio::test]
async fn a_network_past_its_budget_is_refused_before_any_lookup() {
    let mut ports = MockPorts::new();
    ports.policy.throttle.registrations_per_network = 2;
    let counts = ports.with_attempt_counts();
    counts.lock().unwrap().insert(
        registrations(),
        AttemptCount {
            count: 2,
            window_ends_at: t0() + chrono::TimeDelta::minutes(40),
        },
    );
    ports.passwords.expect_admits().returning(|_| Ok(()));
    ports.users.expect_find_by_email().never();
    let result = ports
        .app()
        .register(
            registration("carol@example.com", "correct horse battery"),
            &client(),
        )
        .await;
    let Err(RegisterError::Throttled(throttled)) = result else {
        panic!("not throttled: {result:?}");
    };
    assert_eq!(throttled.retry_after, chrono::TimeDelta::minutes(40));
}

#[tokio::test]
async fn a_short_password_is_rejected_before_any_hashing_or_storage() {
    let ports = MockPorts::new();
    let result = ports
        .app()
        .register(registration("alice@example.com", "short"), &client())
        .await;
    assert!(matches!(
        result,
        Err(RegisterError::InvalidPassword(InvalidPassword::TooShort))
    ));
}

#[tokio::test]
async fn an_invalid_address_is_rejected_before_any_hashing_or_storage() {
    let ports = MockPorts::new();
    let result = ports
        .app()
        .register(
            registration("not-an-address", "correct horse battery"),
            &client(),
        )
        .await;
    assert!(matches!(result, Err(RegisterError::InvalidEmail(_))));
}

#[tokio::test]
async fn a_hashing_failure_stores_nothing() {
    let mut ports = MockPorts::new();
    ports.with_attempt_counts();
    ports.passwords.expect_admits().returning(|_| Ok(()));
    ports.users.expect_find_by_email().returning(|_| Ok(None));
    ports
        .passwords
        .expect_hash()
        .returning(|_, _| Err(HashingError::Failed("worker gone".into())));
    ports.users.expect_insert().never();
    let result = ports
        .app()
        .register(
            registration("alice@example.com", "correct horse battery"),
            &client(),
        )
        .await;
    assert!(matches!(result, Err(RegisterError::Hashing(_))));
}
