//! Use case: log in — throttle the attempt, verify the password, start a session under the
//! session limit, and issue a token pair and a renewed device token.
//!
//! The throttle follows OWASP's device-cookie design: a client presenting a device token of
//! the account is judged by its own failures only and hashes ahead of unknown clients;
//! everyone else shares the account's failure budget and their network's. A refused attempt
//! costs no hash.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sessions_domain::{
    AccountEvent, AccountEventKind, Actor, BudgetKey, Cause, DeviceToken, DeviceTokenId, Email,
    NewSession, Origin, ParsedDevice, RefreshToken, RefreshTokenId, RevocationReason, Session,
    SessionId, ThrottledNetwork, User, UserId, is_new_device,
};

use crate::{
    Application, ClientContext, SecretToken, TokenPair,
    ports::{
        HashPriority, HashingError, SessionQuery, SessionStart, StartSessionError, StoreError,
        TokenCodecError,
    },
    telemetry,
    throttle::ReserveError,
};

/// A login request.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// E-mail address as typed.
    pub email: String,
    /// Password as typed.
    pub password: String,
    /// The device token this client got at its last login to this account, if any.
    pub device_token: Option<SecretToken>,
}

/// A successful login.
#[derive(Clone, Debug)]
pub struct LoggedIn {
    /// The new session's tokens.
    pub tokens: TokenPair,
    /// The device token to present at the next login (the presented one no longer works).
    pub device_token: SecretToken,
}

/// Why a login failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown address or wrong password — deliberately indistinguishable.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// A failure budget this attempt draws on is spent; nothing was hashed.
    #[error(transparent)]
    Throttled(#[from] sessions_domain::Throttled),
    /// Hashing was refused (overloaded) or failed.
    #[error(transparent)]
    Hashing(#[from] HashingError),
    /// The access token could not be signed.
    #[error(transparent)]
    TokenCodec(#[from] TokenCodecError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ReserveError> for LoginError {
    fn from(error: ReserveError) -> Self {
        match error {
            ReserveError::Throttled(throttled) => Self::Throttled(throttled),
            ReserveError::Store(error) => Self::Store(error),
        }
    }
}

/// How many of an account's latest sessions a sign-in is compared with to tell a new
/// device: the devices a person uses, with room to spare, in one indexed read.
const RECENT_SESSIONS: u32 = 50;

impl Application {
    /// Logs a user in from `client`. An unknown address costs the same hashing work as a
    /// wrong password, fails the same way and spends the same budgets.
    ///
    /// # Errors
    /// See [`LoginError`].
    #[tracing::instrument(skip_all, fields(ip = %client.ip))]
    pub async fn login(
        &self,
        credentials: Credentials,
        client: ClientContext,
    ) -> Result<LoggedIn, LoginError> {
        // A full queue answers before anything else is read: a flood costs the store nothing.
        // A client claiming a device token is checked as known here and hashes as what its
        // token turns out to be.
        let claimed = if credentials.device_token.is_some() {
            HashPriority::Known
        } else {
            HashPriority::Unknown
        };
        self.ports.passwords.admits(claimed)?;
        let email = Email::parse(&credentials.email).ok();
        let user = match &email {
            Some(email) => self.ports.storage.users.find_by_email(email).await?,
            None => None,
        };
        let now = self.ports.clock.now();
        let device = self
            .vouching_device(credentials.device_token.as_ref(), user.as_ref(), now)
            .await?;
        let priority = if device.is_some() {
            HashPriority::Known
        } else {
            HashPriority::Unknown
        };
        let network = BudgetKey::NetworkFailures(ThrottledNetwork::of(client.ip));
        let budgets = match &device {
            Some(device) => vec![BudgetKey::DeviceToken(device.id)],
            None => email
                .iter()
                .map(|email| BudgetKey::Account(email.clone()))
                .chain([network.clone()])
                .collect(),
        };
        let reservation = self.reserve(budgets, now).await.inspect_err(|error| {
            if matches!(error, ReserveError::Throttled(_)) {
                telemetry::login("throttled");
            }
        })?;
        let account = user.as_ref().map(|user| user.id);
        let verified = self
            .verify_password(user, &credentials.password, priority)
            .await;
        let user = match verified {
            Ok(Some(user)) => {
                self.release(reservation).await;
                user
            }
            Ok(None) => {
                telemetry::login("invalid_credentials");
                let spent: Vec<&'static str> = reservation.spent_scopes().collect();
                for scope in &spent {
                    telemetry::budget_spent(scope);
                    tracing::warn!(scope, "login failure budget spent");
                }
                reservation.keep();
                if device.is_some() {
                    self.count_failure(vec![network], now).await?;
                }
                self.record_failed_login(account, email, &spent, &client, now)
                    .await?;
                return Err(LoginError::InvalidCredentials);
            }
            Err(error) => {
                self.release(reservation).await;
                return Err(error.into());
            }
        };
        self.start_session(user, device, client, now).await
    }

    /// The device token `presented`, if it is one of `user`'s and still valid.
    async fn vouching_device(
        &self,
        presented: Option<&SecretToken>,
        user: Option<&User>,
        now: DateTime<Utc>,
    ) -> Result<Option<DeviceToken>, StoreError> {
        let (Some(presented), Some(user)) = (presented, user) else {
            return Ok(None);
        };
        let hash = self.ports.token_secrets.hash(presented);
        let found = self
            .ports
            .storage
            .device_tokens
            .find_device_token(&hash)
            .await?;
        Ok(found.filter(|device| device.vouches_for(user.id, now)))
    }

    /// Records a sign-in that failed on its password: for `account`, or else for the
    /// address tried; and the budgets it `spent` (a lockout, once per window). Every one
    /// cost a hash under the throttle, which bounds how fast an attacker can fill the trail.
    async fn record_failed_login(
        &self,
        account: Option<UserId>,
        email: Option<Email>,
        spent: &[&'static str],
        client: &ClientContext,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let cause = self.cause(Actor::User { session_id: None }, Some(client), None);
        let failed = AccountEvent {
            user_id: account,
            at: now,
            kind: AccountEventKind::LoginFailed {
                unknown_account: email.filter(|_| account.is_none()),
            },
            cause: cause.clone(),
        };
        let events = &self.ports.storage.events;
        events.append_account(&failed).await?;
        for &scope in spent {
            let locked_out = AccountEvent {
                user_id: account.filter(|_| scope != "network_failures"),
                at: now,
                kind: AccountEventKind::LoginLockedOut { scope },
                cause: cause.clone(),
            };
            events.append_account(&locked_out).await?;
        }
        Ok(())
    }

    /// Whether `user` signs in from a device new to the account ([`is_new_device`]), judged
    /// against their most recent sessions, ended ones too.
    async fn is_new_device(
        &self,
        user: &User,
        vouched_by_device_token: bool,
        device: Option<&ParsedDevice>,
        ip: IpAddr,
    ) -> Result<bool, StoreError> {
        if vouched_by_device_token {
            return Ok(false);
        }
        let recent = self
            .ports
            .storage
            .sessions
            .list_for_user(
                user.id,
                SessionQuery {
                    active: None,
                    after: None,
                    limit: RECENT_SESSIONS,
                },
            )
            .await?;
        let earlier: Vec<_> = recent
            .iter()
            .map(|session| {
                let state = session.state();
                let device = state
                    .user_agent
                    .as_ref()
                    .map(|agent| self.ports.devices.parse(agent).fingerprint);
                (device, state.ip_address)
            })
            .collect();
        Ok(is_new_device(
            false,
            device.map(|parsed| &parsed.fingerprint),
            ip,
            &earlier,
        ))
    }

    /// `user` if `password` is theirs; `None` for a wrong password or no user (after the
    /// same work as a verification).
    async fn verify_password(
        &self,
        user: Option<User>,
        password: &str,
        priority: HashPriority,
    ) -> Result<Option<User>, HashingError> {
        let passwords = &self.ports.passwords;
        if let Some(user) = user {
            let matches = passwords
                .verify(password, &user.password_hash, priority)
                .await?;
            Ok(matches.then_some(user))
        } else {
            passwords.verify_dummy(password, priority).await?;
            Ok(None)
        }
    }

    /// Starts a session of `user` from `client`, with a device token: `device` renewed, or a
    /// new one.
    async fn start_session(
        &self,
        user: User,
        device: Option<DeviceToken>,
        client: ClientContext,
        now: DateTime<Utc>,
    ) -> Result<LoggedIn, LoginError> {
        let vouched_by_device_token = device.is_some();
        let secrets = &self.ports.token_secrets;
        let refresh_secret = secrets.generate();
        let session_id = SessionId::from_uuid(self.ports.ids.next_id());
        let refresh_token = RefreshToken::issue(
            RefreshTokenId::from_uuid(self.ports.ids.next_id()),
            session_id,
            secrets.hash(&refresh_secret),
            now,
        );
        let device_secret = secrets.generate();
        let device_hash = secrets.hash(&device_secret);
        let lifetime = self.policy.throttle.device_token_lifetime;
        let device_token = match device {
            Some(device) => device.renewed(device_hash, now, lifetime),
            None => DeviceToken::issue(
                DeviceTokenId::from_uuid(self.ports.ids.next_id()),
                user.id,
                device_hash,
                now,
                lifetime,
            ),
        };
        let parsed = client
            .user_agent
            .as_ref()
            .map(|agent| self.ports.devices.parse(agent));
        let new_device = self
            .is_new_device(&user, vouched_by_device_token, parsed.as_ref(), client.ip)
            .await?;
        let device_info = parsed.map(|parsed| parsed.info);
        let location = self.locate(client.ip, client.country_hint);
        let origin = Origin {
            ip: client.ip,
            user_agent: client.user_agent.clone(),
            device: device_info.clone(),
            location: location.clone(),
        };
        let (session, mut created) = Session::start(
            NewSession {
                id: session_id,
                user_id: user.id,
                device_info,
                location,
                user_agent: client.user_agent,
                ip_address: client.ip,
                refresh_token_id: refresh_token.id,
                new_device: Some(new_device),
            },
            &self.policy,
            now,
        );
        created.cause = Cause {
            actor: Actor::session(session_id),
            origin: Some(origin),
            incident: None,
        };
        let start = SessionStart {
            session,
            created,
            refresh_token,
            device_token,
            policy: self.policy,
            now,
        };
        let evictions =
            self.ports
                .storage
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
        Ok(LoggedIn {
            tokens: self.token_pair(start.session, refresh_secret, now)?,
            device_token: device_secret,
        })
    }
}

#[cfg(test)]
mod tests;
