//! `/account/activity`: the account's recent security activity, from its audit trail.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use chrono::Utc;
use serde::Deserialize;
use sessions_domain::RecordedEvent;

use super::{ErrorPage, Nav, forms::PageQuery, render};
use crate::{
    browser::{
        format::{Moment, event_label, is_alarming},
        session::BrowserSession,
    },
    handlers::events::paging,
    state::AppState,
};

/// One event as the page shows it.
struct ActivityEntry {
    label: &'static str,
    is_alarming: bool,
    is_this_device: bool,
    at: Moment,
    /// "Chrome on Linux · Berlin, DE · 203.0.113.7", as much of it as is known.
    origin: Option<String>,
}

impl ActivityEntry {
    fn new(event: &RecordedEvent, session: &BrowserSession, now: chrono::DateTime<Utc>) -> Self {
        let origin = event.cause.origin.as_ref().map(|origin| {
            let device = origin.device.as_ref().map(ToString::to_string);
            let place = origin.location.as_ref().map(ToString::to_string);
            [device, place, Some(origin.ip.to_string())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ")
        });
        Self {
            label: event_label(event),
            is_alarming: is_alarming(event),
            is_this_device: event.session_id == Some(session.authenticated.claims.session_id),
            at: Moment::new(event.at, now),
            origin,
        }
    }
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    nav: Option<Nav>,
    entries: Vec<ActivityEntry>,
    next_cursor: Option<String>,
}

/// The query of the activity page: the page of older events a link asks for.
#[derive(Deserialize, Default)]
pub struct ActivityQuery {
    cursor: Option<String>,
}

/// `GET /account/activity`: sign-ins, failed sign-ins, password changes, sign-outs.
pub async fn activity(
    State(state): State<AppState>,
    session: BrowserSession,
    PageQuery(query): PageQuery<ActivityQuery>,
) -> Response {
    // As the JSON route reads it; a cursor the page's own link did not make shows the
    // newest page.
    let paging = paging(None, query.cursor).unwrap_or_default();
    let page = match state
        .service
        .list_user_events(session.authenticated.claims.user_id, paging)
        .await
    {
        Ok(page) => page,
        Err(error) => return ErrorPage::from_api_error(&error.into()).into_response(),
    };
    let now = Utc::now();
    render(
        StatusCode::OK,
        &ActivityPage {
            nav: Some(Nav::of(&session, "activity")),
            entries: page
                .events
                .iter()
                .map(|event| ActivityEntry::new(event, &session, now))
                .collect(),
            next_cursor: page.next.map(|cursor| cursor.to_string()),
        },
    )
}
