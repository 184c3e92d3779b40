//! Request metrics (count and latency by route and status) and the Prometheus recorder.

use std::{sync::OnceLock, time::Instant};

use axum::{
    extract::{MatchedPath, Request},
    http::Method,
    middleware::Next,
    response::Response,
};
use metrics::SharedString;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sessions_application::SessionService;

/// Installs the process-wide Prometheus recorder once and returns its handle.
///
/// The recorder keeps every latency sample until a scrape renders it or
/// [`PrometheusHandle::run_upkeep`] folds it into its buckets: a long-running server calls
/// `run_upkeep` periodically (the binary does, every second), or its memory grows with every
/// request while nothing scrapes.
pub fn install_metrics_recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".to_owned()),
                    &[
                        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                    ],
                )
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed");
            }
            handle
        })
        .clone()
}

/// Sets the gauges the store counts — `sessions_active`, and the webhook queue's: run in the
/// background, never per scrape, so that scrapes cost the store nothing.
pub async fn refresh_store_gauges(service: &dyn SessionService) {
    match service.count_active_sessions().await {
        #[allow(clippy::cast_precision_loss)]
        Ok(count) => metrics::gauge!("sessions_active").set(count as f64),
        Err(error) => tracing::warn!(%error, "active sessions not counted"),
    }
    if let Err(error) = service.measure_webhook_queue().await {
        tracing::warn!(%error, "the webhook queue not measured");
    }
}

/// The method as a static label (no allocation per request).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Records `http_requests_total` and `http_request_duration_seconds` for matched routes.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = method_label(request.method());
    let response = next.run(request).await;
    let labels = [
        ("method", SharedString::from(method)),
        ("route", SharedString::from(route)),
        (
            "status",
            SharedString::from(response.status().as_str().to_owned()),
        ),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
