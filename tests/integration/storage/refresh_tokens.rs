//! The refresh-token store and its atomic rotation.

use sessions_application::ports::{RefreshRotation, WriteError};
use sessions_domain::{DeviceFingerprint, RefreshClient, RefreshToken, RefreshTokenId, Session};
use uuid::Uuid;

use super::conformance_tests;
use crate::support::{
    fixtures::{find_token, later, now, random_hash, reload, started_session, stored_user},
    race::released_together,
    store::StoreUnderTest,
};

/// The client of the tests' rotations: Chrome on macOS, over IPv6.
fn rotating_client() -> RefreshClient {
    RefreshClient {
        ip: "2001:db8::7".parse().unwrap(),
        device: Some(DeviceFingerprint {
            browser_family: Some("Chrome".into()),
            os_family: Some("macOS".into()),
        }),
    }
}

/// The rotation of `token` of `session` into a new successor at `at`.
pub(super) fn rotation(
    session: &Session,
    token: &RefreshToken,
    at: chrono::DateTime<chrono::Utc>,
) -> RefreshRotation {
    rotation_by(session, token, at, rotating_client())
}

/// The rotation of `token` of `session` into a new successor at `at`, by `client`.
fn rotation_by(
    session: &Session,
    token: &RefreshToken,
    at: chrono::DateTime<chrono::Utc>,
    client: RefreshClient,
) -> RefreshRotation {
    let successor = RefreshToken::issue(
        RefreshTokenId::from_uuid(Uuid::now_v7()),
        session.id(),
        random_hash(),
        at,
    );
    let mut used = token.clone();
    used.mark_used(successor.id, at, client);
    let mut rotated = session.clone();
    rotated.rotate_refresh_token(successor.id, at);
    RefreshRotation {
        used,
        successor,
        session: rotated,
    }
}

async fn a_token_is_found_by_its_hash_with_its_session(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let (session, token) = started_session(&store, user.id, now()).await;
    let (_, other_token) = started_session(&store, user.id, later(now(), 1)).await;

    let found = store.refresh_tokens.find_with_session(&token.hash).await;

    assert_eq!(
        found.unwrap(),
        Some((token, reload(&store, session.id()).await))
    );
    let (_, other_session) = store
        .refresh_tokens
        .find_with_session(&other_token.hash)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(other_session.id(), session.id());
    assert_eq!(find_token(&store, &random_hash()).await, None);
}

async fn the_client_that_used_a_token_reads_back_with_it(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let clients = [
        rotating_client(),
        RefreshClient {
            ip: "203.0.113.7".parse().unwrap(),
            device: None,
        },
        RefreshClient {
            ip: "198.51.100.1".parse().unwrap(),
            device: Some(DeviceFingerprint {
                browser_family: None,
                os_family: Some("Linux".into()),
            }),
        },
    ];
    for client in clients {
        let (session, token) = started_session(&store, user.id, now()).await;
        let step = rotation_by(&session, &token, later(now(), 1), client.clone());
        store.refresh_tokens.rotate(&step).await.unwrap();
        let stored = find_token(&store, &token.hash).await.unwrap();
        assert_eq!(stored.used_by, Some(client));
    }
}

async fn a_rotation_marks_the_token_used_and_installs_its_successor(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let (session, token) = started_session(&store, user.id, now()).await;
    let step = rotation(&session, &token, later(now(), 1));

    store.refresh_tokens.rotate(&step).await.unwrap();

    assert_eq!(
        find_token(&store, &token.hash).await,
        Some(step.used.clone())
    );
    assert_eq!(
        find_token(&store, &step.successor.hash).await,
        Some(step.successor.clone())
    );
    let stored = reload(&store, session.id()).await;
    assert_eq!(stored.refresh_token_id(), Some(step.successor.id));
    assert_eq!(stored.state().version, 1);
    let mut written = step.session.clone();
    written.advance_version();
    assert_eq!(stored, written);
    let (_, read_along) = store
        .refresh_tokens
        .find_with_session(&token.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_along, stored);
}

async fn a_used_token_cannot_be_rotated_again(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let (session, token) = started_session(&store, user.id, now()).await;
    store
        .refresh_tokens
        .rotate(&rotation(&session, &token, later(now(), 1)))
        .await
        .unwrap();
    let fresh = reload(&store, session.id()).await;

    let second = rotation(&fresh, &token, later(now(), 2));
    let result = store.refresh_tokens.rotate(&second).await;

    assert!(matches!(result, Err(WriteError::Conflict)));
    assert_eq!(find_token(&store, &second.successor.hash).await, None);
}

async fn a_rotation_on_a_changed_session_writes_nothing(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let (session, token) = started_session(&store, user.id, now()).await;
    let mut revoked = session.clone();
    revoked
        .revoke(sessions_domain::RevocationReason::Admin, later(now(), 1))
        .unwrap();
    store.sessions.save(&revoked, &[]).await.unwrap();

    let stale = rotation(&session, &token, later(now(), 2));
    let result = store.refresh_tokens.rotate(&stale).await;

    assert!(matches!(result, Err(WriteError::Conflict)));
    let unchanged = find_token(&store, &token.hash).await;
    assert_eq!(unchanged.and_then(|token| token.used_at), None);
    assert_eq!(find_token(&store, &stale.successor.hash).await, None);
}

async fn concurrent_lookups_each_get_their_own_token_and_session(store: StoreUnderTest) {
    let at = now();
    let user = stored_user(&store).await;
    let mut expected = Vec::new();
    for _ in 0..8 {
        let (session, token) = started_session(&store, user.id, at).await;
        expected.push((token.hash, Some((token, session))));
    }
    for _ in 0..8 {
        expected.push((random_hash(), None));
    }
    // Each hash looked up by several tasks released together, so lookups queue up behind
    // each other (and one hash appears more than once in one batch).
    let lookups = released_together((0..3).flat_map(|_| expected.clone()), |(hash, pair)| {
        let tokens = store.refresh_tokens.clone();
        async move { (tokens.find_with_session(&hash).await.unwrap(), pair) }
    })
    .await;
    for (found, expected) in lookups {
        assert_eq!(found, expected);
    }
}

async fn concurrent_rotations_of_many_sessions_each_have_one_winner(store: StoreUnderTest) {
    let user = stored_user(&store).await;
    let at = now();
    let mut contenders = Vec::new();
    for _ in 0..8 {
        let (session, token) = started_session(&store, user.id, at).await;
        // Two rotations of the same token, as from a client retrying its refresh.
        contenders.push((
            rotation(&session, &token, later(at, 1)),
            rotation(&session, &token, later(at, 1)),
        ));
    }
    let steps = contenders
        .iter()
        .flat_map(|(first, second)| [first.clone(), second.clone()]);
    let outcomes = released_together(steps, |step| {
        let tokens = store.refresh_tokens.clone();
        async move { tokens.rotate(&step).await }
    })
    .await;
    for ((first, second), outcome) in contenders.iter().zip(outcomes.chunks(2)) {
        let (winner, loser) = match outcome {
            [Ok(()), Err(WriteError::Conflict)] => (first, second),
            [Err(WriteError::Conflict), Ok(())] => (second, first),
            other => panic!("expected one winner, got {other:?}"),
        };
        let stored = reload(&store, winner.session.id()).await;
        assert_eq!(stored.refresh_token_id(), Some(winner.successor.id));
        assert_eq!(
            find_token(&store, &winner.successor.hash).await,
            Some(winner.successor.clone())
        );
        assert_eq!(find_token(&store, &loser.successor.hash).await, None);
        assert_eq!(
            find_token(&store, &winner.used.hash).await,
            Some(winner.used.clone())
        );
    }
}

conformance_tests!(
    the_client_that_used_a_token_reads_back_with_it,
    concurrent_rotations_of_many_sessions_each_have_one_winner,
    concurrent_lookups_each_get_their_own_token_and_session,
    a_token_is_found_by_its_hash_with_its_session,
    a_rotation_marks_the_token_used_and_installs_its_successor,
    a_used_token_cannot_be_rotated_again,
    a_rotation_on_a_changed_session_writes_nothing,
);
