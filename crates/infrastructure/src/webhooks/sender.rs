//! The webhook sender: one POST per attempt with the Standard Webhooks headers, at most
//! 10 seconds, no redirect followed, connecting only where the target guard allows.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use reqwest::{Client, redirect::Policy};
use sessions_application::ports::{AttemptOutcome, OutgoingWebhook, TargetRefused, WebhookSender};

use super::{TargetGuard, sign};

/// How long one attempt may take, connection included.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends over HTTP(S) through the guard's resolver.
pub struct HttpWebhookSender {
    client: Client,
    guard: TargetGuard,
}

impl HttpWebhookSender {
    /// A sender whose every connection is vetted by `guard`.
    ///
    /// # Errors
    /// The HTTP client's, when its TLS configuration cannot be built.
    pub fn new(guard: TargetGuard) -> Result<Self, reqwest::Error> {
        let client = Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            .redirect(Policy::none())
            .dns_resolver(Arc::new(guard.clone()))
            .user_agent(concat!("sessions-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client, guard })
    }
}

#[async_trait]
impl WebhookSender for HttpWebhookSender {
    async fn check_target(&self, url: &str) -> Result<(), TargetRefused> {
        self.guard.check(url).await.map(|_| ())
    }

    async fn send(&self, webhook: &OutgoingWebhook) -> AttemptOutcome {
        // A name is vetted again by the resolver as the connection opens.
        let url = match self.guard.check_url(&webhook.url) {
            Ok(url) => url,
            Err(refused) => {
                return AttemptOutcome::Failed {
                    status: None,
                    error: refused.to_string(),
                };
            }
        };
        let id = webhook.id.to_string();
        let timestamp = webhook.timestamp.timestamp();
        let signature = sign(&webhook.secrets, &id, timestamp, &webhook.body);
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(webhook.body.clone())
            .send()
            .await;
        match sent {
            Ok(answer) if answer.status().is_success() => AttemptOutcome::Delivered {
                status: answer.status().as_u16(),
            },
            Ok(answer) => AttemptOutcome::Failed {
                status: Some(answer.status().as_u16()),
                error: format!("answered {}", answer.status()),
            },
            // Without the URL, which may carry a receiver's own credentials in its query.
            Err(error) => AttemptOutcome::Failed {
                status: None,
                error: describe(&error.without_url()),
            },
        }
    }
}

/// An error with its causes, as one line.
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(500).collect()
}
