//! Resolved configuration: the options with their defaults applied and checked. Anything
//! that cannot work stops the start here, naming the setting; no message echoes a secret.

mod durations;
mod redact;
#[cfg(test)]
mod tests;

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use axum::http::HeaderName;
use chrono::TimeDelta;
use ipnetwork::IpNetwork;
use sessions_api::{InvalidPublicOrigin, PublicOrigin};
use sessions_domain::{
    KeySchedule, RetrySchedule, SessionLimit, SessionLimitTooLarge, SessionPolicy, ThrottlePolicy,
};
use sessions_infrastructure::{Batching, InvalidMasterKey, MasterKey};

pub use redact::redacted_url;

use crate::{
    cli::{LogFormat, Options, Switch},
    setting_duration::SettingDuration,
};

/// Postgres connections one instance opens at most, unless configured.
const DEFAULT_POOL_SIZE: u32 = 16;

/// Fewest characters a configured credential or signing secret may have.
pub const MIN_SECRET_CHARS: usize = 32;

/// Where sessions are stored, and whether the store coalesces concurrent requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Database {
    pub kind: DatabaseKind,
    pub batching: Batching,
}

/// The store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseKind {
    /// `postgres://…`, with at most `pool_size` connections.
    Postgres { url: String, pool_size: u32 },
    /// A SQLite file.
    Sqlite(String),
}

impl Database {
    /// The kind of store, for logs.
    pub fn name(&self) -> &'static str {
        match self.kind {
            DatabaseKind::Postgres { .. } => "postgres",
            DatabaseKind::Sqlite(_) => "sqlite",
        }
    }
}

/// The HTTP server's limits, as configured (the connection cap is settled at start, against
/// the descriptor limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpLimits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub request_timeout: Duration,
    pub shutdown_timeout: Duration,
    pub max_connections: Option<u32>,
}

/// How `/metrics` is exposed.
#[derive(Debug)]
pub struct MetricsSettings {
    /// How often the active-sessions gauge is counted.
    pub refresh: Duration,
    /// The bearer credential scrapes must present, if any.
    pub token: Option<String>,
    /// A listener of its own for `/metrics`, if any.
    pub bind: Option<SocketAddr>,
}

/// How the signing keys are published and kept current.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySettings {
    /// How long verifiers may cache the published keys (`Cache-Control: max-age`).
    pub jwks_max_age: Duration,
    /// How often an instance creates a due generation and reloads the published ones.
    pub reload: Duration,
}

/// Everything the binary runs with.
#[derive(Debug)]
pub struct Settings {
    pub bind: SocketAddr,
    pub database: Database,
    pub data_dir: PathBuf,
    pub admin_token: Option<String>,
    pub service_token: Option<String>,
    pub jwt_secret: Option<String>,
    pub master_key: Option<String>,
    pub token_audience: Option<String>,
    pub keys: KeySettings,
    pub policy: SessionPolicy,
    pub cleanup_interval: Option<TimeDelta>,
    pub trusted_proxies: Vec<IpNetwork>,
    pub country_header: Option<HeaderName>,
    pub geoip_db: Option<PathBuf>,
    pub http: HttpLimits,
    pub metrics: MetricsSettings,
    pub webhooks: WebhookSettings,
    pub pages: PageOptions,
    pub log_format: LogFormat,
}

/// How the browser pages are served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageOptions {
    /// Where browsers reach them; `None` in development.
    pub public_origin: Option<PublicOrigin>,
    /// Whether the sign-in page offers sign-up.
    pub sign_up: bool,
}

/// Where webhooks may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Targets over plain HTTP are allowed.
    pub allow_http: bool,
    /// Targets at internal addresses are allowed.
    pub allow_private: bool,
}

/// A setting that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum InvalidSettings {
    /// A database URL of another kind (shown with its password masked).
    #[error("DATABASE_URL must start with postgres:// or sqlite:, not {0:?}")]
    DatabaseUrl(String),
    /// A public URL the pages cannot be served at.
    #[error("public-url: {0}")]
    PublicUrl(#[from] InvalidPublicOrigin),
    /// A header name that is not one.
    #[error("invalid country header name {0:?}")]
    CountryHeader(String),
    /// A duration of zero where zero means nothing.
    #[error("{0} must be longer than 0")]
    Zero(&'static str),
    /// A duration past its documented maximum.
    #[error("{name} must be at most {max}")]
    TooLong {
        name: &'static str,
        max: SettingDuration,
    },
    /// A pool that could never lend a connection.
    #[error("database-pool-size must be at least 1")]
    EmptyPool,
    /// A configured secret too short to resist guessing.
    #[error("{0} must have at least {MIN_SECRET_CHARS} characters")]
    ShortSecret(&'static str),
    /// A connection cap of zero.
    #[error("max-connections must be at least 1")]
    NoConnections,
    /// A default session limit past the largest one.
    #[error("default-max-sessions: {0}")]
    SessionLimit(#[from] SessionLimitTooLarge),
    /// A master key that is not 256 bits.
    #[error("master-key: {0}")]
    MasterKey(#[from] InvalidMasterKey),
    /// A key rotation no longer than the time a new key is published before it signs.
    #[error(
        "key-rotation must be longer than {lead}: the time a new key is published before it signs (jwks-max-age and two reloads of the instances)"
    )]
    RotationTooShort { lead: SettingDuration },
}

/// A configured secret, refused when shorter than [`MIN_SECRET_CHARS`].
fn secret(value: Option<String>, name: &'static str) -> Result<Option<String>, InvalidSettings> {
    match value {
        Some(value) if value.chars().count() < MIN_SECRET_CHARS => {
            Err(InvalidSettings::ShortSecret(name))
        }
        value => Ok(value),
    }
}

fn std_duration(value: TimeDelta) -> Duration {
    value.to_std().unwrap_or_default()
}

/// The throttle's budgets: `--lockout-threshold`, or its deprecated alias
/// `--login-rate-limit`, and the rest.
fn throttle_policy(options: &Options) -> Result<ThrottlePolicy, InvalidSettings> {
    let defaults = ThrottlePolicy::default();
    Ok(ThrottlePolicy {
        lockout_threshold: options
            .lockout_threshold
            .or(options.login_rate_limit)
            .unwrap_or(defaults.lockout_threshold),
        lockout_window: durations::LOCKOUT_WINDOW.required(options.lockout_window)?,
        network_failure_limit: options
            .network_failure_limit
            .unwrap_or(defaults.network_failure_limit),
        registrations_per_network: options
            .register_rate_limit
            .unwrap_or(defaults.registrations_per_network),
        ..defaults
    })
}

/// The session rules.
fn session_policy(options: &Options) -> Result<SessionPolicy, InvalidSettings> {
    let defaults = SessionPolicy::default();
    Ok(SessionPolicy {
        session_lifetime: durations::SESSION_LIFETIME.required(options.session_lifetime)?,
        idle_timeout: durations::IDLE_TIMEOUT.resolve(options.idle_timeout)?,
        access_token_ttl: durations::ACCESS_TOKEN_TTL.required(options.access_token_ttl)?,
        default_max_sessions: options
            .default_max_sessions
            .map_or(Ok(defaults.default_max_sessions), SessionLimit::new)?,
        suspicious_threshold: options
            .suspicious_threshold
            .unwrap_or(defaults.suspicious_threshold),
        refresh_grace: durations::REFRESH_GRACE.required(options.refresh_grace)?,
        activity_write_interval: durations::ACTIVITY_WRITE_INTERVAL
            .required(options.activity_write_interval)?,
        retention: durations::RETENTION.required(options.retention)?,
        audit_retention: durations::AUDIT_RETENTION.required(options.audit_retention)?,
        cleanup_batch_size: defaults.cleanup_batch_size,
        throttle: throttle_policy(options)?,
        keys: defaults.keys,
        webhook_retries: RetrySchedule {
            first: durations::WEBHOOK_RETRY_FIRST.required(options.webhook_retry_first)?,
            give_up_after: durations::WEBHOOK_RETRY_FOR.required(options.webhook_retry_for)?,
            ..defaults.webhook_retries
        },
    })
}

/// The key rotation, and how keys are published: a new generation is published at least
/// one cache lifetime of the JWKS, plus two reloads of the instances, before it signs; a
/// retired one verifies for as long as a token or refresh rotation it made stays valid,
/// plus a minute for clocks that differ.
fn key_settings(
    options: &Options,
    access_token_ttl: TimeDelta,
    refresh_grace: TimeDelta,
) -> Result<(KeySchedule, KeySettings), InvalidSettings> {
    let rotation = durations::KEY_ROTATION.required(options.key_rotation)?;
    let jwks_max_age = durations::JWKS_MAX_AGE.required(options.jwks_max_age)?;
    let reload = (jwks_max_age / 2).clamp(TimeDelta::seconds(1), TimeDelta::minutes(1));
    let publication_lead = jwks_max_age + reload * 2;
    if rotation <= publication_lead {
        return Err(InvalidSettings::RotationTooShort {
            lead: SettingDuration(publication_lead),
        });
    }
    Ok((
        KeySchedule {
            rotation,
            publication_lead,
            afterlife: access_token_ttl.max(refresh_grace) + TimeDelta::minutes(1),
        },
        KeySettings {
            jwks_max_age: std_duration(jwks_max_age),
            reload: std_duration(reload),
        },
    ))
}

/// The HTTP server's limits.
fn http_limits(options: &Options) -> Result<HttpLimits, InvalidSettings> {
    Ok(HttpLimits {
        header_timeout: std_duration(
            durations::HTTP_HEADER_TIMEOUT.required(options.http_header_timeout)?,
        ),
        idle_timeout: std_duration(
            durations::HTTP_IDLE_TIMEOUT.required(options.http_idle_timeout)?,
        ),
        request_timeout: std_duration(
            durations::HTTP_REQUEST_TIMEOUT.required(options.http_request_timeout)?,
        ),
        shutdown_timeout: std_duration(
            durations::SHUTDOWN_TIMEOUT.required(options.shutdown_timeout)?,
        ),
        max_connections: match options.max_connections {
            Some(0) => return Err(InvalidSettings::NoConnections),
            cap => cap,
        },
    })
}

/// Where the sessions are stored.
fn database(options: &Options, data_dir: &std::path::Path) -> Result<Database, InvalidSettings> {
    let kind = match options.database_url.clone() {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            DatabaseKind::Postgres {
                url,
                pool_size: match options.database_pool_size {
                    Some(0) => return Err(InvalidSettings::EmptyPool),
                    size => size.unwrap_or(DEFAULT_POOL_SIZE),
                },
            }
        }
        Some(url) if url.starts_with("sqlite:") => DatabaseKind::Sqlite(url),
        Some(url) => return Err(InvalidSettings::DatabaseUrl(redacted_url(&url))),
        None => DatabaseKind::Sqlite(format!(
            "sqlite://{}",
            data_dir.join("sessions.db").display()
        )),
    };
    let batching = match options.database_batching {
        Some(Switch::Off) => Batching::Off,
        Some(Switch::On) | None => Batching::On,
    };
    Ok(Database { kind, batching })
}

impl Settings {
    /// Applies defaults to `options` and checks them.
    ///
    /// # Errors
    /// [`InvalidSettings`] for values that cannot work.
    pub fn resolve(options: Options) -> Result<Self, InvalidSettings> {
        let mut policy = session_policy(&options)?;
        let (key_schedule, keys) =
            key_settings(&options, policy.access_token_ttl, policy.refresh_grace)?;
        policy.keys = key_schedule;
        if let Some(master_key) = &options.master_key {
            MasterKey::parse(master_key)?;
        }
        let http = http_limits(&options)?;
        let cleanup_interval = durations::CLEANUP_INTERVAL.resolve(options.cleanup_interval)?;
        let data_dir = options
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("./data"));
        let database = database(&options, &data_dir)?;
        let country_header = options
            .country_header
            .map(|name| {
                HeaderName::try_from(name.to_ascii_lowercase())
                    .map_err(|_| InvalidSettings::CountryHeader(name))
            })
            .transpose()?;
        Ok(Self {
            bind: options
                .bind
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            database,
            data_dir,
            admin_token: secret(options.admin_token, "admin-token")?,
            service_token: secret(options.service_token, "service-token")?,
            jwt_secret: secret(options.jwt_secret, "jwt-secret")?,
            master_key: options.master_key,
            token_audience: options.token_audience,
            keys,
            policy,
            cleanup_interval,
            trusted_proxies: options
                .trusted_proxies
                .unwrap_or_default()
                .into_iter()
                .map(|network| network.0)
                .collect(),
            country_header,
            geoip_db: options.geoip_db,
            http,
            metrics: MetricsSettings {
                refresh: std_duration(
                    durations::METRICS_REFRESH.required(options.metrics_refresh)?,
                ),
                token: secret(options.metrics_token, "metrics-token")?,
                bind: options.metrics_bind,
            },
            webhooks: WebhookSettings {
                allow_http: options.webhook_allow_http == Some(Switch::On),
                allow_private: options.webhook_allow_private == Some(Switch::On),
            },
            pages: PageOptions {
                public_origin: options
                    .public_url
                    .as_deref()
                    .map(PublicOrigin::parse)
                    .transpose()?,
                sign_up: options.sign_up != Some(Switch::Off),
            },
            log_format: options.log_format.unwrap_or_default(),
        })
    }
}
