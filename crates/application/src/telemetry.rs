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
