//! The browser adapter, beside the JSON API in the HTTP layer: server-rendered pages (sign
//! in, your devices, activity, password) over the same use cases, with the session in
//! `HttpOnly` cookies instead of a bearer token a script would hold.
//!
//! Every page answers with a strict Content-Security-Policy (no script at all, styles from
//! this origin only, never framed). Every state-changing request must come from this origin,
//! and one made with a session must carry the session's CSRF token. In development (no
//! `SESSIONS_PUBLIC_URL`), the pages are served over plain HTTP to loopback hosts only.

mod cookies;
mod csrf;
mod format;
mod pages;
mod session;

use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{settings::is_loopback_host, state::AppState};
use pages::ErrorPage;

/// The policy of every page: nothing runs, nothing loads but this origin's style sheet,
/// forms post only here, and no other site may frame a page (clickjacking).
const PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The style sheet, compiled in: the binary is the whole deployment.
const STYLESHEET: &str = include_str!("../../assets/site.css");

/// The pages' routes.
pub fn routes(state: &AppState) -> Router<AppState> {
    let account = Router::new()
        .route("/sign-out", post(pages::sign_out))
        .route("/account/sessions", get(pages::devices))
        .route(
            "/account/sessions/sign-out-others",
            get(pages::confirm_sign_out_others).post(pages::sign_out_others),
        )
        .route(
            "/account/sessions/{id}/sign-out",
            get(pages::confirm_sign_out).post(pages::sign_out_device),
        )
        .route("/account/sessions/{id}/trust", post(pages::trust))
        .route("/account/activity", get(pages::activity))
        .route(
            "/account/password",
            get(pages::password).post(pages::change_password),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            session::require_session,
        ));
    Router::new()
        .route("/", get(pages::sign_in_page))
        .route("/sign-in", post(pages::sign_in))
        .route("/sign-up", post(pages::sign_up))
        .merge(account)
        .route("/assets/site.css", get(stylesheet))
        .route_layer(middleware::from_fn_with_state(state.clone(), guard))
        .route_layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_POLICY),
        ))
        // Not `no-referrer` as for the API: under it browsers send `Origin: null` with the
        // pages' own form posts, and the origin check needs their real origin. Other sites
        // still learn nothing.
        .route_layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}

/// Refuses, before anything else runs, what the pages must never answer: a state-changing
/// request from another origin, and in development a request to a host that is not this
/// machine (its cookies would cross a network in clear).
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let pages = &state.settings.pages;
    if pages.public_origin.is_none() && !csrf::host(request.headers()).is_some_and(is_loopback_host)
    {
        return ErrorPage::new(
            StatusCode::FORBIDDEN,
            "Pages served on this machine only",
            "Without SESSIONS_PUBLIC_URL the pages are served over plain HTTP to \
             http://127.0.0.1 and http://localhost only. Set SESSIONS_PUBLIC_URL to the \
             https:// address browsers reach this service at.",
        )
        .into_response();
    }
    if !csrf::is_same_origin(request.method(), request.headers(), pages) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-origin form post");
        return ErrorPage::cross_origin().into_response();
    }
    next.run(request).await
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}
