//! The application over a real store, with the real clock, ids and refresh secrets, and
//! simple stand-ins for the ports that do not matter to storage races (password hashing,
//! token signing, device parsing, geolocation).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::DateTime;
use sessions_application::{
    AccessClaims, Application, Ports,
    ports::{
        AccessTokenCodec, DeviceParser, Geolocator, HashPriority, HashingError, InvalidAccessToken,
        KeyRing, PasswordHasher, StoragePorts, TokenCodecError,
    },
};
use sessions_domain::{
    DeviceFingerprint, DeviceInfo, DeviceKind, KeyGeneration, KeyLifetime, Location, ParsedDevice,
    Password, PasswordHash, SessionId, SessionPolicy, UserAgent, UserId,
};
use sessions_infrastructure::{
    LegacyKeys, MasterKey, SigningKeyRing, SystemClock, TokenIssuer, UuidV7Generator,
    webhooks::{HttpWebhookSender, SealedWebhookSecrets, SystemLookup, TargetGuard},
};
use uuid::Uuid;

use super::store::StoreUnderTest;

/// Access tokens as readable text: `sub.sid.iat.exp` (no signature: tests only).
struct PlainTokens;

impl AccessTokenCodec for PlainTokens {
    fn issue(&self, claims: &AccessClaims) -> Result<String, TokenCodecError> {
        Ok(format!(
            "{}.{}.{}.{}",
            claims.user_id,
            claims.session_id,
            claims.issued_at.timestamp_micros(),
            claims.expires_at.timestamp_micros()
        ))
    }

    fn verify(&self, token: &str) -> Result<AccessClaims, InvalidAccessToken> {
        let parts: Vec<&str> = token.split('.').collect();
        let [sub, sid, iat, exp] = parts[..] else {
            return Err(InvalidAccessToken);
        };
        let micros = |text: &str| {
            text.parse()
                .ok()
                .and_then(DateTime::from_timestamp_micros)
                .ok_or(InvalidAccessToken)
        };
        Ok(AccessClaims {
            user_id: UserId::from_uuid(Uuid::parse_str(sub).map_err(|_| InvalidAccessToken)?),
            session_id: SessionId::from_uuid(Uuid::parse_str(sid).map_err(|_| InvalidAccessToken)?),
            issued_at: micros(iat)?,
            expires_at: micros(exp)?,
        })
    }
}

/// "Hashes" by prefixing, taking `delay` per hash: tests only.
struct PlainPasswords {
    delay: std::time::Duration,
}

#[async_trait]
impl PasswordHasher for PlainPasswords {
    fn admits(&self, _priority: HashPriority) -> Result<(), HashingError> {
        Ok(())
    }

    async fn hash(
        &self,
        password: &Password,
        _priority: HashPriority,
    ) -> Result<PasswordHash, HashingError> {
        Ok(PasswordHash::new(format!("plain:{}", password.expose())))
    }

    async fn verify(
        &self,
        candidate: &str,
        hash: &PasswordHash,
        _priority: HashPriority,
    ) -> Result<bool, HashingError> {
        tokio::time::sleep(self.delay).await;
        Ok(hash.as_str() == format!("plain:{candidate}"))
    }

    async fn verify_dummy(
        &self,
        _candidate: &str,
        _priority: HashPriority,
    ) -> Result<(), HashingError> {
        Ok(())
    }
}

/// The user agent itself is the device description.
struct EchoDevices;

impl DeviceParser for EchoDevices {
    fn parse(&self, user_agent: &UserAgent) -> ParsedDevice {
        ParsedDevice {
            info: DeviceInfo::new(user_agent.as_str().to_owned()),
            kind: DeviceKind::Other,
            fingerprint: DeviceFingerprint {
                browser_family: Some(user_agent.as_str().to_owned()),
                os_family: None,
            },
        }
    }
}

/// Knows no location.
struct NowhereGeolocator;

impl Geolocator for NowhereGeolocator {
    fn locate(&self, _ip: std::net::IpAddr) -> Option<Location> {
        None
    }
}

/// A key ring over the master key `master` (text), holding nothing yet.
pub fn key_ring(master: &str) -> Arc<SigningKeyRing> {
    Arc::new(SigningKeyRing::new(
        Arc::new(MasterKey::parse(master).unwrap()),
        TokenIssuer {
            issuer: "sessions".into(),
            audience: None,
        },
        LegacyKeys::none(),
    ))
}

/// The application over `store` with `policy`, as one instance of several that share the
/// master key `master`: the key ring is its own, the keys are the store's.
#[allow(clippy::large_types_passed_by_value)] // a policy is a value tests build inline
pub fn instance(store: &StoreUnderTest, policy: SessionPolicy, master: &str) -> Application {
    let keys = key_ring(master);
    Application::new(
        Ports {
            storage: StoragePorts::clone(store),
            passwords: Arc::new(PlainPasswords {
                delay: std::time::Duration::ZERO,
            }),
            access_tokens: keys.clone(),
            token_secrets: keys.clone(),
            key_ring: keys,
            clock: Arc::new(SystemClock),
            ids: Arc::new(UuidV7Generator),
            devices: Arc::new(EchoDevices),
            geolocator: Arc::new(NowhereGeolocator),
            webhook_sender: loopback_webhooks(),
            webhook_secrets: webhook_secrets(master),
        },
        policy,
    )
}

/// A webhook sender allowed to reach receivers on loopback over plain HTTP (as the tests'
/// receivers are); every other rule stands.
pub fn loopback_webhooks() -> Arc<HttpWebhookSender> {
    Arc::new(HttpWebhookSender::new(TargetGuard::new(true, true, Arc::new(SystemLookup))).unwrap())
}

/// Webhook secrets sealed with the master key `master` (text).
pub fn webhook_secrets(master: &str) -> Arc<SealedWebhookSecrets> {
    Arc::new(SealedWebhookSecrets::new(Arc::new(
        MasterKey::parse(master).unwrap(),
    )))
}

/// A key ring holding one generation, signing since ever, as the application's refresh
/// secrets (and, in assertions, to hash tokens as it does).
pub fn token_secrets() -> Arc<SigningKeyRing> {
    let (_, master) = MasterKey::generate().unwrap();
    let ring = key_ring(&master);
    let first = KeyLifetime {
        generation: KeyGeneration::FIRST,
        created_at: DateTime::UNIX_EPOCH,
        activates_at: DateTime::UNIX_EPOCH,
    };
    ring.hold(&[ring.create(first).unwrap()]).unwrap();
    ring
}

/// The application over `store` with `policy`.
#[allow(clippy::large_types_passed_by_value)] // a policy is a value tests build inline
pub fn application(store: &StoreUnderTest, policy: SessionPolicy) -> Application {
    application_hashing_in(store, policy, std::time::Duration::ZERO)
}

/// [`application`], with every password check taking `delay`.
#[allow(clippy::large_types_passed_by_value)] // a policy is a value tests build inline
pub fn application_hashing_in(
    store: &StoreUnderTest,
    policy: SessionPolicy,
    delay: std::time::Duration,
) -> Application {
    let keys = token_secrets();
    Application::new(
        Ports {
            storage: StoragePorts::clone(store),
            passwords: Arc::new(PlainPasswords { delay }),
            access_tokens: Arc::new(PlainTokens),
            token_secrets: keys.clone(),
            key_ring: keys,
            clock: Arc::new(SystemClock),
            ids: Arc::new(UuidV7Generator),
            devices: Arc::new(EchoDevices),
            geolocator: Arc::new(NowhereGeolocator),
            webhook_sender: loopback_webhooks(),
            webhook_secrets: webhook_secrets(&"5e".repeat(32)),
        },
        policy,
    )
}
