//! Shared test fixtures: every port as a mock, and sample domain values.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, TimeDelta, Utc};
use sessions_domain::{
    AccountEvent, Actor, AttemptCount, BudgetKey, CountryCode, DeviceFingerprint, DeviceInfo,
    DeviceKind, Email, Location, NewSession, ParsedDevice, PasswordHash, RefreshTokenId, Session,
    SessionId, SessionPolicy, User, UserAgent, UserId,
};
use uuid::Uuid;

use crate::{
    AccessClaims, Application, Caller, ClientContext, Ports,
    ports::{
        MockAccessTokenCodec, MockAttemptCounters, MockClock, MockDeviceParser,
        MockDeviceTokenStore, MockEventStore, MockGeolocator, MockIdGenerator, MockKeyRing,
        MockKeyStore, MockPasswordHasher, MockRefreshTokenStore, MockSessionRepository,
        MockStoreHealth, MockTokenSecrets, MockUserRepository, MockWebhookSecrets,
        MockWebhookSender, MockWebhookStore, StoragePorts,
    },
};

/// A fixed instant the tests run at.
pub fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

/// `n` seconds after [`t0`].
pub fn at(seconds: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(seconds)
}

/// A deterministic UUID.
pub fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// The user most tests act as.
pub fn alice_id() -> UserId {
    UserId::from_uuid(uuid(1000))
}

/// Another user.
pub fn mallory_id() -> UserId {
    UserId::from_uuid(uuid(2000))
}

/// A session id.
pub fn session_id(n: u128) -> SessionId {
    SessionId::from_uuid(uuid(n))
}

/// Alice, registered at `t0`.
pub fn alice() -> User {
    User {
        id: alice_id(),
        email: Email::parse("alice@example.com").unwrap(),
        password_hash: PasswordHash::new("$argon2id$alice".into()),
        max_sessions: None,
        created_at: t0(),
        updated_at: t0(),
    }
}

/// An active session `n` of `owner`, started at `t0` in New York with Chrome on macOS.
pub fn session_of(owner: UserId, n: u128) -> Session {
    Session::start(
        NewSession {
            id: session_id(n),
            user_id: owner,
            device_info: Some(DeviceInfo::new("Chrome on macOS".into())),
            user_agent: UserAgent::from_header("Chrome-on-macOS"),
            ip_address: "203.0.113.7".parse().unwrap(),
            location: Location::parse_display("New York, US"),
            refresh_token_id: RefreshTokenId::from_uuid(uuid(n + 500)),
            new_device: None,
        },
        &SessionPolicy::default(),
        t0(),
    )
    .0
}

/// Valid claims for session `n` of `owner`, issued at `t0`.
pub fn claims_for(owner: UserId, n: u128) -> AccessClaims {
    AccessClaims {
        user_id: owner,
        session_id: session_id(n),
        issued_at: t0(),
        expires_at: t0() + TimeDelta::minutes(15),
    }
}

/// A client in New York using Chrome on macOS.
pub fn client() -> ClientContext {
    ClientContext {
        ip: "203.0.113.7".parse().unwrap(),
        user_agent: UserAgent::from_header("Chrome-on-macOS"),
        country_hint: None,
    }
}

/// What the fake device parser makes of a user agent: "<Browser>-on-<OS>".
pub fn parse_fake_user_agent(user_agent: &UserAgent) -> ParsedDevice {
    let (browser, os) = user_agent
        .as_str()
        .split_once("-on-")
        .unwrap_or((user_agent.as_str(), "Unknown"));
    ParsedDevice {
        info: DeviceInfo::new(format!("{browser} on {os}")),
        kind: DeviceKind::Desktop,
        fingerprint: DeviceFingerprint {
            browser_family: Some(browser.into()),
            os_family: Some(os.into()),
        },
    }
}

/// Every port as a mock with no expectations (an unexpected call fails the test), plus the
/// time the clock will report.
pub struct MockPorts {
    pub users: MockUserRepository,
    pub sessions: MockSessionRepository,
    pub refresh_tokens: MockRefreshTokenStore,
    pub events: MockEventStore,
    pub attempts: MockAttemptCounters,
    pub device_tokens: MockDeviceTokenStore,
    pub keys: MockKeyStore,
    pub key_ring: MockKeyRing,
    pub passwords: MockPasswordHasher,
    pub access_tokens: MockAccessTokenCodec,
    pub token_secrets: MockTokenSecrets,
    pub ids: MockIdGenerator,
    pub devices: MockDeviceParser,
    pub geolocator: MockGeolocator,
    pub health: MockStoreHealth,
    pub webhooks: MockWebhookStore,
    pub webhook_sender: MockWebhookSender,
    pub webhook_secrets: MockWebhookSecrets,
    pub now: DateTime<Utc>,
    pub policy: SessionPolicy,
}

impl MockPorts {
    pub fn new() -> Self {
        Self {
            users: MockUserRepository::new(),
            sessions: MockSessionRepository::new(),
            refresh_tokens: MockRefreshTokenStore::new(),
            events: MockEventStore::new(),
            attempts: MockAttemptCounters::new(),
            device_tokens: MockDeviceTokenStore::new(),
            keys: MockKeyStore::new(),
            key_ring: MockKeyRing::new(),
            passwords: MockPasswordHasher::new(),
            access_tokens: MockAccessTokenCodec::new(),
            token_secrets: MockTokenSecrets::new(),
            ids: MockIdGenerator::new(),
            devices: MockDeviceParser::new(),
            geolocator: MockGeolocator::new(),
            health: MockStoreHealth::new(),
            webhooks: MockWebhookStore::new(),
            webhook_sender: MockWebhookSender::new(),
            webhook_secrets: MockWebhookSecrets::new(),
            now: t0(),
            policy: SessionPolicy::default(),
        }
    }

    /// The access token "access" verifies as the claims of Alice's session `n`.
    pub fn accept_access_token(&mut self, n: u128) {
        self.access_tokens
            .expect_verify()
            .withf(|token| token == "access")
            .returning(move |_| Ok(claims_for(alice_id(), n)));
    }

    /// Device parsing and geolocation as a real request would see them: the fake parser,
    /// and `country` (if any) for every address.
    pub fn with_client_enrichment(&mut self, country: Option<&'static str>) {
        self.devices.expect_parse().returning(parse_fake_user_agent);
        self.geolocator.expect_locate().returning(move |_| {
            country.map(|code| Location::new(CountryCode::parse(code).unwrap(), None))
        });
    }

    /// Account events (failed sign-ins) recorded into a list, returned to look at.
    pub fn with_recorded_account_events(&mut self) -> Arc<Mutex<Vec<AccountEvent>>> {
        let recorded: Arc<Mutex<Vec<AccountEvent>>> = Arc::default();
        let list = Arc::clone(&recorded);
        self.events.expect_append_account().returning(move |event| {
            list.lock().unwrap().push(event.clone());
            Ok(())
        });
        recorded
    }

    /// Attempt counts kept in a map, as a store keeps them; the map is returned to look at.
    pub fn with_attempt_counts(&mut self) -> Arc<Mutex<HashMap<BudgetKey, AttemptCount>>> {
        let counts: Arc<Mutex<HashMap<BudgetKey, AttemptCount>>> = Arc::default();
        let stored = Arc::clone(&counts);
        self.attempts.expect_counts().returning(move |keys| {
            let counts = stored.lock().unwrap();
            Ok(keys.iter().map(|key| counts.get(key).copied()).collect())
        });
        let stored = Arc::clone(&counts);
        self.attempts
            .expect_count()
            .returning(move |attempts, now| {
                let mut counts = stored.lock().unwrap();
                Ok(attempts
                    .iter()
                    .map(|(key, window)| {
                        let count = counts
                            .entry(key.clone())
                            .and_modify(|count| {
                                if count.window_ends_at <= now {
                                    *count = AttemptCount {
                                        count: 0,
                                        window_ends_at: now + *window,
                                    };
                                }
                            })
                            .or_insert(AttemptCount {
                                count: 0,
                                window_ends_at: now + *window,
                            });
                        count.count += 1;
                        *count
                    })
                    .collect())
            });
        let stored = Arc::clone(&counts);
        self.attempts.expect_take_back().returning(move |attempts| {
            let mut counts = stored.lock().unwrap();
            for (key, window_ends_at) in attempts {
                if let Some(count) = counts.get_mut(key)
                    && count.window_ends_at == *window_ends_at
                {
                    count.count = count.count.saturating_sub(1);
                }
            }
            Ok(())
        });
        counts
    }

    /// The application over these mocks.
    pub fn app(self) -> Application {
        let mut clock = MockClock::new();
        clock.expect_now().return_const(self.now);
        Application::new(
            Ports {
                storage: StoragePorts {
                    users: Arc::new(self.users),
                    sessions: Arc::new(self.sessions),
                    refresh_tokens: Arc::new(self.refresh_tokens),
                    events: Arc::new(self.events),
                    attempts: Arc::new(self.attempts),
                    device_tokens: Arc::new(self.device_tokens),
                    keys: Arc::new(self.keys),
                    webhooks: Arc::new(self.webhooks),
                    health: Arc::new(self.health),
                },
                passwords: Arc::new(self.passwords),
                access_tokens: Arc::new(self.access_tokens),
                token_secrets: Arc::new(self.token_secrets),
                key_ring: Arc::new(self.key_ring),
                clock: Arc::new(clock),
                ids: Arc::new(self.ids),
                devices: Arc::new(self.devices),
                geolocator: Arc::new(self.geolocator),
                webhook_sender: Arc::new(self.webhook_sender),
                webhook_secrets: Arc::new(self.webhook_secrets),
            },
            self.policy,
        )
    }
}

/// Alice acting through her session 1, from no request (events then record no origin).
pub fn caller() -> Caller {
    Caller {
        actor: Actor::session(session_id(1)),
        client: None,
    }
}

/// An administrator, from no request.
pub fn admin_caller() -> Caller {
    Caller {
        actor: Actor::Admin,
        client: None,
    }
}
