//! Use case: authenticate a bearer request — verify the access token, require an active
//! session, and touch it (throttled activity write, IP change, suspicious-activity rule).

use std::net::IpAddr;

use sessions_domain::{
    Actor, ProviderSlug, RevocationReason, Session, SessionInactive, TouchOutcome, TouchRequest,
    TouchWrite, UserAgent,
};

use crate::{
    AccessClaims, Application, ClientContext,
    mutation::{Change, MutationError, Write},
    ports::StoreError,
    telemetry,
};

/// A request whose access token and session are valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    /// The session after the touch.
    pub session: Session,
    /// The access token's claims.
    pub claims: AccessClaims,
    /// What the touch found (its events are already stored).
    pub touch: TouchOutcome,
}

/// Why a request is not authenticated.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticateError {
    /// Missing, malformed, badly signed or expired access token, or a session that no
    /// longer exists.
    #[error("invalid access token")]
    Unauthorized,
    /// The session was revoked (possibly by this very request's suspicious activity).
    #[error("session revoked")]
    SessionRevoked,
    /// The session expired or timed out.
    #[error("session expired")]
    SessionExpired,
    /// Too many concurrent writers on the session.
    #[error("session contended")]
    Contended,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<SessionInactive> for AuthenticateError {
    fn from(inactive: SessionInactive) -> Self {
        if inactive.status.is_revoked() {
            Self::SessionRevoked
        } else {
            Self::SessionExpired
        }
    }
}

impl From<MutationError> for AuthenticateError {
    fn from(error: MutationError) -> Self {
        match error {
            MutationError::NotFound => Self::Unauthorized,
            MutationError::Contended => Self::Contended,
            MutationError::Store(error) => Self::Store(error),
        }
    }
}

/// What one request tells about its client, for a touch.
pub(crate) struct ClientSignals<'a> {
    /// Address; `None` keeps the session's last address (introspection without `ip`).
    pub ip: Option<IpAddr>,
    /// User agent, if any.
    pub user_agent: Option<&'a UserAgent>,
    /// Country from a trusted proxy header, if any.
    pub country_hint: Option<sessions_domain::CountryCode>,
}

impl<'a> From<&'a ClientContext> for ClientSignals<'a> {
    fn from(client: &'a ClientContext) -> Self {
        Self {
            ip: Some(client.ip),
            user_agent: client.user_agent.as_ref(),
            country_hint: client.country_hint,
        }
    }
}

impl Application {
    /// Authenticates a bearer request from `client`. Every call reads the session from the
    /// store, so a revocation is effective on the very next request, on every instance.
    ///
    /// # Errors
    /// See [`AuthenticateError`].
    #[tracing::instrument(skip_all)]
    pub async fn authenticate(
        &self,
        access_token: &str,
        client: &ClientContext,
    ) -> Result<Authenticated, AuthenticateError> {
        let claims = self.verify_access_token(access_token)?;
        let (session, touch) = self
            .touch_session(
                &claims,
                &ClientSignals::from(client),
                None,
                (Actor::session(claims.session_id), Some(client)),
            )
            .await?;
        Ok(Authenticated {
            session,
            claims,
            touch,
        })
    }

    /// Whether `token` is an access token this service signed (expired or not): tells a
    /// user's token apart from an unknown credential on admin and service routes.
    pub fn recognizes_access_token(&self, token: &str) -> bool {
        self.ports.access_tokens.verify(token).is_ok()
    }

    /// Checks signature, issuer and expiry (no leeway) of an access token.
    pub(crate) fn verify_access_token(
        &self,
        access_token: &str,
    ) -> Result<AccessClaims, AuthenticateError> {
        let claims = self
            .ports
            .access_tokens
            .verify(access_token)
            .map_err(|_| AuthenticateError::Unauthorized)?;
        if self.ports.clock.now() >= claims.expires_at {
            return Err(AuthenticateError::Unauthorized);
        }
        Ok(claims)
    }

    /// Touches the claims' session with one request's signals (and records `provider`, if
    /// given), storing whatever changed, caused by `actor` from the client given. A request
    /// that revoked its session fails.
    pub(crate) async fn touch_session(
        &self,
        claims: &AccessClaims,
        signals: &ClientSignals<'_>,
        provider: Option<&ProviderSlug>,
        (actor, client): (Actor, Option<&ClientContext>),
    ) -> Result<(Session, TouchOutcome), AuthenticateError> {
        let (session, touch) = self
            .mutate_session(claims.session_id, actor, client, |session, now| {
                if session.user_id() != claims.user_id {
                    return Err(AuthenticateError::Unauthorized);
                }
                let request = self.touch_request(session, signals);
                let mut touch = session.touch(&request, now, &self.policy)?;
                let mut events = std::mem::take(&mut touch.events);
                if let Some(provider) = provider.filter(|_| !touch.revoked) {
                    events.push(session.record_provider_access(
                        provider.clone(),
                        now,
                        &self.policy,
                    )?);
                    touch.write = TouchWrite::State;
                }
                let write = match touch.write {
                    TouchWrite::Nothing => Write::Nothing,
                    TouchWrite::Activity => Write::Activity,
                    TouchWrite::State => Write::State,
                };
                Ok(Change {
                    value: touch,
                    events,
                    write,
                })
            })
            .await?;
        if let Some(kind) = touch.suspicious {
            telemetry::suspicious(kind);
        }
        if touch.revoked {
            telemetry::revocations(RevocationReason::SuspiciousActivity, 1);
            tracing::warn!(session_id = %session.id(), "session revoked for suspicious activity");
            return Err(AuthenticateError::SessionRevoked);
        }
        Ok((session, touch))
    }

    fn touch_request(&self, session: &Session, signals: &ClientSignals<'_>) -> TouchRequest {
        let state = session.state();
        let ip = signals
            .ip
            .or(state.last_ip_address)
            .unwrap_or(state.ip_address);
        // Without a user agent the device rule is skipped, and the same header as at sign-in
        // is the same device: in both (common) cases nothing is parsed.
        let (device, original_device) = match (signals.user_agent, state.user_agent.as_ref()) {
            (Some(agent), original) if Some(agent) != original => {
                let devices = &self.ports.devices;
                (
                    Some(devices.parse(agent).fingerprint),
                    original.map(|agent| devices.parse(agent).fingerprint),
                )
            }
            _ => (None, None),
        };
        TouchRequest {
            ip,
            device,
            original_device,
            // Without a country at sign-in there is nothing to compare: no lookup.
            country: state
                .location
                .as_ref()
                .and_then(|_| self.locate(ip, signals.country_hint))
                .map(|location| location.country()),
        }
    }
}

#[cfg(test)]
mod tests;
