//! What every handler shares.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use sessions_application::SessionService;

use crate::settings::HttpSettings;

/// The router's state: one shared allocation, so each handler's copy is one reference count.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares.
pub struct Shared {
    /// The use cases.
    pub service: Arc<dyn SessionService>,
    /// HTTP settings.
    pub settings: Arc<HttpSettings>,
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
        Self(Arc::new(Shared {
            service,
            settings: Arc::new(settings),
            metrics,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
