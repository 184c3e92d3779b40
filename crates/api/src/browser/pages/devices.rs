//! `/account/sessions`: your devices, and signing them out or trusting them.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sessions_application::SessionView;
use sessions_domain::SessionId;
use uuid::Uuid;

use super::{
    ErrorPage, Nav,
    forms::{NoFields, PageQuery, ProtectedForm},
    render,
};
use crate::{
    browser::{
        format::{Moment, icon, is_active_now},
        session::{BrowserSession, signed_out},
    },
    handlers::sessions::ListQuery,
    problem::ApiError,
    state::AppState,
};

/// One device as the page shows it.
struct DeviceRow {
    id: Uuid,
    name: String,
    icon: &'static str,
    place: String,
    ip: String,
    is_current: bool,
    is_trusted: bool,
    is_active_now: bool,
    last_active: Moment,
    signed_in: Moment,
}

impl DeviceRow {
    fn new(state: &AppState, view: &SessionView, now: DateTime<Utc>) -> Self {
        let session = view.session.state();
        let kind = session
            .user_agent
            .as_ref()
            .map(|agent| state.service.describe_device(agent).kind);
        Self {
            id: session.id.as_uuid(),
            name: session
                .device_info
                .as_ref()
                .map_or_else(|| "Unknown device".to_owned(), ToString::to_string),
            icon: icon(kind),
            place: session
                .location
                .as_ref()
                .map_or_else(|| "Unknown location".to_owned(), ToString::to_string),
            ip: session
                .last_ip_address
                .unwrap_or(session.ip_address)
                .to_string(),
            is_current: view.is_current,
            is_trusted: session.is_trusted,
            is_active_now: is_active_now(now - session.last_activity_at),
            last_active: Moment::new(session.last_activity_at, now),
            signed_in: Moment::new(session.created_at, now),
        }
    }
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<&'static str>,
    devices: Vec<DeviceRow>,
    next_cursor: Option<String>,
    has_others: bool,
}

/// The query of the devices page: the outcome to announce, the page a link asks for.
#[derive(Deserialize, Default)]
pub struct DevicesQuery {
    done: Option<String>,
    cursor: Option<String>,
}

/// The sentence an action's outcome names; only these fixed ones are ever shown.
fn done(name: Option<&str>) -> Option<&'static str> {
    match name? {
        "device-signed-out" => Some("That device is signed out."),
        "others-signed-out" => Some("Every other device is signed out."),
        "trusted" => Some("The device is marked trusted."),
        "untrusted" => Some("The device is no longer trusted."),
        "password-changed" => {
            Some("Your password is changed, and every other device is signed out.")
        }
        _ => None,
    }
}

/// `GET /account/sessions`: the devices signed in to the account.
pub async fn devices(
    State(state): State<AppState>,
    session: BrowserSession,
    PageQuery(query): PageQuery<DevicesQuery>,
) -> Response {
    // The active sessions, as the JSON list reads them; a cursor the page's own link did not
    // make shows the first page.
    let listing = ListQuery {
        active_only: None,
        limit: None,
        cursor: query.cursor,
    }
    .into_listing()
    .unwrap_or_default();
    let page = match state
        .service
        .list_sessions(&session.authenticated.session, listing)
        .await
    {
        Ok(page) => page,
        Err(error) => return ErrorPage::from_api_error(&error.into()).into_response(),
    };
    let now = Utc::now();
    let devices: Vec<_> = page
        .sessions
        .iter()
        .map(|view| DeviceRow::new(&state, view, now))
        .collect();
    let has_others = devices.iter().any(|device| !device.is_current) || page.next_cursor.is_some();
    render(
        StatusCode::OK,
        &DevicesPage {
            nav: Some(Nav::of(&session, "devices")),
            csrf: session.csrf.clone(),
            notice: done(query.done.as_deref()),
            devices,
            next_cursor: page.next_cursor.map(|cursor| cursor.encode()),
            has_others,
        },
    )
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    nav: Option<Nav>,
    csrf: String,
    heading: String,
    explanation: String,
    action: String,
    confirm: &'static str,
}

fn session_id(raw: &str) -> Result<SessionId, ErrorPage> {
    Uuid::parse_str(raw)
        .map(SessionId::from_uuid)
        .map_err(|_| ErrorPage::from_api_error(&ApiError::session_not_found()))
}

/// `GET /account/sessions/{id}/sign-out`: asks before signing a device out.
pub async fn confirm_sign_out(
    State(state): State<AppState>,
    session: BrowserSession,
    Path(id): Path<String>,
) -> Response {
    let target = match session_id(&id) {
        Ok(target) => target,
        Err(page) => return page.into_response(),
    };
    let claims = &session.authenticated.claims;
    let view = match state
        .service
        .get_session(claims.user_id, Some(claims.session_id), target)
        .await
    {
        Ok(view) => view,
        Err(error) => return ErrorPage::from_api_error(&error.into()).into_response(),
    };
    let device = DeviceRow::new(&state, &view, Utc::now());
    render(
        StatusCode::OK,
        &ConfirmPage {
            nav: Some(Nav::of(&session, "devices")),
            csrf: session.csrf.clone(),
            heading: format!("Sign out {}?", device.name),
            explanation: format!(
                "{} in {} ({}), signed in {}. It will have to sign in again.",
                device.name, device.place, device.ip, device.signed_in.relative
            ),
            action: format!("/account/sessions/{}/sign-out", device.id),
            confirm: "Sign out",
        },
    )
}

/// `POST /account/sessions/{id}/sign-out`: signs a device out (this one too).
pub async fn sign_out_device(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: ProtectedForm<NoFields>,
) -> Response {
    let target = match session_id(&id) {
        Ok(target) => target,
        Err(page) => return page.into_response(),
    };
    let session = &form.session;
    let claims = &session.authenticated.claims;
    match state
        .service
        .revoke_session(claims.user_id, target, &session.caller())
        .await
    {
        Ok(()) if target == claims.session_id => signed_out(&state, "/?notice=signed-out"),
        Ok(()) => Redirect::to("/account/sessions?done=device-signed-out").into_response(),
        Err(error) => ErrorPage::from_api_error(&error.into()).into_response(),
    }
}

/// The field of the trust form.
#[derive(Deserialize)]
pub struct TrustFields {
    trusted: bool,
}

/// `POST /account/sessions/{id}/trust`: marks a device trusted, or removes the mark.
pub async fn trust(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: ProtectedForm<TrustFields>,
) -> Response {
    let target = match session_id(&id) {
        Ok(target) => target,
        Err(page) => return page.into_response(),
    };
    let session = &form.session;
    let claims = &session.authenticated.claims;
    let trusted = form.fields.trusted;
    match state
        .service
        .set_trusted(
            claims.user_id,
            Some(claims.session_id),
            target,
            trusted,
            &session.caller(),
        )
        .await
    {
        Ok(_) if trusted => Redirect::to("/account/sessions?done=trusted").into_response(),
        Ok(_) => Redirect::to("/account/sessions?done=untrusted").into_response(),
        Err(error) => ErrorPage::from_api_error(&error.into()).into_response(),
    }
}

/// `GET /account/sessions/sign-out-others`: asks before signing every other device out.
pub async fn confirm_sign_out_others(session: BrowserSession) -> Response {
    render(
        StatusCode::OK,
        &ConfirmPage {
            nav: Some(Nav::of(&session, "devices")),
            csrf: session.csrf.clone(),
            heading: "Sign out everywhere else?".to_owned(),
            explanation: "Every device but this one will have to sign in again.".to_owned(),
            action: "/account/sessions/sign-out-others".to_owned(),
            confirm: "Sign out everywhere else",
        },
    )
}

/// `POST /account/sessions/sign-out-others`: signs out every device but this one.
pub async fn sign_out_others(
    State(state): State<AppState>,
    form: ProtectedForm<NoFields>,
) -> Response {
    let session = &form.session;
    let claims = &session.authenticated.claims;
    match state
        .service
        .revoke_other_sessions(claims.user_id, claims.session_id, &session.caller())
        .await
    {
        Ok(_) => Redirect::to("/account/sessions?done=others-signed-out").into_response(),
        Err(error) => ErrorPage::from_api_error(&error.into()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_outcomes_are_shown() {
        assert_eq!(done(Some("trusted")), Some("The device is marked trusted."));
        assert_eq!(done(Some("<b>owned</b>")), None);
        assert_eq!(done(None), None);
    }
}
