//! Use case: token introspection for other services — is this access token's session
//! active? Records the activity (and a provider access) like a request would.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sessions_domain::{Actor, ProviderSlug, SessionId, UserAgent, UserId};

use crate::{
    Application, ClientContext, ports::StoreError, use_cases::authenticate::ClientSignals,
};

use super::AuthenticateError;

/// An introspection request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntrospectRequest {
    /// The access token to check.
    pub token: String,
    /// The end client's address, when the caller knows it.
    pub ip: Option<IpAddr>,
    /// The end client's user agent, when the caller knows it.
    pub user_agent: Option<UserAgent>,
    /// The data provider being accessed, to record on the session.
    pub provider: Option<ProviderSlug>,
}

/// The answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Introspection {
    /// Invalid token, or a session that is not active (including one this very call
    /// revoked for suspicious activity).
    Inactive,
    /// The session is active.
    Active {
        /// `sub`.
        user_id: UserId,
        /// `sid`.
        session_id: SessionId,
        /// The access token's `exp`.
        expires_at: DateTime<Utc>,
        /// Whether this call changed the session's client address.
        ip_changed: bool,
        /// Whether this call counted as suspicious.
        suspicious: bool,
        /// The session's total suspicious count.
        suspicious_activity_count: u32,
    },
}

/// Why introspection could not answer.
#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    /// Too many concurrent writers on the session.
    #[error("session contended")]
    Contended,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Introspects an access token on behalf of a resource service.
    ///
    /// # Errors
    /// See [`IntrospectError`]; an invalid token or inactive session is not an error but
    /// [`Introspection::Inactive`].
    #[tracing::instrument(skip_all)]
    pub async fn introspect(
        &self,
        request: IntrospectRequest,
    ) -> Result<Introspection, IntrospectError> {
        let signals = ClientSignals {
            ip: request.ip,
            user_agent: request.user_agent.as_ref(),
            country_hint: None,
        };
        // The end user's client, as the resource server reports it.
        let client = request.ip.map(|ip| ClientContext {
            ip,
            user_agent: request.user_agent.clone(),
            country_hint: None,
        });
        let touched = match self.verify_access_token(&request.token) {
            Ok(claims) => self
                .touch_session(
                    &claims,
                    &signals,
                    request.provider.as_ref(),
                    (Actor::Service, client.as_ref()),
                )
                .await
                .map(|(session, touch)| (claims, session, touch)),
            Err(error) => Err(error),
        };
        match touched {
            Ok((claims, session, touch)) => Ok(Introspection::Active {
                user_id: claims.user_id,
                session_id: claims.session_id,
                expires_at: claims.expires_at,
                ip_changed: touch.ip_change.is_some(),
                suspicious: touch.suspicious.is_some(),
                suspicious_activity_count: session.state().suspicious_activity_count,
            }),
            Err(
                AuthenticateError::Unauthorized
                | AuthenticateError::SessionRevoked
                | AuthenticateError::SessionExpired,
            ) => Ok(Introspection::Inactive),
            Err(AuthenticateError::Contended) => Err(IntrospectError::Contended),
            Err(AuthenticateError::Store(error)) => Err(IntrospectError::Store(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use sessions_domain::{RevocationReason, SessionEventKind};

    use super::*;
    use crate::{
        ports::InvalidAccessToken,
        use_cases::test_support::{MockPorts, alice_id, at, claims_for, session_id, session_of},
    };

    fn request(provider: Option<&str>, ip: Option<&str>) -> IntrospectRequest {
        IntrospectRequest {
            token: "access".into(),
            ip: ip.map(|ip| ip.parse().unwrap()),
            user_agent: UserAgent::from_header("Chrome-on-macOS"),
            provider: provider.map(|slug| ProviderSlug::parse(slug).unwrap()),
        }
    }

    #[tokio::test]
    async fn an_active_session_is_described_and_its_provider_access_recorded() {
        let mut ports = MockPorts::new();
        ports.accept_access_token(1);
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(session_of(alice_id(), 1))));
        ports.with_client_enrichment(Some("US"));
        ports
            .sessions
            .expect_save()
            .withf(|session, events| {
                session.state().last_provider_accessed.as_ref().map(ProviderSlug::as_str)
                    == Some("plaid")
                    && matches!(events, [event] if matches!(event.kind, SessionEventKind::ProviderAccessed { .. }))
            })
            .times(1)
            .returning(|_, _| Ok(()));

        let answer = ports
            .app()
            .introspect(request(Some("plaid"), Some("203.0.113.7")))
            .await
            .unwrap();

        assert_eq!(
            answer,
            Introspection::Active {
                user_id: alice_id(),
                session_id: session_id(1),
                expires_at: claims_for(alice_id(), 1).expires_at,
                ip_changed: false,
                suspicious: false,
                suspicious_activity_count: 0,
            }
        );
    }

    #[tokio::test]
    async fn an_ip_change_is_reported() {
        let mut ports = MockPorts::new();
        ports.accept_access_token(1);
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(session_of(alice_id(), 1))));
        ports.with_client_enrichment(Some("US"));
        ports
            .sessions
            .expect_save()
            .times(1)
            .returning(|_, _| Ok(()));
        let answer = ports
            .app()
            .introspect(request(None, Some("198.51.100.1")))
            .await
            .unwrap();
        assert!(matches!(
            answer,
            Introspection::Active {
                ip_changed: true,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn without_an_ip_the_sessions_last_address_is_assumed() {
        let mut ports = MockPorts::new();
        ports.accept_access_token(1);
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(session_of(alice_id(), 1))));
        ports.with_client_enrichment(Some("US"));
        ports.sessions.expect_save().never();
        let answer = ports.app().introspect(request(None, None)).await.unwrap();
        assert!(matches!(
            answer,
            Introspection::Active {
                ip_changed: false,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn a_revoked_session_is_inactive() {
        let mut ports = MockPorts::new();
        ports.accept_access_token(1);
        let mut session = session_of(alice_id(), 1);
        session.revoke(RevocationReason::Logout, at(0)).unwrap();
        ports
            .sessions
            .expect_find()
            .returning(move |_| Ok(Some(session.clone())));
        ports.with_client_enrichment(Some("US"));
        let answer = ports.app().introspect(request(None, None)).await.unwrap();
        assert_eq!(answer, Introspection::Inactive);
    }

    #[tokio::test]
    async fn an_invalid_token_is_inactive() {
        let mut ports = MockPorts::new();
        ports
            .access_tokens
            .expect_verify()
            .returning(|_| Err(InvalidAccessToken));
        let answer = ports.app().introspect(request(None, None)).await.unwrap();
        assert_eq!(answer, Introspection::Inactive);
    }

    #[tokio::test]
    async fn a_store_failure_is_an_error_not_an_inactive_answer() {
        let mut ports = MockPorts::new();
        ports.accept_access_token(1);
        ports
            .sessions
            .expect_find()
            .returning(|_| Err(StoreError::new(std::io::Error::other("down"))));
        let result = ports.app().introspect(request(None, None)).await;
        assert!(matches!(result, Err(IntrospectError::Store(_))));
    }
}
