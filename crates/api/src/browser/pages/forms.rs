//! What the pages read from a request: its query string, and the bodies of their forms
//! (URL-encoded fields, and on signed-in pages the session's CSRF token checked before
//! anything else is read).

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{StatusCode, request::Parts},
};
use serde::{Deserialize, de::DeserializeOwned};

use super::ErrorPage;
use crate::{
    browser::{csrf, session::BrowserSession},
    state::AppState,
};

/// The parameters of a page's query string; none (the default) when it has none, or when
/// they are not what the page's own links make: a page never refuses to show itself.
pub struct PageQuery<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequestParts<AppState> for PageQuery<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .uri
                .query()
                .and_then(|query| serde_urlencoded::from_str(query).ok())
                .unwrap_or_default(),
        ))
    }
}

/// The fields of a form.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for PageForm<T> {
    type Rejection = ErrorPage;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ErrorPage> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| unreadable())?;
        serde_urlencoded::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| unreadable())
    }
}

fn unreadable() -> ErrorPage {
    ErrorPage::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Form not understood",
        "The form sent was incomplete or too large. Go back and try again.",
    )
}

/// A form without fields of its own.
#[derive(Deserialize)]
pub struct NoFields {}

#[derive(Deserialize)]
struct CsrfField {
    csrf: String,
}

/// The fields of a form sent by a signed-in page, with the session and the session's CSRF
/// token checked: a form without the token, or with another session's, is refused
/// whatever else it holds.
pub struct ProtectedForm<T = NoFields> {
    /// The session that sent it.
    pub session: BrowserSession,
    /// Its fields.
    pub fields: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for ProtectedForm<T> {
    type Rejection = ErrorPage;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ErrorPage> {
        let (mut parts, body) = request.into_parts();
        let session = BrowserSession::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| unreadable())?;
        let CsrfField { csrf } =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| ErrorPage::cross_origin())?;
        let key = &state.settings.pages.csrf_key;
        if !csrf::is_token_of(key, session.authenticated.claims.session_id, &csrf) {
            return Err(ErrorPage::cross_origin());
        }
        let fields = serde_urlencoded::from_bytes(&bytes).map_err(|_| unreadable())?;
        Ok(Self { session, fields })
    }
}
