//! The webhook outbox in each store: a delivery exists exactly when its event committed;
//! senders racing each other never take the same delivery; outcomes are recorded; erasure
//! takes deliveries with their events.

use std::collections::HashSet;

use chrono::{TimeDelta, Utc};
use sessions_application::ports::{
    AttemptOutcome, AttemptRecord, SealedSecret, StartSessionError, WebhookEndpoint,
};
use sessions_domain::{Actor, Cause, DeliveryStatus, SessionPolicy, UserId, WebhookEventType};
use uuid::Uuid;

use super::conformance_tests;
use crate::support::{
    fixtures::{admin_from, now, session_start, stored_user},
    race::released_together,
    store::StoreUnderTest,
};

async fn subscribed(store: &StoreUnderTest, events: Vec<WebhookEventType>) -> Uuid {
    let endpoint = WebhookEndpoint {
        id: Uuid::now_v7(),
        url: "http://127.0.0.1:9/hook".into(),
        description: None,
        event_types: events,
        secret: SealedSecret(vec![1, 2, 3]),
        previous_secret: None,
        created_at: now(),
        updated_at: now(),
    };
    store.webhooks.insert_endpoint(&endpoint).await.unwrap();
    endpoint.id
}

async fn claim_all(store: &StoreUnderTest) -> Vec<sessions_application::ports::ClaimedDelivery> {
    let at = Utc::now() + TimeDelta::seconds(1);
    store
        .webhooks
        .claim_due(at, at + TimeDelta::minutes(1), 1_000)
        .await
        .unwrap()
}

async fn a_committed_event_is_one_delivery_per_subscriber_and_a_rolled_back_one_none(
    store: StoreUnderTest,
) {
    let creations = subscribed(&store, vec![WebhookEventType::SessionCreated]).await;
    let revocations = subscribed(&store, vec![WebhookEventType::SessionRevoked]).await;
    let user = stored_user(&store).await;
    // A login whose transaction rolls back: its user is gone.
    let ghost = session_start(
        UserId::from_uuid(Uuid::now_v7()),
        "203.0.113.7",
        now(),
        SessionPolicy::default(),
    );
    let failed = store.sessions.start(&ghost).await;
    assert!(matches!(failed, Err(StartSessionError::UserNotFound)));
    let start = session_start(user.id, "203.0.113.7", now(), SessionPolicy::default());
    store.sessions.start(&start).await.unwrap();

    let claimed = claim_all(&store).await;

    assert_eq!(
        claimed.len(),
        1,
        "only the committed sign-in, to its one subscriber"
    );
    let delivery = &claimed[0];
    assert_eq!(delivery.endpoint.id, creations);
    assert_eq!(delivery.event.session_id, Some(start.session.id()));
    assert_eq!(delivery.attempt, 1);
    assert_eq!(delivery.event.cause, start.created.cause);
    assert!(claim_all(&store).await.is_empty(), "held by its lease");
    let none = store
        .webhooks
        .list_deliveries(revocations, None, 10)
        .await
        .unwrap();
    assert!(none.is_empty());
}

async fn senders_racing_never_take_the_same_delivery(store: StoreUnderTest) {
    subscribed(&store, vec![WebhookEventType::SessionCreated]).await;
    let user = stored_user(&store).await;
    let policy = SessionPolicy {
        default_max_sessions: sessions_domain::SessionLimit::Unlimited,
        ..SessionPolicy::default()
    };
    for n in 0..60 {
        let start = session_start(
            user.id,
            "203.0.113.7",
            now() + TimeDelta::milliseconds(n),
            policy,
        );
        store.sessions.start(&start).await.unwrap();
    }

    let rounds = released_together(0..6, |_| {
        let webhooks = store.webhooks.clone();
        async move {
            let mut taken = Vec::new();
            for _ in 0..10 {
                let at = Utc::now() + TimeDelta::seconds(1);
                let claimed = webhooks
                    .claim_due(at, at + TimeDelta::minutes(1), 4)
                    .await
                    .unwrap();
                taken.extend(claimed.into_iter().map(|delivery| delivery.id));
            }
            taken
        }
    })
    .await;

    let all: Vec<Uuid> = rounds.into_iter().flatten().collect();
    let distinct: HashSet<Uuid> = all.iter().copied().collect();
    assert_eq!(all.len(), distinct.len(), "a delivery taken twice");
    assert_eq!(distinct.len(), 60);
}

async fn outcomes_are_recorded_and_a_failure_past_its_period_is_final(store: StoreUnderTest) {
    let endpoint = subscribed(&store, vec![WebhookEventType::SessionCreated]).await;
    let user = stored_user(&store).await;
    for _ in 0..3 {
        let start = session_start(user.id, "203.0.113.7", now(), SessionPolicy::default());
        store.sessions.start(&start).await.unwrap();
    }
    let claimed = claim_all(&store).await;
    let webhooks = &store.webhooks;
    let later = Utc::now() + TimeDelta::seconds(30);
    let failed = AttemptOutcome::Failed {
        status: Some(503),
        error: "answered 503".into(),
    };
    let attempt = |n: usize, outcome: &AttemptOutcome, next| AttemptRecord {
        delivery_id: claimed[n].id,
        outcome: outcome.clone(),
        next_attempt_at: next,
        answered_at: now(),
    };
    webhooks
        .record_attempts(&[
            attempt(0, &AttemptOutcome::Delivered { status: 204 }, None),
            attempt(1, &failed, Some(later)),
            attempt(2, &failed, None),
        ])
        .await
        .unwrap();

    let status_of = |id: Uuid, deliveries: &[sessions_application::ports::Delivery]| {
        deliveries
            .iter()
            .find(|delivery| delivery.id == id)
            .unwrap()
            .clone()
    };
    let deliveries = webhooks.list_deliveries(endpoint, None, 10).await.unwrap();
    let delivered = status_of(claimed[0].id, &deliveries);
    assert_eq!(delivered.status, DeliveryStatus::Delivered);
    assert_eq!(delivered.last_status_code, Some(204));
    assert!(delivered.delivered_at.is_some());
    let retrying = status_of(claimed[1].id, &deliveries);
    assert_eq!(retrying.status, DeliveryStatus::Pending);
    assert_eq!(retrying.last_error.as_deref(), Some("answered 503"));
    assert_eq!(retrying.attempts, 1);
    assert_eq!(
        status_of(claimed[2].id, &deliveries).status,
        DeliveryStatus::Failed
    );
    let pending = webhooks
        .list_deliveries(endpoint, Some(DeliveryStatus::Pending), 10)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert!(
        claim_all(&store).await.is_empty(),
        "the retry is not due yet"
    );
    let due = store
        .webhooks
        .claim_due(later, later + TimeDelta::minutes(1), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].attempt, 2);
    assert_eq!(store.webhooks.queue(later).await.unwrap().0, 1);
    assert!(
        webhooks
            .retry_delivery(endpoint, claimed[2].id, now())
            .await
            .unwrap()
    );
    assert!(
        !webhooks
            .retry_delivery(Uuid::now_v7(), claimed[2].id, now())
            .await
            .unwrap()
    );
}

async fn erasing_a_user_takes_their_deliveries_with_their_events(store: StoreUnderTest) {
    let endpoint = subscribed(
        &store,
        vec![
            WebhookEventType::SessionCreated,
            WebhookEventType::PasswordChanged,
        ],
    )
    .await;
    let user = stored_user(&store).await;
    let start = session_start(user.id, "203.0.113.7", now(), SessionPolicy::default());
    store.sessions.start(&start).await.unwrap();
    let cause = Cause {
        actor: Actor::session(start.session.id()),
        ..admin_from("203.0.113.7")
    };
    let hash = sessions_domain::PasswordHash::new("$argon2id$new".into());
    store
        .users
        .update_password(user.id, &hash, now(), &cause)
        .await
        .unwrap();
    assert_eq!(
        store
            .webhooks
            .list_deliveries(endpoint, None, 10)
            .await
            .unwrap()
            .len(),
        2
    );

    store
        .users
        .delete(user.id, now(), &admin_from("192.0.2.1"))
        .await
        .unwrap();

    assert!(
        store
            .webhooks
            .list_deliveries(endpoint, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.webhooks.delete_endpoint(endpoint).await.unwrap());
    assert!(
        store
            .webhooks
            .find_endpoint(endpoint)
            .await
            .unwrap()
            .is_none()
    );
}

conformance_tests!(
    a_committed_event_is_one_delivery_per_subscriber_and_a_rolled_back_one_none,
    senders_racing_never_take_the_same_delivery,
    outcomes_are_recorded_and_a_failure_past_its_period_is_final,
    erasing_a_user_takes_their_deliveries_with_their_events,
);
