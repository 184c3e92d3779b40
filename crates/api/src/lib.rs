//! `sessions-api`: the HTTP adapter of the hexagon. It drives the application's
//! [`sessions_application::SessionService`] and knows nothing of storage.

mod browser;
mod dto;
mod error_mapping;
mod extract;
#[cfg(test)]
mod handler_tests;
mod handlers;
mod http_metrics;
mod openapi;
mod problem;
mod router;
mod security_headers;
mod server;
mod settings;
mod state;
mod store_status;
mod tarpit;

pub use http_metrics::{install_metrics_recorder, refresh_store_gauges};
pub use problem::ApiError;
pub use router::{BODY_LIMIT, metrics_router, openapi, router};
pub use server::{ConnectionTimeouts, ServeLimits, serve};
pub use settings::{
    CsrfKey, HttpSettings, InvalidPublicOrigin, PageSettings, PublicOrigin, Secret,
};
pub use state::AppState;
pub use store_status::{PROBE_INTERVAL, PROBE_TIMEOUT, StoreProbe, StoreStatus, store_status};
