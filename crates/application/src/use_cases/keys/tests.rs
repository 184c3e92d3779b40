use std::sync::{Arc, Mutex};

use chrono::TimeDelta;
use sessions_domain::KeyGeneration;

use super::*;
use crate::use_cases::test_support::{MockPorts, at, t0};

fn sealed(lifetime: KeyLifetime) -> SealedKeyGeneration {
    SealedKeyGeneration {
        lifetime,
        public_key: PublicSigningKey {
            kid: format!("kid-{}", lifetime.generation.get()),
            x: "x".into(),
            y: "y".into(),
        },
        sealed_signing_key: vec![1],
        sealed_refresh_key: vec![2],
    }
}

fn first() -> KeyLifetime {
    KeyLifetime {
        generation: KeyGeneration::FIRST,
        created_at: t0(),
        activates_at: t0(),
    }
}

/// A key store over a vector, as a store keeps them: a generation's number is taken once.
fn stored_in(
    ports: &mut MockPorts,
    generations: Vec<SealedKeyGeneration>,
) -> Arc<Mutex<Vec<SealedKeyGeneration>>> {
    let stored = Arc::new(Mutex::new(generations));
    let read = Arc::clone(&stored);
    ports
        .keys
        .expect_key_generations()
        .returning(move || Ok(read.lock().unwrap().clone()));
    let write = Arc::clone(&stored);
    ports
        .keys
        .expect_add_key_generation()
        .returning(move |generation| {
            let mut stored = write.lock().unwrap();
            if stored
                .iter()
                .any(|held| held.lifetime.generation == generation.lifetime.generation)
            {
                return Ok(false);
            }
            stored.push(generation.clone());
            Ok(true)
        });
    stored
}

#[tokio::test]
async fn the_first_start_creates_the_first_generation_and_holds_it() {
    let mut ports = MockPorts::new();
    let stored = stored_in(&mut ports, Vec::new());
    ports
        .key_ring
        .expect_create()
        .withf(|lifetime| *lifetime == first())
        .times(1)
        .returning(|lifetime| Ok(sealed(lifetime)));
    ports
        .key_ring
        .expect_hold()
        .withf(|held| held.len() == 1 && held[0].lifetime == first())
        .times(1)
        .returning(|_| Ok(()));

    ports.app().maintain_keys().await.unwrap();

    assert_eq!(stored.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_generation_another_instance_created_first_is_the_one_held() {
    let mut ports = MockPorts::new();
    // The store already has generation 1 when this instance tries to add its own.
    let mut theirs = sealed(first());
    theirs.public_key.kid = "theirs".into();
    let mut reads = 0;
    let their_copy = theirs.clone();
    ports.keys.expect_key_generations().returning(move || {
        reads += 1;
        // Empty when first read, then the other instance's generation.
        if reads == 1 {
            Ok(Vec::new())
        } else {
            Ok(vec![their_copy.clone()])
        }
    });
    ports
        .keys
        .expect_add_key_generation()
        .times(1)
        .returning(|_| Ok(false));
    ports
        .key_ring
        .expect_create()
        .returning(|lifetime| Ok(sealed(lifetime)));
    ports
        .key_ring
        .expect_hold()
        .withf(|held| held.len() == 1 && held[0].public_key.kid == "theirs")
        .times(1)
        .returning(|_| Ok(()));

    ports.app().maintain_keys().await.unwrap();
}

#[tokio::test]
async fn an_operators_rotation_while_one_is_pending_creates_nothing_and_names_the_pending_one() {
    let mut ports = MockPorts::new();
    ports.now = at(60);
    let pending = KeyLifetime {
        generation: KeyGeneration::new(2),
        created_at: at(30),
        activates_at: at(30) + TimeDelta::minutes(7),
    };
    stored_in(&mut ports, vec![sealed(first()), sealed(pending)]);
    ports.key_ring.expect_create().never();
    ports.key_ring.expect_hold().returning(|_| Ok(()));

    let rotated = ports.app().rotate_keys().await.unwrap();

    assert_eq!(rotated.lifetime, pending);
    assert_eq!(rotated.state, KeyState::Pending);
}

#[tokio::test]
async fn a_master_key_that_does_not_open_the_stored_keys_is_an_error() {
    let mut ports = MockPorts::new();
    stored_in(&mut ports, vec![sealed(first())]);
    ports
        .key_ring
        .expect_hold()
        .returning(|_| Err(KeyRingError::WrongMasterKey));

    let result = ports.app().maintain_keys().await;

    assert!(matches!(
        result,
        Err(KeysError::Ring(KeyRingError::WrongMasterKey))
    ));
}

#[tokio::test]
async fn generations_past_their_afterlife_are_listed_expired_and_not_held() {
    let mut ports = MockPorts::new();
    let second = KeyLifetime {
        generation: KeyGeneration::new(2),
        created_at: at(0),
        activates_at: at(600),
    };
    ports.now = at(600) + TimeDelta::hours(1);
    stored_in(&mut ports, vec![sealed(first()), sealed(second)]);
    ports
        .key_ring
        .expect_hold()
        .withf(|held| held.len() == 1 && held[0].lifetime.generation == KeyGeneration::new(2))
        .returning(|_| Ok(()));
    let app = ports.app();

    app.maintain_keys().await.unwrap();
    let states: Vec<KeyState> = app
        .list_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|view| view.state)
        .collect();

    assert_eq!(states, [KeyState::Expired, KeyState::Signing]);
}
