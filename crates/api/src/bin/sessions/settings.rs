//! Resolved configuration: the options with their defaults applied and checked.

use std::{net::SocketAddr, path::PathBuf};

use axum::http::HeaderName;
use chrono::TimeDelta;
use ipnetwork::IpNetwork;
use sessions_domain::{SessionLimit, SessionPolicy, ThrottlePolicy};

use crate::cli::{LogFormat, Options};

/// Postgres connections one instance opens at most, unless configured.
const DEFAULT_POOL_SIZE: u32 = 16;

/// Where sessions are stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// `postgres://…`, with at most `pool_size` connections.
    Postgres { url: String, pool_size: u32 },
    /// A SQLite file.
    Sqlite(String),
}

impl Database {
    /// The kind of store, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Postgres { .. } => "postgres",
            Self::Sqlite(_) => "sqlite",
        }
    }
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
    pub policy: SessionPolicy,
    pub cleanup_interval: Option<TimeDelta>,
    pub trusted_proxies: Vec<IpNetwork>,
    pub country_header: Option<HeaderName>,
    pub geoip_db: Option<PathBuf>,
    pub log_format: LogFormat,
}

/// A setting that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum InvalidSettings {
    /// A database URL of another kind.
    #[error("DATABASE_URL must start with postgres:// or sqlite:, not {0:?}")]
    DatabaseUrl(String),
    /// A header name that is not one.
    #[error("invalid country header name {0:?}")]
    CountryHeader(String),
    /// A lifetime of zero.
    #[error("{0} must be longer than 0")]
    Zero(&'static str),
    /// A pool that could never lend a connection.
    #[error("database-pool-size must be at least 1")]
    EmptyPool,
}

fn positive(
    span: Option<crate::span::Span>,
    default: TimeDelta,
    name: &'static str,
) -> Result<TimeDelta, InvalidSettings> {
    let value = span.map_or(default, |span| span.0);
    if value > TimeDelta::zero() {
        Ok(value)
    } else {
        Err(InvalidSettings::Zero(name))
    }
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
        lockout_window: positive(
            options.lockout_window,
            defaults.lockout_window,
            "lockout-window",
        )?,
        network_failure_limit: options
            .network_failure_limit
            .unwrap_or(defaults.network_failure_limit),
        registrations_per_network: options
            .register_rate_limit
            .unwrap_or(defaults.registrations_per_network),
        ..defaults
    })
}

impl Settings {
    /// Applies defaults to `options` and checks them.
    ///
    /// # Errors
    /// [`InvalidSettings`] for values that cannot work.
    pub fn resolve(options: Options) -> Result<Self, InvalidSettings> {
        let throttle = throttle_policy(&options)?;
        let data_dir = options.data_dir.unwrap_or_else(|| PathBuf::from("./data"));
        let database = match options.database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Database::Postgres {
                    url,
                    pool_size: match options.database_pool_size {
                        Some(0) => return Err(InvalidSettings::EmptyPool),
                        size => size.unwrap_or(DEFAULT_POOL_SIZE),
                    },
                }
            }
            Some(url) if url.starts_with("sqlite:") => Database::Sqlite(url),
            Some(url) => return Err(InvalidSettings::DatabaseUrl(url)),
            None => Database::Sqlite(format!(
                "sqlite://{}",
                data_dir.join("sessions.db").display()
            )),
        };
        let defaults = SessionPolicy::default();
        let policy = SessionPolicy {
            session_lifetime: positive(
                options.session_lifetime,
                defaults.session_lifetime,
                "session-lifetime",
            )?,
            idle_timeout: options
                .idle_timeout
                .map(|span| span.0)
                .filter(|idle| *idle > TimeDelta::zero()),
            access_token_ttl: positive(
                options.access_token_ttl,
                defaults.access_token_ttl,
                "access-token-ttl",
            )?,
            default_max_sessions: options
                .default_max_sessions
                .map_or(defaults.default_max_sessions, SessionLimit::from_count),
            suspicious_threshold: options
                .suspicious_threshold
                .unwrap_or(defaults.suspicious_threshold),
            refresh_grace: options
                .refresh_grace
                .map_or(defaults.refresh_grace, |span| span.0),
            activity_write_interval: options
                .activity_write_interval
                .map_or(defaults.activity_write_interval, |span| span.0),
            retention: options.retention.map_or(defaults.retention, |span| span.0),
            cleanup_batch_size: defaults.cleanup_batch_size,
            throttle,
        };
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
            admin_token: options.admin_token,
            service_token: options.service_token,
            jwt_secret: options.jwt_secret,
            policy,
            cleanup_interval: options
                .cleanup_interval
                .map_or(Some(TimeDelta::hours(1)), |span| Some(span.0))
                .filter(|interval| *interval > TimeDelta::zero()),
            trusted_proxies: options
                .trusted_proxies
                .unwrap_or_default()
                .into_iter()
                .map(|network| network.0)
                .collect(),
            country_header,
            geoip_db: options.geoip_db,
            log_format: options.log_format.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_those_of_the_specification() {
        let settings = Settings::resolve(Options::default()).unwrap();
        assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(
            settings.database,
            Database::Sqlite("sqlite://./data/sessions.db".into())
        );
        assert_eq!(settings.policy, SessionPolicy::default());
        assert_eq!(settings.cleanup_interval, Some(TimeDelta::hours(1)));
        assert_eq!(settings.log_format, LogFormat::Text);
    }

    #[test]
    fn a_postgres_url_selects_postgres_and_anything_else_is_rejected() {
        let postgres = Options {
            database_url: Some("postgres://u:p@localhost/db".into()),
            ..Options::default()
        };
        assert_eq!(
            Settings::resolve(postgres).unwrap().database.kind(),
            "postgres"
        );
        let mysql = Options {
            database_url: Some("mysql://localhost".into()),
            ..Options::default()
        };
        assert!(Settings::resolve(mysql).is_err());
    }

    #[test]
    fn the_postgres_pool_holds_16_connections_unless_configured_and_never_0() {
        let pool_of = |size: Option<u32>| {
            Settings::resolve(Options {
                database_url: Some("postgres://u:p@localhost/db".into()),
                database_pool_size: size,
                ..Options::default()
            })
            .map(|settings| settings.database)
        };
        let url = String::from("postgres://u:p@localhost/db");
        assert_eq!(
            pool_of(None).unwrap(),
            Database::Postgres {
                url: url.clone(),
                pool_size: 16
            }
        );
        assert_eq!(
            pool_of(Some(4)).unwrap(),
            Database::Postgres { url, pool_size: 4 }
        );
        assert!(matches!(pool_of(Some(0)), Err(InvalidSettings::EmptyPool)));
    }

    #[test]
    fn zero_turns_idle_timeout_and_cleanup_off() {
        let options = Options {
            idle_timeout: "0".parse().ok(),
            cleanup_interval: "0".parse().ok(),
            ..Options::default()
        };
        let settings = Settings::resolve(options).unwrap();
        assert_eq!(settings.policy.idle_timeout, None);
        assert_eq!(settings.cleanup_interval, None);
    }
}
