//! Tests of the argon2 adapter: hashes, verification, buffers and the queue's behaviour
//! towards callers that hang up.

use std::{sync::Arc, time::Duration};

use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::{PasswordHash as PhcHash, SaltString, rand_core::OsRng},
};
use sessions_application::ports::{HashPriority, PasswordHasher};
use sessions_domain::{Password, PasswordHash};
use tokio::sync::oneshot;

use super::{Argon2Cost, Argon2Hasher, phc::failure};

/// The priority these tests hash at: an unknown client's, served by the shared threads alone.
const UNKNOWN: HashPriority = HashPriority::Unknown;

fn cheap_cost() -> Argon2Cost {
    Argon2Cost {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    }
}

fn cheap() -> Argon2Hasher {
    Argon2Hasher::new(cheap_cost(), 2, Duration::from_secs(60)).unwrap()
}

#[tokio::test]
async fn a_hashed_password_verifies_and_another_does_not() {
    let hasher = cheap();
    let password = Password::new("correct horse battery".into()).unwrap();
    let hash = hasher.hash(&password, UNKNOWN).await.unwrap();
    assert!(hash.as_str().starts_with("$argon2id$"));
    assert!(
        hasher
            .verify("correct horse battery", &hash, UNKNOWN)
            .await
            .unwrap()
    );
    assert!(
        !hasher
            .verify("wrong horse battery", &hash, UNKNOWN)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn the_default_cost_is_owasps() {
    let cost = Argon2Cost::default();
    assert!(cost.memory_kib >= 19 * 1024 && cost.iterations >= 2);
}

#[tokio::test]
async fn hashes_made_by_the_reference_crate_verify_and_ours_verify_there() {
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
    let hasher = cheap();
    let reference = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(64, 1, 1, None).unwrap(),
    );
    let salt = SaltString::generate(&mut OsRng);
    let theirs = reference
        .hash_password(b"correct horse battery", &salt)
        .unwrap()
        .to_string();
    assert!(
        hasher
            .verify("correct horse battery", &PasswordHash::new(theirs), UNKNOWN)
            .await
            .unwrap()
    );
    let ours = hasher
        .hash(
            &Password::new("correct horse battery".into()).unwrap(),
            UNKNOWN,
        )
        .await
        .unwrap();
    let parsed = PhcHash::new(ours.as_str()).unwrap();
    assert!(
        reference
            .verify_password(b"correct horse battery", &parsed)
            .is_ok()
    );
}

#[tokio::test]
async fn a_corrupt_stored_hash_is_an_error_not_a_match() {
    let hasher = cheap();
    let result = hasher
        .verify(
            "anything",
            &PasswordHash::new("not a phc string".into()),
            UNKNOWN,
        )
        .await;
    assert!(result.is_err());
}

#[tokio::test]
async fn the_dummy_verification_succeeds_without_matching_anything() {
    let hasher = cheap();
    assert!(hasher.verify_dummy("whatever", UNKNOWN).await.is_ok());
    let dummy = PasswordHash::new(hasher.dummy_hash.to_string());
    assert!(!hasher.verify("whatever", &dummy, UNKNOWN).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_buffers_are_reused_never_more_than_one_per_thread() {
    let hasher = cheap();
    assert!(
        hasher.buffers.lock().unwrap().is_empty(),
        "nothing allocated up front"
    );
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let hasher = hasher.clone();
            tokio::spawn(async move {
                let password = Password::new("correct horse battery".into()).unwrap();
                hasher.hash(&password, UNKNOWN).await.unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let buffers = hasher.buffers.lock().unwrap().len();
    assert!(
        (1..=2).contains(&buffers),
        "{buffers} buffers for 2 threads"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_hanging_up_mid_hash_never_add_buffers() {
    let cost = Argon2Cost {
        memory_kib: 4096,
        iterations: 1,
        parallelism: 1,
    };
    let hasher = Argon2Hasher::new(cost, 2, Duration::from_secs(60)).unwrap();
    let password = Password::new("correct horse battery".into()).unwrap();
    for _ in 0..10 {
        // Two callers give up long before their hashes finish…
        for _ in 0..2 {
            let hash = hasher.hash(&password, UNKNOWN);
            let gave_up = tokio::time::timeout(Duration::from_micros(50), hash);
            assert!(gave_up.await.is_err());
        }
        // …and two more wait for theirs.
        let (first, second) = tokio::join!(
            hasher.hash(&password, UNKNOWN),
            hasher.hash(&password, UNKNOWN)
        );
        first.unwrap();
        second.unwrap();
    }
    // Whatever still runs for the callers that hung up finishes with its buffer.
    let queue = Arc::clone(&hasher.queue);
    tokio::task::spawn_blocking(move || queue.threads().broadcast(|_| ()))
        .await
        .unwrap();
    let buffers = hasher.buffers.lock().unwrap().len();
    assert!(
        (1..=2).contains(&buffers),
        "{buffers} buffers for 2 threads"
    );
}

#[tokio::test]
async fn a_hash_whose_caller_hung_up_while_it_queued_is_skipped() {
    let hasher = Argon2Hasher::new(cheap_cost(), 1, Duration::from_secs(60)).unwrap();
    let (release, held) = std::sync::mpsc::channel::<()>();
    let (started, running) = oneshot::channel();
    // The one thread waits for `release`: what follows queues behind it.
    let blocker = {
        let hasher = hasher.clone();
        tokio::spawn(async move {
            hasher
                .run(UNKNOWN, move |_, _| {
                    started.send(()).unwrap();
                    held.recv().map_err(failure)
                })
                .await
        })
    };
    running.await.unwrap();
    let computed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = |computed: &Arc<std::sync::atomic::AtomicUsize>| {
        let computed = Arc::clone(computed);
        move |_: &Params, _: &mut Vec<Block>| {
            computed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        }
    };
    for _ in 0..3 {
        let queued = hasher.run(UNKNOWN, count(&computed));
        let gave_up = tokio::time::timeout(Duration::from_millis(1), queued);
        assert!(gave_up.await.is_err());
    }
    release.send(()).unwrap();
    blocker.await.unwrap().unwrap();
    hasher.run(UNKNOWN, count(&computed)).await.unwrap();
    assert_eq!(computed.load(std::sync::atomic::Ordering::SeqCst), 1);
}
