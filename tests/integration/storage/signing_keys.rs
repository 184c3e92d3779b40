//! The key generations every instance shares through the store: instances that create the
//! first generation, or rotate, at the same moment make one generation between them, and
//! every instance holding the master key holds the same keys.

use std::sync::Arc;

use sessions_application::use_cases::KeyState;
use sessions_domain::{KeyGeneration, SessionPolicy};
use sessions_infrastructure::MasterKey;

use crate::{
    storage::conformance_tests,
    support::{app::instance, store::StoreUnderTest},
};

conformance_tests!(instances_rotating_at_the_same_moment_make_one_generation);

async fn instances_rotating_at_the_same_moment_make_one_generation(store: StoreUnderTest) {
    let (_, master) = MasterKey::generate().unwrap();
    let instances: Vec<_> = (0..4)
        .map(|_| Arc::new(instance(&store, SessionPolicy::default(), &master)))
        .collect();

    // Four instances start at once on an empty store: one first generation.
    let starts: Vec<_> = instances
        .iter()
        .map(|app| {
            let app = Arc::clone(app);
            tokio::spawn(async move { app.maintain_keys().await })
        })
        .collect();
    for start in starts {
        start.await.unwrap().unwrap();
    }
    assert_eq!(instances[0].list_keys().await.unwrap().len(), 1);

    // Four rotate at once: one new generation, which every answer names.
    let rotations: Vec<_> = instances
        .iter()
        .map(|app| {
            let app = Arc::clone(app);
            tokio::spawn(async move { app.rotate_keys().await })
        })
        .collect();
    let mut named = Vec::new();
    for rotation in rotations {
        named.push(rotation.await.unwrap().unwrap());
    }
    let keys = instances[0].list_keys().await.unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    let new = keys.last().unwrap();
    assert_eq!(new.lifetime.generation, KeyGeneration::new(2));
    assert_eq!(new.state, KeyState::Pending);
    assert!(
        named.iter().all(|rotation| rotation.kid == new.kid),
        "{named:?}"
    );

    // Every instance holds (and publishes) the same keys.
    for app in &instances {
        app.maintain_keys().await.unwrap();
        assert_eq!(app.public_keys(), instances[0].public_keys());
    }
    assert_eq!(instances[0].public_keys().len(), 2);
}
