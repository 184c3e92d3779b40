//! What every handler shares.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use sessions_application::SessionService;

use crate::{settings::HttpSettings, store_status::StoreStatus};

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
    /// Whether the store answers, as last probed.
    pub store: StoreStatus,
}

impl AppState {
    /// State over `service` with `settings`, rendering metrics through `metrics`, and
    /// answering at once while `store` says the store is unavailable.
    pub fn new(
        service: Arc<dyn SessionService>,
        settings: HttpSettings,
        metrics: PrometheusHandle,
        store: StoreStatus,
    ) -> Self {
        Self(Arc::new(Shared {
            service,
            settings: Arc::new(settings),
            metrics,
            store,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
