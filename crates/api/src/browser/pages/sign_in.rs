//! `/`: sign in (and sign up, where enabled); `/sign-out`.

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use serde::Deserialize;
use sessions_application::{
    ClientContext, SecretToken,
    use_cases::{Credentials, LoggedIn, Registration},
};

use super::{
    ErrorPage, Nav,
    forms::{NoFields, PageForm, PageQuery, ProtectedForm},
    render, sentence,
};
use crate::{
    browser::{
        cookies::{Cookie, with_cookies},
        session::{NoSession, establish, jar, signed_out, with_renewed},
    },
    extract::ClientInfo,
    problem::ApiError,
    state::AppState,
    tarpit::paced,
};

/// Where a signed-in browser lands.
const HOME: &str = "/account/sessions";

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    nav: Option<Nav>,
    notice: Option<&'static str>,
    sign_in_error: Option<String>,
    email: String,
    sign_up: bool,
    sign_up_error: Option<String>,
    new_email: String,
}

impl SignInPage {
    fn new(state: &AppState) -> Self {
        Self {
            nav: None,
            notice: None,
            sign_in_error: None,
            email: String::new(),
            sign_up: state.settings.pages.sign_up,
            sign_up_error: None,
            new_email: String::new(),
        }
    }
}

/// The query of the sign-in page: the notice to show.
#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

/// The sentence a notice names; only these fixed ones are ever shown.
fn notice(name: Option<&str>) -> Option<&'static str> {
    match name? {
        "signed-out" => Some("You are signed out."),
        "session-ended" => Some("Your session on this device ended. Sign in again."),
        _ => None,
    }
}

/// `GET /`: the sign-in page, or the devices of a browser that is signed in.
pub async fn sign_in_page(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<NoticeQuery>,
    mut parts: Parts,
) -> Response {
    let mut page = SignInPage::new(&state);
    page.notice = notice(query.notice.as_deref());
    match establish(&mut parts, &state).await {
        Ok((_, renewed)) => {
            with_renewed(&state, Redirect::to(HOME).into_response(), renewed.as_ref())
        }
        Err(NoSession::Ended) => with_cookies(render(StatusCode::OK, &page), jar(&state).cleared()),
        Err(NoSession::Absent | NoSession::Unchecked(_)) => render(StatusCode::OK, &page),
    }
}

/// The fields of the sign-in and sign-up forms.
#[derive(Deserialize)]
pub struct CredentialFields {
    email: String,
    password: String,
}

/// `POST /sign-in`: starts a session whose tokens only the browser's cookies hold.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    parts: Parts,
    PageForm(fields): PageForm<CredentialFields>,
) -> Response {
    let email = fields.email.clone();
    match log_in(&state, fields, &parts.headers, client).await {
        Ok(logged_in) => signed_in(&state, &logged_in),
        Err(error) => {
            let mut page = SignInPage::new(&state);
            page.sign_in_error = Some(sentence(&error));
            page.email = email;
            render(error.status(), &page)
        }
    }
}

/// Logs in with `fields`, presenting the device token the browser keeps in its cookie.
async fn log_in(
    state: &AppState,
    fields: CredentialFields,
    headers: &HeaderMap,
    client: ClientContext,
) -> Result<LoggedIn, ApiError> {
    let device_token = jar(state)
        .read(headers, Cookie::Device)
        .map(|token| SecretToken::new(token.to_owned()));
    paced(
        state
            .service
            .login(
                Credentials {
                    email: fields.email,
                    password: fields.password,
                    device_token,
                },
                client,
            )
            .await
            .map_err(ApiError::from),
    )
    .await
}

/// The answer to a sign-in: the new session's cookies (replacing whatever the browser held,
/// so no one can fix a session on it beforehand) and its device token.
fn signed_in(state: &AppState, logged_in: &LoggedIn) -> Response {
    let jar = jar(state);
    let cookies = jar.session(&logged_in.tokens, Utc::now());
    with_cookies(
        Redirect::to(HOME).into_response(),
        cookies
            .into_iter()
            .chain([jar.device(logged_in.device_token.expose())]),
    )
}

/// `POST /sign-up`: creates an account and signs it in.
pub async fn sign_up(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    parts: Parts,
    PageForm(fields): PageForm<CredentialFields>,
) -> Response {
    if !state.settings.pages.sign_up {
        return ErrorPage::new(
            StatusCode::NOT_FOUND,
            "Sign-up is closed",
            "Accounts are created by the administrators of this service.",
        )
        .into_response();
    }
    let email = fields.email.clone();
    let registered = paced(
        state
            .service
            .register(
                Registration {
                    email: fields.email.clone(),
                    password: fields.password.clone(),
                },
                &client,
            )
            .await
            .map_err(ApiError::from),
    )
    .await;
    let outcome = match registered {
        Ok(_) => log_in(&state, fields, &parts.headers, client).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(logged_in) => signed_in(&state, &logged_in),
        Err(error) => {
            let mut page = SignInPage::new(&state);
            page.sign_up_error = Some(sentence(&error));
            page.new_email = email;
            render(error.status(), &page)
        }
    }
}

/// `POST /sign-out`: ends this browser's session and forgets its cookies.
pub async fn sign_out(State(state): State<AppState>, form: ProtectedForm<NoFields>) -> Response {
    let session = &form.session;
    match state
        .service
        .logout(session.authenticated.claims.session_id, &session.caller())
        .await
    {
        Ok(()) => signed_out(&state, "/?notice=signed-out"),
        Err(error) => ErrorPage::from_api_error(&error.into()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_notices_are_shown() {
        assert_eq!(notice(Some("signed-out")), Some("You are signed out."));
        assert_eq!(notice(Some("<script>")), None);
        assert_eq!(notice(None), None);
    }
}
