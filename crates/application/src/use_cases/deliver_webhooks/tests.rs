use std::sync::{Arc, Mutex};

use chrono::TimeDelta;
use sessions_domain::{
    Actor, AuditEventKind, Cause, Origin, RevocationReason, SessionEventKind, WebhookEventType,
};

use super::*;
use crate::{
    SecretToken,
    ports::{SealedSecret, WebhookEndpoint},
    use_cases::test_support::{MockPorts, alice_id, session_id, t0, uuid},
};

fn revoked_event() -> RecordedEvent {
    RecordedEvent {
        sequence: 41,
        session_id: Some(session_id(1)),
        user_id: Some(alice_id()),
        at: t0(),
        cause: Cause {
            actor: Actor::Admin,
            origin: Some(Origin {
                ip: "192.0.2.1".parse().unwrap(),
                user_agent: None,
                device: None,
                location: None,
            }),
            incident: None,
        },
        kind: AuditEventKind::Session(SessionEventKind::Revoked {
            reason: RevocationReason::Admin,
            evicted_by: None,
        }),
    }
}

fn claimed(attempt: u32, previous_secret: bool) -> ClaimedDelivery {
    ClaimedDelivery {
        id: uuid(77),
        attempt,
        retry_from: t0(),
        endpoint: WebhookEndpoint {
            id: uuid(9),
            url: "https://hooks.example.com/in".into(),
            description: None,
            event_types: vec![WebhookEventType::SessionRevoked],
            secret: SealedSecret(vec![2]),
            previous_secret: previous_secret
                .then(|| (SealedSecret(vec![1]), t0() + TimeDelta::hours(1))),
            created_at: t0(),
            updated_at: t0(),
        },
        event: revoked_event(),
    }
}

fn given(
    ports: &mut MockPorts,
    delivery: ClaimedDelivery,
    outcome: AttemptOutcome,
) -> Arc<Mutex<Vec<OutgoingWebhook>>> {
    ports
        .webhooks
        .expect_claim_due()
        .withf(|now, lease, limit| *lease > *now && *limit > 0)
        .returning(move |_, _, _| Ok(vec![delivery.clone()]));
    ports
        .webhook_secrets
        .expect_open()
        .returning(|sealed| Some(SecretToken::new(format!("whsec_{}", sealed.0[0]))));
    let sent: Arc<Mutex<Vec<OutgoingWebhook>>> = Arc::default();
    let seen = Arc::clone(&sent);
    ports
        .webhook_sender
        .expect_send()
        .returning(move |webhook| {
            seen.lock().unwrap().push(webhook.clone());
            outcome.clone()
        });
    ports.webhooks.expect_queue().returning(|_| Ok((0, None)));
    sent
}

#[tokio::test]
async fn a_delivered_attempt_is_recorded_with_no_next_attempt() {
    let mut ports = MockPorts::new();
    let sent = given(
        &mut ports,
        claimed(1, false),
        AttemptOutcome::Delivered { status: 204 },
    );
    ports
        .webhooks
        .expect_record_attempts()
        .withf(|attempts| {
            matches!(attempts, [attempt] if attempt.delivery_id == uuid(77)
                && attempt.outcome == AttemptOutcome::Delivered { status: 204 }
                && attempt.next_attempt_at.is_none())
        })
        .times(1)
        .returning(|_| Ok(()));

    let round = ports.app().deliver_webhooks().await.unwrap();

    assert_eq!((round.taken, round.delivered), (1, 1));
    let sent = sent.lock().unwrap();
    assert_eq!(sent[0].id, uuid(77));
    assert_eq!(sent[0].secrets.len(), 1);
    let body: Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(body["type"], "session.revoked");
    assert_eq!(body["data"]["reason"], "admin");
    assert_eq!(body["data"]["actor"]["type"], "admin");
    assert_eq!(body["data"]["ip"], "192.0.2.1");
    assert_eq!(body["data"]["event_id"], 41);
}

#[tokio::test]
async fn a_failed_attempt_is_tried_again_later_and_given_up_after_the_retry_period() {
    for (attempt, now, gives_up) in [(1, t0(), false), (40, t0() + TimeDelta::hours(24), true)] {
        let mut ports = MockPorts::new();
        ports.now = now;
        given(
            &mut ports,
            claimed(attempt, false),
            AttemptOutcome::Failed {
                status: Some(503),
                error: "503".into(),
            },
        );
        ports
            .webhooks
            .expect_record_attempts()
            .withf(move |attempts| {
                let next = attempts[0].next_attempt_at;
                next.is_none() == gives_up && next.is_none_or(|next| next > now)
            })
            .times(1)
            .returning(|_| Ok(()));

        let round = ports.app().deliver_webhooks().await.unwrap();

        assert_eq!(
            (round.retrying, round.failed),
            (u32::from(!gives_up), u32::from(gives_up))
        );
    }
}

#[tokio::test]
async fn during_a_rotations_overlap_both_secrets_sign() {
    let mut ports = MockPorts::new();
    let sent = given(
        &mut ports,
        claimed(1, true),
        AttemptOutcome::Delivered { status: 200 },
    );
    ports
        .webhooks
        .expect_record_attempts()
        .returning(|_| Ok(()));

    ports.app().deliver_webhooks().await.unwrap();

    let secrets: Vec<String> = sent.lock().unwrap()[0]
        .secrets
        .iter()
        .map(|secret| secret.expose().to_owned())
        .collect();
    assert_eq!(secrets, ["whsec_2", "whsec_1"]);
}

#[test]
fn a_payload_carries_the_events_fields_and_never_more() {
    let body = payload(&revoked_event(), WebhookEventType::SessionRevoked);
    let data = body["data"].as_object().unwrap();
    let mut keys: Vec<&str> = data.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "actor",
            "device",
            "event_id",
            "incident_id",
            "ip",
            "location",
            "reason",
            "session_id",
            "user_agent",
            "user_id"
        ]
    );
    assert_eq!(body["timestamp"], "2027-01-15T08:00:00Z");
}
