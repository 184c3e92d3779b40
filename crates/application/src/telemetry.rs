//! Business metrics, recorded through the `metrics` facade (the binary installs the
//! Prometheus exporter; without one these are no-ops).

use sessions_domain::{RevocationReason, SuspiciousKind};

/// Counts `count` sessions revoked for `reason`.
pub(crate) fn revocations(reason: RevocationReason, count: u64) {
    if count > 0 {
        metrics::counter!("sessions_revocations_total", "reason" => reason.as_str())
            .increment(count);
    }
}

/// Counts a login attempt by outcome (`success`, `invalid_credentials`).
pub(crate) fn login(outcome: &'static str) {
    metrics::counter!("sessions_logins_total", "outcome" => outcome).increment(1);
}

/// Counts a refresh by outcome (`rotated`, `replayed`, `reuse`, `rejected`).
pub(crate) fn refresh(outcome: &'static str) {
    metrics::counter!("sessions_refreshes_total", "outcome" => outcome).increment(1);
}

/// Counts a suspicious request.
pub(crate) fn suspicious(kind: SuspiciousKind) {
    metrics::counter!("sessions_suspicious_events_total", "kind" => kind.as_str()).increment(1);
}

/// Counts a failure that used up the last attempt of a budget (`account`, `device_token`,
/// `network_failures`, `password_changes`): the next attempt against it is refused.
pub(crate) fn budget_spent(scope: &'static str) {
    metrics::counter!("sessions_throttle_budgets_spent_total", "scope" => scope).increment(1);
}

/// Counts a webhook delivery attempt by outcome (`delivered`, `retrying`, `failed`).
pub(crate) fn webhook_attempt(outcome: &'static str) {
    metrics::counter!("sessions_webhook_attempts_total", "outcome" => outcome).increment(1);
}

/// Records how long after its event a delivery arrived.
pub(crate) fn webhook_lag(seconds: f64) {
    metrics::histogram!("sessions_webhook_delivery_lag_seconds").record(seconds);
}

/// Sets the webhook queue's gauges: pending deliveries, and how overdue the oldest is.
pub(crate) fn webhook_queue(pending: u64, overdue_seconds: f64) {
    #[allow(clippy::cast_precision_loss)] // a queue of 2^52 deliveries is not a concern
    metrics::gauge!("sessions_webhook_queue_depth").set(pending as f64);
    metrics::gauge!("sessions_webhook_queue_overdue_seconds").set(overdue_seconds);
}
