//! Domain values for storage tests.

use chrono::{DateTime, TimeDelta, Utc};
use rand::RngCore;
use sessions_application::ports::{EventFilter, EventOrder, EventSearch, SessionStart};
use sessions_domain::{
    Actor, Cause, DeviceInfo, DeviceToken, DeviceTokenId, Email, Location, NewSession, Origin,
    PasswordHash, RecordedEvent, RefreshToken, RefreshTokenId, Session, SessionId, SessionPolicy,
    TokenHash, User, UserAgent, UserId,
};
use uuid::Uuid;

use super::store::StoreUnderTest;

/// Now, at the microsecond precision databases keep.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).expect("valid now")
}

/// `seconds` after `base`.
pub fn later(base: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    base + TimeDelta::seconds(seconds)
}

pub fn random_hash() -> TokenHash {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    TokenHash::from_bytes(bytes)
}

/// A user that is not stored yet.
pub fn new_user(email: &str) -> User {
    let at = now();
    User {
        id: UserId::from_uuid(Uuid::now_v7()),
        email: Email::parse(email).expect("valid email"),
        password_hash: PasswordHash::new("$argon2id$v=19$fake".into()),
        max_sessions: None,
        created_at: at,
        updated_at: at,
    }
}

/// A stored user with a random address.
pub async fn stored_user(store: &StoreUnderTest) -> User {
    let user = new_user(&format!("user-{}@example.com", Uuid::new_v4().simple()));
    store.users.insert(&user).await.expect("insert user");
    user
}

/// Everything a login of `user_id` from `ip` at `at` would write.
#[allow(clippy::large_types_passed_by_value)] // a policy is a value tests build inline
pub fn session_start(
    user_id: UserId,
    ip: &str,
    at: DateTime<Utc>,
    policy: SessionPolicy,
) -> SessionStart {
    let session_id = SessionId::from_uuid(Uuid::now_v7());
    let refresh_token = RefreshToken::issue(
        RefreshTokenId::from_uuid(Uuid::now_v7()),
        session_id,
        random_hash(),
        at,
    );
    let (session, mut created) = Session::start(
        NewSession {
            id: session_id,
            user_id,
            device_info: Some(DeviceInfo::new("Chrome on macOS".into())),
            user_agent: UserAgent::from_header("Mozilla/5.0 (Macintosh) Chrome/120.0"),
            ip_address: ip.parse().expect("valid ip"),
            location: Location::parse_display("New York, US"),
            refresh_token_id: refresh_token.id,
            new_device: None,
        },
        &policy,
        at,
    );
    created.cause = Cause {
        actor: Actor::session(session_id),
        origin: Some(Origin {
            ip: ip.parse().expect("valid ip"),
            user_agent: UserAgent::from_header("Mozilla/5.0 (Macintosh) Chrome/120.0"),
            device: Some(DeviceInfo::new("Chrome on macOS".into())),
            location: Location::parse_display("New York, US"),
        }),
        incident: None,
    };
    let device_token = DeviceToken::issue(
        DeviceTokenId::from_uuid(Uuid::now_v7()),
        user_id,
        random_hash(),
        at,
        policy.throttle.device_token_lifetime,
    );
    SessionStart {
        session,
        created,
        refresh_token,
        device_token,
        policy,
        now: at,
    }
}

/// Starts (stores) a session of `user_id` at `at`; returns it with its first token.
pub async fn started_session(
    store: &StoreUnderTest,
    user_id: UserId,
    at: DateTime<Utc>,
) -> (Session, RefreshToken) {
    let start = session_start(user_id, "203.0.113.7", at, SessionPolicy::default());
    store.sessions.start(&start).await.expect("start session");
    (start.session, start.refresh_token)
}

/// Reads a session back, which must exist.
pub async fn reload(store: &StoreUnderTest, id: SessionId) -> Session {
    store
        .sessions
        .find(id)
        .await
        .expect("find session")
        .expect("session exists")
}

/// The stored refresh token with this hash, if any (its session is read along and dropped).
pub async fn find_token(store: &StoreUnderTest, hash: &TokenHash) -> Option<RefreshToken> {
    store
        .refresh_tokens
        .find_with_session(hash)
        .await
        .expect("find refresh token")
        .map(|(token, _)| token)
}

/// The types of a session's stored events, oldest first.
pub async fn event_types(store: &StoreUnderTest, id: SessionId) -> Vec<&'static str> {
    events_of(store, id)
        .await
        .iter()
        .map(|event| event.kind.type_name())
        .collect()
}

/// Every event of session `id`, oldest first.
pub async fn events_of(store: &StoreUnderTest, id: SessionId) -> Vec<RecordedEvent> {
    search(
        store,
        EventFilter {
            session_id: Some(id),
            ..EventFilter::default()
        },
        EventOrder::OldestFirst,
    )
    .await
}

/// Every event matching `filter` (at most 1,000), in `order`.
pub async fn search(
    store: &StoreUnderTest,
    filter: EventFilter,
    order: EventOrder,
) -> Vec<RecordedEvent> {
    store
        .events
        .search(&EventSearch {
            filter,
            order,
            after: None,
            limit: 1_000,
        })
        .await
        .expect("search events")
}

/// An administrator acting from a request of `ip`.
pub fn admin_from(ip: &str) -> Cause {
    Cause {
        actor: Actor::Admin,
        origin: Some(Origin {
            ip: ip.parse().expect("valid ip"),
            user_agent: UserAgent::from_header("curl/8.5.0"),
            device: None,
            location: None,
        }),
        incident: None,
    }
}
