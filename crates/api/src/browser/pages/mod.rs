//! The pages: each renders a template over what a use case answered, and each action goes
//! through the same use case as its JSON route.

mod activity;
mod devices;
mod forms;
mod password;
mod sign_in;

pub use activity::activity;
pub use devices::{
    confirm_sign_out, confirm_sign_out_others, devices, sign_out_device, sign_out_others, trust,
};
pub use password::{change_password, password};
pub use sign_in::{sign_in, sign_in_page, sign_out, sign_up};

use askama::Template;
use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};

use super::session::BrowserSession;
use crate::problem::ApiError;

/// The account navigation of a signed-in page.
pub struct Nav {
    /// The section shown: `devices`, `activity` or `password`.
    pub section: &'static str,
    /// The session's CSRF token, for the sign-out button.
    pub csrf: String,
}

/// `template` rendered as an HTML response with `status`.
fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(error = %error, "a page did not render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be shown",
            )
                .into_response()
        }
    }
}

/// A page that says what went wrong, in words for a person.
#[derive(Debug, Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    status: StatusCode,
    heading: &'static str,
    message: String,
    nav: Option<Nav>,
}

impl Nav {
    /// The navigation of `session`'s pages, in `section`.
    fn of(session: &BrowserSession, section: &'static str) -> Self {
        Self {
            section,
            csrf: session.csrf.clone(),
        }
    }
}

impl std::fmt::Debug for Nav {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nav")
            .field("section", &self.section)
            .finish_non_exhaustive()
    }
}

impl ErrorPage {
    /// `status` with `heading` and `message`.
    pub fn new(status: StatusCode, heading: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            heading,
            message: message.into(),
            nav: None,
        }
    }

    /// A state-changing request that did not come from these pages.
    pub fn cross_origin() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Request refused",
            "This request did not come from a page of this site, or the page was too old. \
             Nothing was changed. Go back, reload the page and try again.",
        )
    }

    /// Something that should not happen did.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "The page could not be shown. Try again in a moment.",
        )
    }

    /// What `error` (an answer of a use case, mapped once for the JSON API) says to a person.
    pub fn from_api_error(error: &ApiError) -> Self {
        Self::new(error.status(), "Something went wrong", sentence(error))
    }
}

impl IntoResponse for ErrorPage {
    fn into_response(self) -> Response {
        render(self.status, &self)
    }
}

/// What `error` says to a person.
fn sentence(error: &ApiError) -> String {
    let wait = error
        .retry_after()
        .map_or_else(|| "a moment".to_owned(), super::format::wait);
    match error.code() {
        "invalid_credentials" => "Wrong e-mail address or password.".to_owned(),
        "rate_limited" => format!("Too many attempts, try again in {wait}."),
        "overloaded" | "store_unavailable" | "contended" => {
            format!("The service is busy, try again in {wait}.")
        }
        "email_taken" => {
            "An account with this e-mail address already exists: sign in instead.".to_owned()
        }
        "session_not_found" => "That device is not one of yours, or it is gone.".to_owned(),
        "session_inactive" => "That device is already signed out.".to_owned(),
        "invalid_request" => {
            let mut chars = error.detail().chars();
            let mut sentence: String = chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            if !sentence.ends_with('.') {
                sentence.push('.');
            }
            sentence
        }
        _ => "Something went wrong. Try again in a moment.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_refusal_says_how_long_to_wait_in_words() {
        let limited = ApiError::rate_limited(Duration::from_secs(110));
        assert_eq!(
            sentence(&limited),
            "Too many attempts, try again in 2 minutes."
        );
        assert_eq!(
            sentence(&ApiError::invalid("password must be 12 to 128 characters")),
            "Password must be 12 to 128 characters."
        );
    }
}
