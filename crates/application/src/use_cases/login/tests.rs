//! The login use case against mocks of its ports, with attempt counts kept as a store keeps
//! them.

use std::sync::{Arc, Mutex};

use chrono::TimeDelta;
use sessions_domain::{
    DeviceToken, DeviceTokenId, SessionEvent, SessionEventKind, Throttled, TokenHash,
};

use super::*;
use crate::use_cases::test_support::{
    MockPorts, alice, alice_id, client, mallory_id, session_id, t0, uuid,
};

const PASSWORD: &str = "correct horse battery";

fn credentials(email: &str, password: &str, device_token: Option<&str>) -> Credentials {
    Credentials {
        email: email.into(),
        password: password.into(),
        device_token: device_token.map(|token| SecretToken::new(token.into())),
    }
}

/// Alice's credentials, with a wrong password unless `right`, presenting `device_token`.
fn alices(right: bool, device_token: Option<&str>) -> Credentials {
    credentials(
        "alice@example.com",
        if right {
            PASSWORD
        } else {
            "wrong horse battery"
        },
        device_token,
    )
}

/// A token's hash: its value's first byte, repeated.
fn hash_of(secret: &SecretToken) -> TokenHash {
    TokenHash::from_bytes([secret.expose().as_bytes()[0]; 32])
}

/// Alice's device token "device-1", issued at `t0` for a year.
fn alices_device() -> DeviceToken {
    DeviceToken::issue(
        DeviceTokenId::from_uuid(uuid(77)),
        alice_id(),
        hash_of(&SecretToken::new("device-1".into())),
        t0(),
        TimeDelta::days(365),
    )
}

/// Alice exists; her password is `PASSWORD`; the hasher admits everything and checks
/// with `expected` priority; device tokens are hashed by their first byte and the store
/// knows `stored_devices`.
/// Alice's account, clients enriched as from the US, and the failed sign-ins recorded.
fn given_alice(
    ports: &mut MockPorts,
    expected: HashPriority,
    stored_devices: Vec<DeviceToken>,
) -> Arc<Mutex<Vec<AccountEvent>>> {
    ports.with_client_enrichment(Some("US"));
    let failures = ports.with_recorded_account_events();
    ports
        .users
        .expect_find_by_email()
        .returning(|email| Ok((email.as_str() == "alice@example.com").then(alice)));
    ports.passwords.expect_admits().returning(|_| Ok(()));
    ports
        .passwords
        .expect_verify()
        .withf(move |_, hash, priority| hash.as_str() == "$argon2id$alice" && *priority == expected)
        .returning(|candidate, _, _| Ok(candidate == PASSWORD));
    ports
        .passwords
        .expect_verify_dummy()
        .returning(|_, _| Ok(()));
    ports.token_secrets.expect_hash().returning(hash_of);
    ports
        .device_tokens
        .expect_find_device_token()
        .returning(move |hash| {
            Ok(stored_devices
                .iter()
                .find(|device| device.hash == *hash)
                .cloned())
        });
    failures
}

/// What a successful login needs: ids, secrets ("refresh-1", then "new-device"), signing;
/// the started sessions are collected.
fn given_session_material(ports: &mut MockPorts) -> std::sync::Arc<Mutex<Vec<SessionStart>>> {
    let mut next = 0;
    ports.ids.expect_next_id().returning(move || {
        next += 1;
        uuid(next)
    });
    let mut generated = ["refresh-1", "new-device"].into_iter().cycle();
    ports
        .token_secrets
        .expect_generate()
        .returning(move || SecretToken::new(generated.next().unwrap_or_default().into()));
    ports
        .access_tokens
        .expect_issue()
        .returning(|_| Ok("access-1".into()));
    no_earlier_sessions(ports);
    let started = std::sync::Arc::new(Mutex::new(Vec::new()));
    let collected = std::sync::Arc::clone(&started);
    ports.sessions.expect_start().returning(move |start| {
        collected.lock().unwrap().push(start.clone());
        Ok(Vec::new())
    });
    started
}

/// The account has no earlier session: every sign-in is from a new device.
fn no_earlier_sessions(ports: &mut MockPorts) {
    ports
        .sessions
        .expect_list_for_user()
        .returning(|_, _| Ok(Vec::new()));
}

fn account() -> BudgetKey {
    BudgetKey::Account(alice().email)
}

fn network() -> BudgetKey {
    BudgetKey::NetworkFailures(ThrottledNetwork::of(client().ip))
}

#[tokio::test]
async fn a_correct_password_starts_a_session_and_hands_out_a_new_device_token() {
    let mut ports = MockPorts::new();
    given_alice(&mut ports, HashPriority::Unknown, Vec::new());
    let counts = ports.with_attempt_counts();
    let started = given_session_material(&mut ports);

    let logged_in = ports
        .app()
        .login(alices(true, None), client())
        .await
        .unwrap();

    assert_eq!(logged_in.tokens.access_token, "access-1");
    assert_eq!(logged_in.tokens.refresh_token.expose(), "refresh-1");
    assert_eq!(logged_in.tokens.expires_in.num_seconds(), 900);
    assert!(logged_in.tokens.session.is_current);
    assert_eq!(logged_in.device_token.expose(), "new-device");
    let start = started.lock().unwrap()[0].clone();
    let state = start.session.state();
    assert_eq!(state.user_id, alice_id());
    assert_eq!(
        state
            .device_info
            .as_ref()
            .map(sessions_domain::DeviceInfo::as_str),
        Some("Chrome on macOS")
    );
    assert_eq!(
        state.location.as_ref().map(ToString::to_string),
        Some("US".into())
    );
    assert_eq!(state.refresh_token_id, Some(start.refresh_token.id));
    assert_eq!(
        start.created.kind,
        SessionEventKind::Created {
            new_device: Some(true)
        }
    );
    assert_eq!(start.device_token.user_id, alice_id());
    assert_eq!(start.device_token.hash, hash_of(&logged_in.device_token));
    assert_eq!(start.device_token.expires_at, t0() + TimeDelta::days(365));
    // A success spends nothing.
    let counts = counts.lock().unwrap();
    assert_eq!(counts.get(&account()).map(|count| count.count), Some(0));
    assert_eq!(counts.get(&network()).map(|count| count.count), Some(0));
}

#[tokio::test]
async fn a_valid_device_token_hashes_as_known_and_is_renewed_under_its_own_id() {
    let mut ports = MockPorts::new();
    given_alice(&mut ports, HashPriority::Known, vec![alices_device()]);
    let counts = ports.with_attempt_counts();
    let started = given_session_material(&mut ports);

    let logged_in = ports
        .app()
        .login(alices(true, Some("device-1")), client())
        .await
        .unwrap();

    let renewed = started.lock().unwrap()[0].device_token.clone();
    assert_eq!(renewed.id, alices_device().id);
    assert_eq!(renewed.created_at, t0());
    assert_eq!(renewed.hash, hash_of(&logged_in.device_token));
    assert_ne!(renewed.hash, alices_device().hash);
    let counts = counts.lock().unwrap();
    assert!(counts.contains_key(&BudgetKey::DeviceToken(alices_device().id)));
    assert!(!counts.contains_key(&account()));
}

#[tokio::test]
async fn a_device_token_of_another_account_vouches_for_nothing() {
    let mut ports = MockPorts::new();
    let mallorys = DeviceToken {
        user_id: mallory_id(),
        ..alices_device()
    };
    given_alice(&mut ports, HashPriority::Unknown, vec![mallorys]);
    let counts = ports.with_attempt_counts();
    let started = given_session_material(&mut ports);

    ports
        .app()
        .login(alices(true, Some("device-1")), client())
        .await
        .unwrap();

    assert_ne!(
        started.lock().unwrap()[0].device_token.id,
        alices_device().id
    );
    assert!(counts.lock().unwrap().contains_key(&account()));
}

#[tokio::test]
async fn a_wrong_password_counts_against_the_account_and_the_network() {
    let mut ports = MockPorts::new();
    let failures = given_alice(&mut ports, HashPriority::Unknown, Vec::new());
    let counts = ports.with_attempt_counts();
    ports.sessions.expect_start().never();

    let result = ports.app().login(alices(false, None), client()).await;

    assert!(matches!(result, Err(LoginError::InvalidCredentials)));
    let counts = counts.lock().unwrap();
    assert_eq!(counts[&account()].count, 1);
    assert_eq!(counts[&network()].count, 1);
    let failures = failures.lock().unwrap();
    let [failure] = failures.as_slice() else {
        panic!("one failed sign-in recorded, not {failures:?}")
    };
    assert_eq!(failure.user_id, Some(alice_id()));
    assert_eq!(
        failure.kind,
        AccountEventKind::LoginFailed {
            unknown_account: None
        }
    );
    assert_eq!(failure.cause.actor, Actor::User { session_id: None });
    let origin = failure.cause.origin.as_ref().unwrap();
    assert_eq!(origin.ip, client().ip);
    assert_eq!(origin.user_agent, client().user_agent);
    assert_eq!(origin.device.as_ref().unwrap().as_str(), "Chrome on macOS");
}

#[tokio::test]
async fn past_the_accounts_budget_clients_without_a_device_token_are_refused_unhashed() {
    let mut ports = MockPorts::new();
    ports.policy.throttle.lockout_threshold = 3;
    given_alice(&mut ports, HashPriority::Unknown, Vec::new());
    ports.with_attempt_counts();
    let app = ports.app();
    for _ in 0..3 {
        let result = app.login(alices(false, None), client()).await;
        assert!(matches!(result, Err(LoginError::InvalidCredentials)));
    }

    // The right password does not help: it is not even checked.
    let refused = app.login(alices(true, None), client()).await;

    let Err(LoginError::Throttled(Throttled { retry_after })) = refused else {
        panic!("not throttled: {refused:?}");
    };
    assert_eq!(retry_after, TimeDelta::minutes(15));
}

#[tokio::test]
async fn the_owner_with_a_device_token_logs_in_while_the_accounts_budget_is_spent() {
    let mut ports = MockPorts::new();
    ports.policy.throttle.lockout_threshold = 3;
    given_alice(&mut ports, HashPriority::Known, vec![alices_device()]);
    // The attacker's checks run as unknown: let any priority through for them.
    ports.passwords.checkpoint();
    given_alice_any_priority(&mut ports);
    let counts = ports.with_attempt_counts();
    given_session_material(&mut ports);
    let app = ports.app();
    for _ in 0..5 {
        let _ = app.login(alices(false, None), client()).await;
    }
    assert!(counts.lock().unwrap()[&account()].count >= 3);

    let owner = app.login(alices(true, Some("device-1")), client()).await;

    assert!(owner.is_ok(), "{owner:?}");
}

/// The hasher of [`given_alice`], for any priority.
fn given_alice_any_priority(ports: &mut MockPorts) {
    ports.passwords.expect_admits().returning(|_| Ok(()));
    ports
        .passwords
        .expect_verify()
        .returning(|candidate, _, _| Ok(candidate == PASSWORD));
    ports
        .passwords
        .expect_verify_dummy()
        .returning(|_, _| Ok(()));
}

#[tokio::test]
async fn a_device_token_holder_is_locked_out_by_its_own_failures_only() {
    let mut ports = MockPorts::new();
    ports.policy.throttle.lockout_threshold = 2;
    given_alice(&mut ports, HashPriority::Known, vec![alices_device()]);
    let counts = ports.with_attempt_counts();
    let app = ports.app();
    for _ in 0..2 {
        let failed = app.login(alices(false, Some("device-1")), client()).await;
        assert!(matches!(failed, Err(LoginError::InvalidCredentials)));
    }

    let refused = app.login(alices(true, Some("device-1")), client()).await;

    assert!(matches!(refused, Err(LoginError::Throttled(_))));
    let counts = counts.lock().unwrap();
    assert!(
        !counts.contains_key(&account()),
        "the account's budget is untouched"
    );
    // Its failures still count for its network.
    assert_eq!(counts[&network()].count, 2);
}

#[tokio::test]
async fn an_unknown_address_burns_a_dummy_hash_and_spends_its_budget_like_a_known_one() {
    let mut ports = MockPorts::new();
    let failures = given_alice(&mut ports, HashPriority::Unknown, Vec::new());
    ports.passwords.checkpoint();
    ports.passwords.expect_admits().returning(|_| Ok(()));
    ports
        .passwords
        .expect_verify_dummy()
        .withf(|candidate, priority| {
            candidate == "whatever password" && *priority == HashPriority::Unknown
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let counts = ports.with_attempt_counts();

    let result = ports
        .app()
        .login(
            credentials("bob@example.com", "whatever password", None),
            client(),
        )
        .await;

    assert!(matches!(result, Err(LoginError::InvalidCredentials)));
    let bob = sessions_domain::Email::parse("bob@example.com").unwrap();
    assert_eq!(
        counts.lock().unwrap()[&BudgetKey::Account(bob.clone())].count,
        1
    );
    let failures = failures.lock().unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].user_id, None);
    assert_eq!(
        failures[0].kind,
        AccountEventKind::LoginFailed {
            unknown_account: Some(bob)
        }
    );
}

#[tokio::test]
async fn a_malformed_address_burns_a_dummy_hash_and_counts_for_the_network_only() {
    let mut ports = MockPorts::new();
    ports.passwords.expect_admits().returning(|_| Ok(()));
    ports
        .passwords
        .expect_verify_dummy()
        .times(1)
        .returning(|_, _| Ok(()));
    ports.with_client_enrichment(None);
    ports.with_recorded_account_events();
    let counts = ports.with_attempt_counts();

    let result = ports
        .app()
        .login(
            credentials("not an address", "whatever password", None),
            client(),
        )
        .await;

    assert!(matches!(result, Err(LoginError::InvalidCredentials)));
    let counts = counts.lock().unwrap();
    assert_eq!(counts.len(), 1);
    assert_eq!(counts[&network()].count, 1);
}

#[tokio::test]
async fn an_overloaded_hasher_refuses_before_anything_is_read_or_counted() {
    let mut ports = MockPorts::new();
    ports.users.expect_find_by_email().never();
    ports.passwords.expect_admits().returning(|_| {
        Err(HashingError::Overloaded {
            retry_after: std::time::Duration::from_secs(2),
        })
    });
    ports.attempts.expect_counts().never();
    ports.attempts.expect_count().never();

    let result = ports.app().login(alices(true, None), client()).await;

    assert!(matches!(
        result,
        Err(LoginError::Hashing(HashingError::Overloaded { .. }))
    ));
}

#[tokio::test]
async fn a_hash_refused_after_counting_is_taken_back() {
    let mut ports = MockPorts::new();
    ports
        .users
        .expect_find_by_email()
        .returning(|_| Ok(Some(alice())));
    ports.passwords.expect_admits().returning(|_| Ok(()));
    ports.passwords.expect_verify().returning(|_, _, _| {
        Err(HashingError::Overloaded {
            retry_after: std::time::Duration::from_secs(2),
        })
    });
    let counts = ports.with_attempt_counts();

    let result = ports.app().login(alices(true, None), client()).await;

    assert!(matches!(result, Err(LoginError::Hashing(_))));
    let counts = counts.lock().unwrap();
    assert_eq!(counts[&account()].count, 0);
    assert_eq!(counts[&network()].count, 0);
}

#[tokio::test]
async fn lockout_off_counts_nothing() {
    let mut ports = MockPorts::new();
    ports.policy.throttle.lockout_threshold = 0;
    ports.policy.throttle.network_failure_limit = 0;
    given_alice(&mut ports, HashPriority::Unknown, Vec::new());
    ports.attempts.expect_counts().never();
    ports.attempts.expect_count().never();

    let result = ports.app().login(alices(false, None), client()).await;

    assert!(matches!(result, Err(LoginError::InvalidCredentials)));
}

#[tokio::test]
async fn evictions_by_the_session_limit_do_not_fail_the_login() {
    let mut ports = MockPorts::new();
    given_alice(&mut ports, HashPriority::Unknown, Vec::new());
    ports.with_attempt_counts();
    given_session_material(&mut ports);
    ports.sessions.checkpoint();
    no_earlier_sessions(&mut ports);
    ports.sessions.expect_start().times(1).returning(|start| {
        Ok(vec![SessionEvent::evicted(
            session_id(99),
            alice_id(),
            start.session.id(),
            start.now,
            start.created.cause.clone(),
        )])
    });

    let logged_in = ports
        .app()
        .login(alices(true, None), client())
        .await
        .unwrap();

    assert_eq!(logged_in.tokens.session.session.id(), session_id(1));
}

#[tokio::test]
async fn a_user_deleted_during_login_is_invalid_credentials() {
    let mut ports = MockPorts::new();
    given_alice(&mut ports, HashPriority::Unknown, Vec::new());
    ports.with_attempt_counts();
    given_session_material(&mut ports);
    ports.sessions.checkpoint();
    no_earlier_sessions(&mut ports);
    ports
        .sessions
        .expect_start()
        .times(1)
        .returning(|_| Err(StartSessionError::UserNotFound));

    let result = ports.app().login(alices(true, None), client()).await;

    assert!(matches!(result, Err(LoginError::InvalidCredentials)));
}

#[tokio::test]
async fn a_store_failure_is_reported_as_such() {
    let mut ports = MockPorts::new();
    ports.passwords.expect_admits().returning(|_| Ok(()));
    ports
        .users
        .expect_find_by_email()
        .returning(|_| Err(StoreError::new(std::io::Error::other("down"))));

    let result = ports.app().login(alices(true, None), client()).await;

    assert!(matches!(result, Err(LoginError::Store(_))));
}

#[tokio::test]
async fn a_sign_in_like_an_earlier_session_or_with_a_device_token_is_no_new_device() {
    for (device_token, earlier) in [(None, true), (Some("device-1"), false)] {
        let mut ports = MockPorts::new();
        let priority = if device_token.is_some() {
            HashPriority::Known
        } else {
            HashPriority::Unknown
        };
        given_alice(&mut ports, priority, vec![alices_device()]);
        ports.with_attempt_counts();
        let started = given_session_material(&mut ports);
        ports.sessions.checkpoint();
        ports
            .sessions
            .expect_list_for_user()
            .returning(move |_, _| {
                Ok(if earlier {
                    vec![crate::use_cases::test_support::session_of(alice_id(), 7)]
                } else {
                    Vec::new()
                })
            });
        let collected = std::sync::Arc::clone(&started);
        ports.sessions.expect_start().returning(move |start| {
            collected.lock().unwrap().push(start.clone());
            Ok(Vec::new())
        });

        ports
            .app()
            .login(alices(true, device_token), client())
            .await
            .unwrap();

        let started = started.lock().unwrap();
        assert_eq!(
            started[0].created.kind,
            SessionEventKind::Created {
                new_device: Some(false)
            },
            "device token {device_token:?}, earlier session {earlier}"
        );
    }
}
