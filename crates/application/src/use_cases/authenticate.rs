//! Use case: authenticate a bearer request — verify the access token, require an active
//! session, and touch it (throttled activity write, IP change, suspicious-activity rule).

use std::net::IpAddr;

use sessions_domain::{
    ProviderSlug, RevocationReason, Session, SessionInactive, TouchOutcome, TouchRequest,
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
            .touch_session(&claims, &ClientSignals::from(client), None)
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
    /// given), storing whatever changed. A request that revoked its session fails.
    pub(crate) async fn touch_session(
        &self,
        claims: &AccessClaims,
        signals: &ClientSignals<'_>,
        provider: Option<&ProviderSlug>,
    ) -> Result<(Session, TouchOutcome), AuthenticateError> {
        let (session, touch) = self
            .mutate_session(claims.session_id, |session, now| {
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
mod tests {
    use chrono::TimeDelta;
    use sessions_domain::{CountryCode, RevocationReason, SessionEventKind, SuspiciousKind};

    use super::*;
    use crate::{
        ports::{InvalidAccessToken, WriteError},
        use_cases::test_support::{
            MockPorts, alice_id, at, claims_for, client, mallory_id, session_of,
        },
    };

    fn expect_stored(ports: &mut MockPorts, session: Session) {
        ports
            .sessions
            .expect_find()
            .returning(move |_| Ok(Some(session.clone())));
    }

    #[tokio::test]
    async fn a_valid_token_inside_the_write_threshold_authenticates_without_a_write() {
        let mut ports = MockPorts::new();
        ports.now = at(30);
        ports.accept_access_token(1);
        expect_stored(&mut ports, session_of(alice_id(), 1));
        ports.with_client_enrichment(Some("US"));
        ports.sessions.expect_save().never();

        let authenticated = ports.app().authenticate("access", &client()).await.unwrap();

        assert_eq!(authenticated.touch.write, TouchWrite::Nothing);
        assert_eq!(authenticated.session.state().last_activity_at, at(0));
    }

    #[tokio::test]
    async fn activity_after_the_write_threshold_is_recorded_without_a_version_check() {
        let mut ports = MockPorts::new();
        ports.now = at(61);
        ports.accept_access_token(1);
        expect_stored(&mut ports, session_of(alice_id(), 1));
        ports.with_client_enrichment(Some("US"));
        ports
            .sessions
            .expect_record_activity()
            .withf(|session| session.state().last_activity_at == at(61))
            .times(1)
            .returning(|_| Ok(true));
        ports.sessions.expect_save().never();

        let authenticated = ports.app().authenticate("access", &client()).await.unwrap();

        assert_eq!(authenticated.touch.write, TouchWrite::Activity);
        assert_eq!(authenticated.session.state().version, 1);
    }

    #[tokio::test]
    async fn a_bad_token_is_unauthorized_without_touching_the_store() {
        let mut ports = MockPorts::new();
        ports
            .access_tokens
            .expect_verify()
            .returning(|_| Err(InvalidAccessToken));
        let result = ports.app().authenticate("forged", &client()).await;
        assert!(matches!(result, Err(AuthenticateError::Unauthorized)));
    }

    #[tokio::test]
    async fn a_token_is_expired_exactly_at_its_exp() {
        let mut ports = MockPorts::new();
        ports.now = at(0) + TimeDelta::minutes(15);
        ports.accept_access_token(1);
        let result = ports.app().authenticate("access", &client()).await;
        assert!(matches!(result, Err(AuthenticateError::Unauthorized)));
    }

    #[tokio::test]
    async fn a_revoked_session_is_reported_as_revoked() {
        let mut ports = MockPorts::new();
        ports.accept_access_token(1);
        let mut session = session_of(alice_id(), 1);
        session
            .revoke(RevocationReason::UserRevoked, at(0))
            .unwrap();
        expect_stored(&mut ports, session);
        ports.with_client_enrichment(Some("US"));
        let result = ports.app().authenticate("access", &client()).await;
        assert!(matches!(result, Err(AuthenticateError::SessionRevoked)));
    }

    #[tokio::test]
    async fn an_expired_session_is_reported_as_expired() {
        let mut ports = MockPorts::new();
        ports.access_tokens.expect_verify().returning(|_| {
            let mut claims = claims_for(alice_id(), 1);
            claims.expires_at = at(0) + TimeDelta::days(31);
            Ok(claims)
        });
        ports.now = at(0) + TimeDelta::days(30);
        expect_stored(&mut ports, session_of(alice_id(), 1));
        ports.with_client_enrichment(Some("US"));
        let result = ports.app().authenticate("access", &client()).await;
        assert!(matches!(result, Err(AuthenticateError::SessionExpired)));
    }

    #[tokio::test]
    async fn a_deleted_session_is_unauthorized() {
        let mut ports = MockPorts::new();
        ports.accept_access_token(1);
        ports.sessions.expect_find().returning(|_| Ok(None));
        let result = ports.app().authenticate("access", &client()).await;
        assert!(matches!(result, Err(AuthenticateError::Unauthorized)));
    }

    #[tokio::test]
    async fn a_token_naming_another_users_session_is_unauthorized() {
        let mut ports = MockPorts::new();
        ports.accept_access_token(1);
        expect_stored(&mut ports, session_of(mallory_id(), 1));
        let result = ports.app().authenticate("access", &client()).await;
        assert!(matches!(result, Err(AuthenticateError::Unauthorized)));
    }

    #[tokio::test]
    async fn a_request_from_another_country_stores_the_suspicious_event() {
        let mut ports = MockPorts::new();
        ports.accept_access_token(1);
        expect_stored(&mut ports, session_of(alice_id(), 1));
        ports.with_client_enrichment(Some("DE"));
        ports
            .sessions
            .expect_save()
            .withf(|session, events| {
                session.state().suspicious_activity_count == 1
                    && events.len() == 1
                    && events[0].kind
                        == SessionEventKind::SuspiciousActivity {
                            kind: SuspiciousKind::CountryChanged,
                            count: 1,
                        }
            })
            .times(1)
            .returning(|_, _| Ok(()));

        let authenticated = ports.app().authenticate("access", &client()).await.unwrap();

        assert_eq!(
            authenticated.touch.suspicious,
            Some(SuspiciousKind::CountryChanged)
        );
    }

    #[tokio::test]
    async fn the_request_that_reaches_the_threshold_is_refused_after_storing_the_revocation() {
        let mut ports = MockPorts::new();
        ports.accept_access_token(1);
        let mut session = session_of(alice_id(), 1);
        let mut state = session.state().clone();
        state.suspicious_activity_count = 2;
        session = Session::restore(state);
        expect_stored(&mut ports, session);
        ports.with_client_enrichment(Some("DE"));
        ports
            .sessions
            .expect_save()
            .withf(|session, events| session.is_revoked() && events.len() == 2)
            .times(1)
            .returning(|_, _| Ok(()));

        let result = ports.app().authenticate("access", &client()).await;

        assert!(matches!(result, Err(AuthenticateError::SessionRevoked)));
    }

    #[tokio::test]
    async fn activity_refused_because_of_a_revocation_meanwhile_fails_as_revoked() {
        let mut ports = MockPorts::new();
        ports.now = at(61);
        ports.accept_access_token(1);
        let mut revoked = session_of(alice_id(), 1);
        revoked.revoke(RevocationReason::Admin, at(60)).unwrap();
        let mut reads = vec![revoked, session_of(alice_id(), 1)];
        ports
            .sessions
            .expect_find()
            .times(2)
            .returning(move |_| Ok(reads.pop()));
        ports.with_client_enrichment(Some("US"));
        ports
            .sessions
            .expect_record_activity()
            .times(1)
            .returning(|_| Ok(false));

        let result = ports.app().authenticate("access", &client()).await;

        assert!(matches!(result, Err(AuthenticateError::SessionRevoked)));
    }

    #[tokio::test]
    async fn a_conflicting_state_write_is_decided_again_on_fresh_state() {
        let mut ports = MockPorts::new();
        ports.accept_access_token(1);
        let mut moved_on = session_of(alice_id(), 1);
        let mut state = moved_on.state().clone();
        state.suspicious_activity_count = 1;
        state.version = 1;
        moved_on = Session::restore(state);
        let mut reads = vec![moved_on, session_of(alice_id(), 1)];
        ports
            .sessions
            .expect_find()
            .times(2)
            .returning(move |_| Ok(reads.pop()));
        ports.with_client_enrichment(Some("DE"));
        let mut saves = 0;
        ports
            .sessions
            .expect_save()
            .times(2)
            .returning(move |session, _| {
                saves += 1;
                if saves == 1 {
                    Err(WriteError::Conflict)
                } else {
                    assert_eq!(session.state().suspicious_activity_count, 2);
                    assert_eq!(session.state().version, 1);
                    Ok(())
                }
            });

        let authenticated = ports.app().authenticate("access", &client()).await.unwrap();

        assert_eq!(authenticated.session.state().suspicious_activity_count, 2);
    }

    #[tokio::test]
    async fn endless_conflicts_give_up_as_contended() {
        let mut ports = MockPorts::new();
        ports.accept_access_token(1);
        expect_stored(&mut ports, session_of(alice_id(), 1));
        ports.with_client_enrichment(Some("DE"));
        ports
            .sessions
            .expect_save()
            .times(8)
            .returning(|_, _| Err(WriteError::Conflict));
        let result = ports.app().authenticate("access", &client()).await;
        assert!(matches!(result, Err(AuthenticateError::Contended)));
    }

    #[tokio::test]
    async fn a_country_from_the_proxy_header_is_used_when_geolocation_knows_nothing() {
        let mut ports = MockPorts::new();
        ports.accept_access_token(1);
        expect_stored(&mut ports, session_of(alice_id(), 1));
        ports.with_client_enrichment(None);
        ports
            .sessions
            .expect_save()
            .times(1)
            .returning(|_, _| Ok(()));
        let mut from_france = client();
        from_france.country_hint = CountryCode::parse("FR").ok();

        let authenticated = ports
            .app()
            .authenticate("access", &from_france)
            .await
            .unwrap();

        assert_eq!(
            authenticated.touch.suspicious,
            Some(SuspiciousKind::CountryChanged)
        );
    }
}
