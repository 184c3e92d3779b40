//! The audit trail's vocabulary beyond one session: who caused an event and from where, the
//! account events that belong to no session, and an event as it is read back.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::{
    DeviceInfo, Email, IncidentId, Location, SessionEventKind, SessionId, UserAgent, UserId,
};

/// Who caused an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A user, through the session named when there is one (a failed sign-in has none).
    User {
        /// The session the user acted through.
        session_id: Option<SessionId>,
    },
    /// An administrator, with the admin token.
    Admin,
    /// A resource server, with the service token.
    Service,
    /// The service itself (cleanup, key rotation, migrations).
    System,
    /// Not known: the event was recorded before the trail named actors.
    Unrecorded,
}

impl Actor {
    /// A user acting through `session_id`.
    pub const fn session(session_id: SessionId) -> Self {
        Self::User {
            session_id: Some(session_id),
        }
    }

    /// Stable name: `user`, `admin`, `service` or `system`.
    pub const fn kind_name(self) -> &'static str {
        match self {
            Self::User { .. } => "user",
            Self::Admin => "admin",
            Self::Service => "service",
            Self::System => "system",
            Self::Unrecorded => "unrecorded",
        }
    }

    /// The acting session, for a user acting through one.
    pub const fn session_id(self) -> Option<SessionId> {
        match self {
            Self::User { session_id } => session_id,
            Self::Admin | Self::Service | Self::System | Self::Unrecorded => None,
        }
    }

    /// Reads back a stored actor from its name and acting session.
    pub fn from_parts(kind: &str, session_id: Option<SessionId>) -> Option<Self> {
        match kind {
            "user" => Some(Self::User { session_id }),
            "admin" => Some(Self::Admin),
            "service" => Some(Self::Service),
            "system" => Some(Self::System),
            "unrecorded" => Some(Self::Unrecorded),
            _ => None,
        }
    }
}

/// Where the request that caused an event came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The client's address.
    pub ip: IpAddr,
    /// Its user agent, if it sent one.
    pub user_agent: Option<UserAgent>,
    /// The device its user agent describes.
    pub device: Option<DeviceInfo>,
    /// Where the address is, when known.
    pub location: Option<Location>,
}

/// Who caused an event, and from where when a request caused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    /// Who.
    pub actor: Actor,
    /// The request's client; `None` for what no request caused.
    pub origin: Option<Origin>,
    /// The incident response an administrator's revocation belonged to.
    pub incident: Option<IncidentId>,
}

impl Cause {
    /// What the service did of its own accord.
    pub const SYSTEM: Self = Self {
        actor: Actor::System,
        origin: None,
        incident: None,
    };
}

/// Something that happened to an account rather than to one session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountEvent {
    /// The account, when it exists.
    pub user_id: Option<UserId>,
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: AccountEventKind,
    /// Who, from where.
    pub cause: Cause,
}

impl AccountEvent {
    /// `kind` happening to the account `user_id` at `at`, caused by `cause`.
    pub fn of_user(
        user_id: UserId,
        kind: AccountEventKind,
        at: DateTime<Utc>,
        cause: &Cause,
    ) -> Self {
        Self {
            user_id: Some(user_id),
            at,
            kind,
            cause: cause.clone(),
        }
    }
}

/// The kinds of account events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountEventKind {
    /// A sign-in with a wrong password, or for an account that does not exist (then the
    /// address tried is kept, so that an investigator sees what was attacked; never the
    /// password).
    LoginFailed {
        /// The address tried, when it names no account.
        unknown_account: Option<Email>,
    },
    /// Sign-in failures spent a budget: later attempts without a device token of the account
    /// are refused until the window ends.
    LoginLockedOut {
        /// Which budget: `account`, `device_token` or `network_failures` (then the event
        /// names no account).
        scope: &'static str,
    },
    /// The password was changed.
    PasswordChanged,
    /// The account was deleted; the only trace of it left.
    UserDeleted,
}

impl AccountEventKind {
    /// The stable event type name.
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::LoginFailed { .. } => "login_failed",
            Self::LoginLockedOut { .. } => "login_locked_out",
            Self::PasswordChanged => "password_changed",
            Self::UserDeleted => "user_deleted",
        }
    }
}

/// What an event of the trail records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditEventKind {
    /// Something that happened to a session.
    Session(SessionEventKind),
    /// Something that happened to an account.
    Account(AccountEventKind),
}

impl AuditEventKind {
    /// The stable event type name.
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::Session(kind) => kind.type_name(),
            Self::Account(kind) => kind.type_name(),
        }
    }

    /// Every event type name, in the order the API documents them.
    pub const TYPE_NAMES: [&str; 13] = [
        "session_created",
        "session_revoked",
        "ip_changed",
        "suspicious_activity",
        "provider_accessed",
        "session_trusted",
        "session_untrusted",
        "refresh_token_reuse",
        "refresh_replayed",
        "login_failed",
        "login_locked_out",
        "password_changed",
        "user_deleted",
    ];
}

/// An event as the trail holds it: its position, subject, time, cause and kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedEvent {
    /// Position in the trail: later appends have larger ones.
    pub sequence: i64,
    /// The session, for session events.
    pub session_id: Option<SessionId>,
    /// The account, when the event names one.
    pub user_id: Option<UserId>,
    /// When.
    pub at: DateTime<Utc>,
    /// Who, from where.
    pub cause: Cause,
    /// What.
    pub kind: AuditEventKind,
}
