//! `/account/password`: change the password (which signs out every other device).

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use sessions_application::use_cases::PasswordChange;

use super::{Nav, forms::ProtectedForm, render, sentence};
use crate::{
    browser::session::{BrowserSession, signed_out},
    problem::ApiError,
    state::AppState,
    tarpit::paced,
};

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    nav: Option<Nav>,
    csrf: String,
    error: Option<String>,
}

/// `GET /account/password`: the form.
pub async fn password(session: BrowserSession) -> Response {
    render(
        StatusCode::OK,
        &PasswordPage {
            nav: Some(Nav::of(&session, "password")),
            csrf: session.csrf.clone(),
            error: None,
        },
    )
}

/// The fields of the password form.
#[derive(Deserialize)]
pub struct PasswordFields {
    current_password: String,
    new_password: String,
}

/// `POST /account/password`: changes the password.
pub async fn change_password(
    State(state): State<AppState>,
    form: ProtectedForm<PasswordFields>,
) -> Response {
    let session = &form.session;
    let claims = &session.authenticated.claims;
    let outcome = paced(
        state
            .service
            .change_password(
                claims.user_id,
                claims.session_id,
                PasswordChange {
                    current_password: form.fields.current_password,
                    new_password: form.fields.new_password,
                },
                &session.caller(),
            )
            .await
            .map_err(ApiError::from),
    )
    .await;
    match outcome {
        Ok(_) => Redirect::to("/account/sessions?done=password-changed").into_response(),
        // Too many wrong current passwords revoke the session itself.
        Err(error) if error.code() == "session_revoked" => {
            signed_out(&state, "/?notice=session-ended")
        }
        Err(error) => render(
            error.status(),
            &PasswordPage {
                nav: Some(Nav::of(session, "password")),
                csrf: session.csrf.clone(),
                error: Some(match error.code() {
                    "invalid_credentials" => "The current password is wrong.".to_owned(),
                    _ => sentence(&error),
                }),
            },
        ),
    }
}
