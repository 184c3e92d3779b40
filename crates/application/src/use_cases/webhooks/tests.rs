use sessions_domain::WebhookEventType;

use super::*;
use crate::{
    ports::SealedSecret,
    use_cases::test_support::{MockPorts, t0, uuid},
};

fn settings(url: &str) -> EndpointSettings {
    EndpointSettings {
        url: url.into(),
        event_types: vec![WebhookEventType::SessionCreated],
        description: Some("SIEM".into()),
    }
}

fn stored(secret: u8) -> WebhookEndpoint {
    WebhookEndpoint {
        id: uuid(9),
        url: "https://hooks.example.com/in".into(),
        description: None,
        event_types: vec![WebhookEventType::SessionRevoked],
        secret: SealedSecret(vec![secret]),
        previous_secret: None,
        created_at: t0(),
        updated_at: t0(),
    }
}

fn generating(ports: &mut MockPorts, secret: u8) {
    ports.webhook_secrets.expect_generate().returning(move || {
        (
            SecretToken::new(format!("whsec_{secret}")),
            SealedSecret(vec![secret]),
        )
    });
}

#[tokio::test]
async fn an_endpoint_is_stored_with_its_sealed_secret_and_the_secret_shown_once() {
    let mut ports = MockPorts::new();
    ports
        .webhook_sender
        .expect_check_target()
        .returning(|_| Ok(()));
    ports.ids.expect_next_id().returning(|| uuid(9));
    generating(&mut ports, 1);
    ports
        .webhooks
        .expect_insert_endpoint()
        .withf(|endpoint| endpoint.secret == SealedSecret(vec![1]) && endpoint.id == uuid(9))
        .times(1)
        .returning(|_| Ok(()));

    let (endpoint, secret) = ports
        .app()
        .create_webhook(settings("https://hooks.example.com/in"))
        .await
        .unwrap();

    assert_eq!(secret.expose(), "whsec_1");
    assert_eq!(endpoint.description.as_deref(), Some("SIEM"));
}

#[tokio::test]
async fn a_refused_target_or_no_event_type_stores_nothing() {
    let mut ports = MockPorts::new();
    ports
        .webhook_sender
        .expect_check_target()
        .returning(|_| Err(TargetRefused("a private address".into())));
    ports.webhooks.expect_insert_endpoint().never();
    let app = ports.app();
    let refused = app.create_webhook(settings("https://10.0.0.1/in")).await;
    assert!(matches!(refused, Err(WebhookError::TargetRefused(_))));
    let mut nothing = settings("https://hooks.example.com/in");
    nothing.event_types.clear();
    assert!(matches!(
        app.create_webhook(nothing).await,
        Err(WebhookError::Invalid(_))
    ));
}

#[tokio::test]
async fn a_rotation_keeps_the_old_secret_signing_for_a_day() {
    let mut ports = MockPorts::new();
    ports
        .webhooks
        .expect_find_endpoint()
        .returning(|_| Ok(Some(stored(1))));
    generating(&mut ports, 2);
    ports
        .webhooks
        .expect_update_endpoint()
        .withf(|endpoint| {
            endpoint.secret == SealedSecret(vec![2])
                && endpoint.previous_secret == Some((SealedSecret(vec![1]), t0() + SECRET_OVERLAP))
        })
        .times(1)
        .returning(|_| Ok(true));

    let (_, secret) = ports.app().rotate_webhook_secret(uuid(9)).await.unwrap();

    assert_eq!(secret.expose(), "whsec_2");
}

#[tokio::test]
async fn deliveries_of_an_unknown_endpoint_are_not_found() {
    let mut ports = MockPorts::new();
    ports
        .webhooks
        .expect_find_endpoint()
        .returning(|_| Ok(None));
    ports.webhooks.expect_list_deliveries().never();
    let result = ports.app().list_deliveries(uuid(9), None, 50).await;
    assert!(matches!(result, Err(WebhookError::NotFound)));
}
