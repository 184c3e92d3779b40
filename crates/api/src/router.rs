//! The HTTP routes of SPEC §4, and the middleware around them.

use std::{any::Any, sync::Arc};

use axum::{
    Json, Router,
    extract::DefaultBodyLimit,
    http::{Request, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    routing::get,
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use tower::util::MapRequestLayer;

use crate::{
    browser,
    handlers::{
        admin_events, admin_incidents, admin_sessions, admin_users, admin_webhooks, auth, events,
        health, introspect, keys, sessions, users,
    },
    http_metrics,
    openapi::{ApiDoc, add_common_responses, require_an_incident_condition},
    problem::ApiError,
    security_headers::{sanitize_request_id, with_security_headers},
    state::AppState,
    store_status::answer_at_once_while_unavailable,
};

/// Largest request body accepted (64 KiB).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The `/v1` routes with their OpenAPI description.
fn v1_routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(users::register))
        .routes(routes!(users::change_password))
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(sessions::list, sessions::revoke_others))
        .routes(routes!(sessions::current))
        .routes(routes!(sessions::get, sessions::revoke))
        .routes(routes!(sessions::trust, sessions::untrust))
        .routes(routes!(events::list))
        .routes(routes!(events::mine))
        .routes(routes!(admin_events::search))
        .routes(routes!(admin_events::export))
        .routes(routes!(admin_incidents::revoke))
        .routes(routes!(admin_webhooks::create, admin_webhooks::list))
        .routes(routes!(
            admin_webhooks::get,
            admin_webhooks::update,
            admin_webhooks::delete
        ))
        .routes(routes!(admin_webhooks::rotate_secret))
        .routes(routes!(admin_webhooks::deliveries))
        .routes(routes!(admin_webhooks::retry))
        .routes(routes!(introspect::introspect))
        .routes(routes!(
            admin_users::list_sessions,
            admin_users::revoke_sessions
        ))
        .routes(routes!(admin_users::set_session_limit))
        .routes(routes!(admin_users::delete_user))
        .routes(routes!(admin_sessions::revoke))
        .routes(routes!(admin_sessions::cleanup))
        .routes(routes!(keys::list))
        .routes(routes!(keys::rotate))
        .routes(routes!(keys::jwks))
        .split_for_parts();
    add_common_responses(&mut document);
    require_an_incident_condition(&mut document);
    (routes, document)
}

/// The OpenAPI document, as served on `/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    v1_routes().1
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "Not found",
        "no such route",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
        "this route does not accept that method",
    )
}

fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    ApiError::internal(&std::io::Error::other("handler panicked")).into_response()
}

/// Every route, with request ids, tracing, metrics, the body limit, the security headers and
/// problem+json for unknown routes and panics. `/metrics` is among them unless it is served
/// on a listener of its own ([`metrics_router`]).
pub fn router(state: AppState) -> Router {
    let (v1, document) = v1_routes();
    let document = Arc::new(document);
    let v1 = v1.route_layer(middleware::from_fn_with_state(
        state.clone(),
        answer_at_once_while_unavailable,
    ));
    let mut routes = Router::new()
        .merge(v1)
        .merge(browser::routes(&state))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route(
            "/openapi.json",
            get(move || async move { Json(document.as_ref().clone()) }),
        );
    if !state.settings.metrics_listener {
        routes = routes.route("/metrics", get(health::metrics));
    }
    with_common_layers(
        routes.route_layer(middleware::from_fn(http_metrics::track)),
        state,
    )
}

/// `/metrics` alone, for a listener of its own (`SESSIONS_METRICS_BIND`).
pub fn metrics_router(state: AppState) -> Router {
    with_common_layers(Router::new().route("/metrics", get(health::metrics)), state)
}

/// `routes` with what every response needs: unknown routes and methods, the body limit,
/// panics, request ids (a client's only when acceptable), tracing, security headers.
fn with_common_layers(routes: Router<AppState>, state: AppState) -> Router {
    let layered = routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let request_id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default();
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                    request_id,
                )
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(MapRequestLayer::new(sanitize_request_id))
        .with_state(state);
    with_security_headers(layered)
}
