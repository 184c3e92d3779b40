//! Authentication of callers: users by bearer access token (with the session check on every
//! request), administrators and resource services by configured credentials.

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use sessions_application::{Caller, ClientContext, use_cases::Authenticated};

use super::ClientInfo;
use crate::{problem::ApiError, state::AppState};

/// The bearer token of a request, if it has one.
fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A user request whose access token is valid and whose session is active (and touched).
#[derive(Debug)]
pub struct CurrentSession(pub Authenticated, pub ClientContext);

impl CurrentSession {
    /// The user acting through this session, from this request's client: the cause the
    /// events of what they ask record.
    pub fn caller(&self) -> Caller {
        Caller::user(self.0.claims.session_id, self.1.clone())
    }
}

impl FromRequestParts<AppState> for CurrentSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts)
            .ok_or_else(|| ApiError::unauthorized("a bearer access token is required"))?
            .to_owned();
        let ClientInfo(client) = ClientInfo::from_request_parts(parts, state).await?;
        let authenticated = state.service.authenticate(&token, &client).await?;
        Ok(Self(authenticated, client))
    }
}

/// Which configured credential a request presents.
enum Credential {
    Admin,
    Service,
    UserAccessToken,
}

fn credential(parts: &Parts, state: &AppState) -> Result<Credential, ApiError> {
    let token = bearer_token(parts)
        .ok_or_else(|| ApiError::unauthorized("a bearer credential is required"))?;
    let settings = &state.settings;
    if settings.admin_token.matches(token) {
        Ok(Credential::Admin)
    } else if settings.service_token.matches(token) {
        Ok(Credential::Service)
    } else if state.service.recognizes_access_token(token) {
        Ok(Credential::UserAccessToken)
    } else {
        Err(ApiError::unauthorized("unknown credential"))
    }
}

/// A request made with the admin token.
#[derive(Debug)]
pub struct AdminCaller(pub Caller);

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match credential(parts, state)? {
            Credential::Admin => {
                let ClientInfo(client) = ClientInfo::from_request_parts(parts, state).await?;
                Ok(Self(Caller::admin(client)))
            }
            Credential::Service | Credential::UserAccessToken => {
                Err(ApiError::forbidden("the admin token is required"))
            }
        }
    }
}

/// A request made with the service token (or the admin token).
#[derive(Debug)]
pub struct IntrospectionCaller;

impl FromRequestParts<AppState> for IntrospectionCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match credential(parts, state)? {
            Credential::Admin | Credential::Service => Ok(Self),
            Credential::UserAccessToken => {
                Err(ApiError::forbidden("the service token is required"))
            }
        }
    }
}

/// A scrape of `/metrics`: anyone's when no metrics token is configured, else only with it.
#[derive(Debug)]
pub struct MetricsCaller;

impl FromRequestParts<AppState> for MetricsCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(required) = &state.settings.metrics_token else {
            return Ok(Self);
        };
        match bearer_token(parts) {
            Some(token) if required.matches(token) => Ok(Self),
            _ => Err(ApiError::unauthorized("the metrics token is required")),
        }
    }
}
