//! The session of a browser: found from its cookies and checked exactly as a bearer token is
//! (the same use case: revocation seen at once, the touch rules, the suspicious rule), with
//! the refresh done here, on the server, when the access token has expired, so that no
//! script ever holds a token.

use axum::{
    extract::{FromRequestParts, Request, State},
    http::request::Parts,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use sessions_application::{
    Caller, ClientContext, SecretToken, TokenPair,
    use_cases::{AuthenticateError, Authenticated, RefreshError},
};

use super::{
    cookies::{Cookie, CookieJar, with_cookies},
    csrf,
    pages::ErrorPage,
};
use crate::{extract::ClientInfo, problem::ApiError, state::AppState};

/// A browser request whose session cookie is valid and whose session is active (and
/// touched).
#[derive(Clone, Debug)]
pub struct BrowserSession {
    /// What authentication found.
    pub authenticated: Authenticated,
    /// The request's client.
    pub client: ClientContext,
    /// The session's CSRF token, for the forms of the page.
    pub csrf: String,
}

impl BrowserSession {
    /// The user acting through this session, from this request's client.
    pub fn caller(&self) -> Caller {
        Caller::user(self.authenticated.claims.session_id, self.client.clone())
    }
}

/// Why a browser has no session.
#[derive(Debug)]
pub enum NoSession {
    /// It sent no session cookie.
    Absent,
    /// Its session ended (revoked, expired, or its tokens are no longer valid).
    Ended,
    /// It could not be checked (the store failed, or the session is contended).
    Unchecked(ApiError),
}

impl From<AuthenticateError> for NoSession {
    fn from(error: AuthenticateError) -> Self {
        match error {
            AuthenticateError::Unauthorized
            | AuthenticateError::SessionRevoked
            | AuthenticateError::SessionExpired => Self::Ended,
            other @ (AuthenticateError::Contended | AuthenticateError::Store(_)) => {
                Self::Unchecked(other.into())
            }
        }
    }
}

impl From<RefreshError> for NoSession {
    fn from(error: RefreshError) -> Self {
        match error {
            RefreshError::InvalidRefreshToken
            | RefreshError::SessionRevoked
            | RefreshError::SessionExpired
            | RefreshError::RefreshTokenReuse => Self::Ended,
            other @ (RefreshError::Contended
            | RefreshError::TokenCodec(_)
            | RefreshError::Store(_)) => Self::Unchecked(other.into()),
        }
    }
}

/// The browser's session, and the token pair a refresh made when it made one (the response
/// must hand it to the browser).
///
/// # Errors
/// [`NoSession`] when the cookies name no active session, or it could not be checked.
pub async fn establish(
    parts: &mut Parts,
    state: &AppState,
) -> Result<(BrowserSession, Option<TokenPair>), NoSession> {
    let jar = jar(state);
    let access = jar.read(&parts.headers, Cookie::Access).map(str::to_owned);
    let refresh = jar.read(&parts.headers, Cookie::Refresh).map(str::to_owned);
    if access.is_none() && refresh.is_none() {
        return Err(NoSession::Absent);
    }
    let ClientInfo(client) = ClientInfo::from_request_parts(parts, state)
        .await
        .map_err(NoSession::Unchecked)?;
    let service = &state.service;
    if let Some(access) = access {
        match service.authenticate(&access, &client).await {
            Ok(authenticated) => return Ok((session(state, authenticated, client), None)),
            // An expired access token is one the refresh token renews.
            Err(AuthenticateError::Unauthorized) if refresh.is_some() => {}
            Err(error) => return Err(error.into()),
        }
    }
    let refresh = refresh.ok_or(NoSession::Ended)?;
    let pair = service.refresh(&SecretToken::new(refresh), &client).await?;
    let authenticated = service.authenticate(&pair.access_token, &client).await?;
    Ok((session(state, authenticated, client), Some(pair)))
}

fn session(
    state: &AppState,
    authenticated: Authenticated,
    client: ClientContext,
) -> BrowserSession {
    let csrf = csrf::token(
        &state.settings.pages.csrf_key,
        authenticated.claims.session_id,
    );
    BrowserSession {
        authenticated,
        client,
        csrf,
    }
}

/// How this deployment writes its cookies.
pub fn jar(state: &AppState) -> CookieJar {
    CookieJar::new(
        state
            .settings
            .pages
            .public_origin
            .as_ref()
            .is_some_and(crate::settings::PublicOrigin::is_https),
    )
}

/// Middleware of the account pages: lets through only browsers with a session (handing the
/// renewed cookies to the browser when a refresh made new ones), and sends the others to
/// the sign-in page, forgetting their cookies.
pub async fn require_session(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    match establish(&mut parts, &state).await {
        Ok((session, renewed)) => {
            parts.extensions.insert(session);
            let response = next.run(Request::from_parts(parts, body)).await;
            // A response that sets the session cookies itself (a sign-out) decides.
            let renewed = renewed.filter(|_| !sets_session_cookies(&response, jar(&state)));
            with_renewed(&state, response, renewed.as_ref())
        }
        Err(NoSession::Absent) => Redirect::to("/").into_response(),
        Err(NoSession::Ended) => signed_out(&state, "/?notice=session-ended"),
        Err(NoSession::Unchecked(error)) => ErrorPage::from_api_error(&error).into_response(),
    }
}

fn sets_session_cookies(response: &Response, jar: CookieJar) -> bool {
    let prefix = format!("{}=", jar.name(Cookie::Access));
    response
        .headers()
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .any(|value| value.as_bytes().starts_with(prefix.as_bytes()))
}

/// `response`, handing the browser the pair a refresh made, if it made one.
pub fn with_renewed(state: &AppState, response: Response, renewed: Option<&TokenPair>) -> Response {
    match renewed {
        Some(pair) => with_cookies(response, jar(state).session(pair, Utc::now())),
        None => response,
    }
}

/// A redirect to `location` that makes the browser forget its session.
pub fn signed_out(state: &AppState, location: &str) -> Response {
    with_cookies(Redirect::to(location).into_response(), jar(state).cleared())
}

impl FromRequestParts<AppState> for BrowserSession {
    type Rejection = ErrorPage;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, ErrorPage> {
        // Present on every route behind `require_session`, and used on no other.
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or_else(ErrorPage::internal)
    }
}
