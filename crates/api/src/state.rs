//! What every handler shares.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use sessions_application::SessionService;

use crate::{rate_limit::LoginRateLimiter, settings::HttpSettings};

/// The router's state.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub service: Arc<dyn SessionService>,
    /// HTTP settings.
    pub settings: Arc<HttpSettings>,
    /// Login rate limiter.
    pub login_limiter: Arc<LoginRateLimiter>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
}

impl AppState {
    /// State over `service` with `settings`, rendering metrics through `metrics`.
    pub fn new(
        service: Arc<dyn SessionService>,
        settings: HttpSettings,
        metrics: PrometheusHandle,
    ) -> Self {
        Self {
            login_limiter: Arc::new(LoginRateLimiter::new(settings.login_rate_limit)),
            service,
            settings: Arc::new(settings),
            metrics,
        }
    }
}
