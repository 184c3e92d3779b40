//! Use case: log in — verify the password, start a session under the session limit, and
//! issue a token pair.

use sessions_domain::{
    Email, NewSession, RefreshToken, RefreshTokenId, RevocationReason, Session, SessionId, User,
};

use crate::{
    Application, ClientContext, TokenPair,
    ports::{HashingError, SessionStart, StartSessionError, StoreError, TokenCodecError},
    telemetry,
};

/// A login request.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// E-mail address as typed.
    pub email: String,
    /// Password as typed.
    pub password: String,
}

/// Why a login failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown address or wrong password — deliberately indistinguishable.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Hashing failed.
    #[error(transparent)]
    Hashing(#[from] HashingError),
    /// The access token could not be signed.
    #[error(transparent)]
    TokenCodec(#[from] TokenCodecError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Logs a user in from `client`. An unknown address costs the same hashing work as a
    /// wrong password and fails the same way.
    ///
    /// # Errors
    /// See [`LoginError`].
    #[tracing::instrument(skip_all, fields(ip = %client.ip))]
    pub async fn login(
        &self,
        credentials: Credentials,
        client: ClientContext,
    ) -> Result<TokenPair, LoginError> {
        let user = match self.verified_user(&credentials).await {
            Ok(user) => user,
            Err(error) => {
                if matches!(error, LoginError::InvalidCredentials) {
                    telemetry::login("invalid_credentials");
                }
                return Err(error);
            }
        };
        let now = self.ports.clock.now();
        let secrets = &self.ports.token_secrets;
        let refresh_secret = secrets.generate();
        let session_id = SessionId::from_uuid(self.ports.ids.next_id());
        let refresh_token = RefreshToken::issue(
            RefreshTokenId::from_uuid(self.ports.ids.next_id()),
            session_id,
            secrets.hash(&refresh_secret),
            now,
        );
        let device = client
            .user_agent
            .as_ref()
            .map(|agent| self.ports.devices.parse(agent));
        let (session, created) = Session::start(
            NewSession {
                id: session_id,
                user_id: user.id,
                device_info: device.map(|device| device.info),
                location: self.locate(client.ip, client.country_hint),
                user_agent: client.user_agent,
                ip_address: client.ip,
                refresh_token_id: refresh_token.id,
            },
            &self.policy,
            now,
        );
        let start = SessionStart {
            session,
            created,
            refresh_token,
            policy: self.policy,
            now,
        };
        let evictions = self
            .ports
            .sessions
            .start(&start)
            .await
            .map_err(|error| match error {
                StartSessionError::UserNotFound => LoginError::InvalidCredentials,
                StartSessionError::Store(error) => LoginError::Store(error),
            })?;
        telemetry::login("success");
        telemetry::revocations(
            RevocationReason::SessionLimit,
            u64::try_from(evictions.len()).unwrap_or(u64::MAX),
        );
        tracing::info!(
            user_id = %user.id,
            session_id = %session_id,
            evicted = evictions.len(),
            "session started"
        );
        Ok(self.token_pair(start.session, refresh_secret, now)?)
    }

    async fn verified_user(&self, credentials: &Credentials) -> Result<User, LoginError> {
        let user = match Email::parse(&credentials.email) {
            Ok(email) => self.ports.users.find_by_email(&email).await?,
            Err(_) => None,
        };
        let passwords = &self.ports.passwords;
        match user {
            Some(user)
                if passwords
                    .verify(&credentials.password, &user.password_hash)
                    .await? =>
            {
                Ok(user)
            }
            Some(_) => Err(LoginError::InvalidCredentials),
            None => {
                passwords.verify_dummy(&credentials.password).await?;
                Err(LoginError::InvalidCredentials)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use sessions_domain::{SessionEvent, SessionEventKind, TokenHash};

    use super::*;
    use crate::{
        SecretToken,
        use_cases::test_support::{MockPorts, alice, alice_id, client, session_id, t0, uuid},
    };

    fn credentials(email: &str, password: &str) -> Credentials {
        Credentials {
            email: email.into(),
            password: password.into(),
        }
    }

    fn expect_known_alice(ports: &mut MockPorts, password_ok: bool) {
        ports
            .users
            .expect_find_by_email()
            .withf(|email| email.as_str() == "alice@example.com")
            .times(1)
            .returning(|_| Ok(Some(alice())));
        ports
            .passwords
            .expect_verify()
            .withf(|candidate, hash| {
                candidate == "correct horse battery" && hash.as_str() == "$argon2id$alice"
            })
            .times(1)
            .returning(move |_, _| Ok(password_ok));
    }

    fn expect_session_material(ports: &mut MockPorts) {
        let mut next = 0;
        ports.ids.expect_next_id().times(2).returning(move || {
            next += 1;
            uuid(next)
        });
        ports
            .token_secrets
            .expect_generate()
            .times(1)
            .returning(|| SecretToken::new("refresh-1".into()));
        ports
            .token_secrets
            .expect_hash()
            .returning(|_| TokenHash::from_bytes([1; 32]));
        ports.with_client_enrichment(Some("US"));
        ports
            .access_tokens
            .expect_issue()
            .withf(|claims| claims.user_id == alice_id() && claims.session_id == session_id(1))
            .times(1)
            .returning(|_| Ok("access-1".into()));
    }

    #[tokio::test]
    async fn a_correct_password_starts_a_session_and_returns_a_token_pair() {
        let mut ports = MockPorts::new();
        expect_known_alice(&mut ports, true);
        expect_session_material(&mut ports);
        ports
            .sessions
            .expect_start()
            .withf(|start| {
                let state = start.session.state();
                state.user_id == alice_id()
                    && state
                        .device_info
                        .as_ref()
                        .map(sessions_domain::DeviceInfo::as_str)
                        == Some("Chrome on macOS")
                    && state.location.as_ref().map(ToString::to_string) == Some("US".into())
                    && state.refresh_token_id == Some(start.refresh_token.id)
                    && start.created.kind == SessionEventKind::Created
                    && start.now == t0()
            })
            .times(1)
            .returning(|_| Ok(Vec::new()));

        let pair = ports
            .app()
            .login(
                credentials("alice@example.com", "correct horse battery"),
                client(),
            )
            .await
            .unwrap();

        assert_eq!(pair.access_token, "access-1");
        assert_eq!(pair.refresh_token.expose(), "refresh-1");
        assert_eq!(pair.expires_in.num_seconds(), 900);
        assert!(pair.session.is_current);
        assert!(pair.session.is_active);
    }

    #[tokio::test]
    async fn evictions_by_the_session_limit_do_not_fail_the_login() {
        let mut ports = MockPorts::new();
        expect_known_alice(&mut ports, true);
        expect_session_material(&mut ports);
        ports.sessions.expect_start().times(1).returning(|start| {
            Ok(vec![SessionEvent::evicted(
                session_id(99),
                alice_id(),
                start.session.id(),
                start.now,
            )])
        });

        let pair = ports
            .app()
            .login(
                credentials("alice@example.com", "correct horse battery"),
                client(),
            )
            .await
            .unwrap();

        assert_eq!(pair.session.session.id(), session_id(1));
    }

    #[tokio::test]
    async fn a_wrong_password_is_invalid_credentials_and_starts_nothing() {
        let mut ports = MockPorts::new();
        expect_known_alice(&mut ports, false);
        let result = ports
            .app()
            .login(
                credentials("alice@example.com", "correct horse battery"),
                client(),
            )
            .await;
        assert!(matches!(result, Err(LoginError::InvalidCredentials)));
    }

    #[tokio::test]
    async fn an_unknown_address_burns_a_dummy_hash_and_fails_alike() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_find_by_email()
            .times(1)
            .returning(|_| Ok(None));
        ports
            .passwords
            .expect_verify_dummy()
            .withf(|candidate| candidate == "whatever password")
            .times(1)
            .returning(|_| Ok(()));
        let result = ports
            .app()
            .login(
                credentials("bob@example.com", "whatever password"),
                client(),
            )
            .await;
        assert!(matches!(result, Err(LoginError::InvalidCredentials)));
    }

    #[tokio::test]
    async fn a_malformed_address_burns_a_dummy_hash_without_a_lookup() {
        let mut ports = MockPorts::new();
        ports
            .passwords
            .expect_verify_dummy()
            .times(1)
            .returning(|_| Ok(()));
        let result = ports
            .app()
            .login(credentials("not an address", "whatever password"), client())
            .await;
        assert!(matches!(result, Err(LoginError::InvalidCredentials)));
    }

    #[tokio::test]
    async fn a_user_deleted_during_login_is_invalid_credentials() {
        let mut ports = MockPorts::new();
        expect_known_alice(&mut ports, true);
        let mut next = 0;
        ports.ids.expect_next_id().returning(move || {
            next += 1;
            uuid(next)
        });
        ports
            .token_secrets
            .expect_generate()
            .returning(|| SecretToken::new("refresh-1".into()));
        ports
            .token_secrets
            .expect_hash()
            .returning(|_| TokenHash::from_bytes([1; 32]));
        ports.with_client_enrichment(None);
        ports
            .sessions
            .expect_start()
            .times(1)
            .returning(|_| Err(StartSessionError::UserNotFound));
        let result = ports
            .app()
            .login(
                credentials("alice@example.com", "correct horse battery"),
                client(),
            )
            .await;
        assert!(matches!(result, Err(LoginError::InvalidCredentials)));
    }

    #[tokio::test]
    async fn a_store_failure_is_reported_as_such() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_find_by_email()
            .returning(|_| Err(StoreError::new(std::io::Error::other("down"))));
        let result = ports
            .app()
            .login(
                credentials("alice@example.com", "correct horse battery"),
                client(),
            )
            .await;
        assert!(matches!(result, Err(LoginError::Store(_))));
    }
}
