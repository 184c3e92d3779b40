//! Command line, environment and TOML file: one set of options, merged in that order of
//! precedence (flags, then environment, then the file, then the defaults).

use std::{net::SocketAddr, path::PathBuf, str::FromStr};

use clap::{Args, Parser, Subcommand, ValueEnum};
use ipnetwork::IpNetwork;
use serde::{Deserialize, Deserializer};

use crate::setting_duration::SettingDuration;

/// Multi-device session management service.
#[derive(Debug, Parser)]
#[command(
    name = "sessions",
    version,
    about = "Multi-device session management service",
    long_about = None
)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Configuration.
    #[command(flatten)]
    pub options: Options,
}

/// Subcommands.
#[derive(Clone, Copy, Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Delete sessions ended longer ago than the retention, then exit.
    Cleanup,
    /// Print the OpenAPI document and exit.
    Openapi,
    /// Print the admin API credential (generated into the data directory on first use).
    AdminToken,
    /// Print the introspection credential (generated into the data directory on first use).
    ServiceToken,
    /// The signing keys the instances share.
    Keys {
        /// What to do with them.
        #[command(subcommand)]
        action: KeysCommand,
    },
}

/// `sessions keys …`.
#[derive(Clone, Copy, Debug, Subcommand)]
pub enum KeysCommand {
    /// List the key generations: number, kid, times, state.
    List,
    /// Create the next generation now: published at once, signing one publication lead
    /// later (or name the one already waiting).
    Rotate,
}

/// Log output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// A feature that is on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Switch {
    /// On.
    On,
    /// Off.
    Off,
}

/// A CIDR of trusted proxies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyNetwork(pub IpNetwork);

impl FromStr for ProxyNetwork {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map(Self)
            .map_err(|error| format!("invalid CIDR {text:?}: {error}"))
    }
}

impl<'de> Deserialize<'de> for ProxyNetwork {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Every setting. Each is optional here; unset ones take their documented default. In the
/// TOML file the keys are the flag names with `_` for `-`.
#[derive(Debug, Default, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// TOML configuration file.
    #[arg(long, env = "SESSIONS_CONFIG", global = true)]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Listen address [default: 127.0.0.1:8080].
    #[arg(long, env = "SESSIONS_BIND", global = true)]
    pub bind: Option<SocketAddr>,
    /// `postgres://…` or `sqlite://…` [default: SQLite at <data-dir>/sessions.db].
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Postgres connections this instance opens at most [default: 16].
    #[arg(long, env = "SESSIONS_DATABASE_POOL_SIZE", global = true)]
    pub database_pool_size: Option<u32>,
    /// Coalesce concurrent store requests of one kind into one statement: on or off
    /// [default: on].
    #[arg(long, env = "SESSIONS_DATABASE_BATCHING", global = true)]
    pub database_batching: Option<Switch>,
    /// Data directory: SQLite file and generated secrets [default: ./data].
    #[arg(long, env = "SESSIONS_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Admin API credential [default: generated, kept in the data directory].
    #[arg(
        long,
        env = "SESSIONS_ADMIN_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
    /// Introspection credential [default: generated, kept in the data directory].
    #[arg(
        long,
        env = "SESSIONS_SERVICE_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub service_token: Option<String>,
    /// The HS256 secret of a deployment from before key generations: the tokens it signed
    /// keep verifying until they expire; nothing new is signed with it [default: the data
    /// directory's `jwt_secret` file, if any].
    #[arg(
        long,
        env = "SESSIONS_JWT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub jwt_secret: Option<String>,
    /// 256-bit key that seals the signing keys in the store; the same on every instance of
    /// one database (64 hex digits or base64) [default: generated, kept in the data
    /// directory].
    #[arg(
        long,
        env = "SESSIONS_MASTER_KEY",
        global = true,
        hide_env_values = true
    )]
    pub master_key: Option<String>,
    /// How long a key generation signs before the next one [default: 30d].
    #[arg(long, env = "SESSIONS_KEY_ROTATION", global = true)]
    pub key_rotation: Option<SettingDuration>,
    /// How long verifiers may cache /.well-known/jwks.json [default: 5m].
    #[arg(long, env = "SESSIONS_JWKS_MAX_AGE", global = true)]
    pub jwks_max_age: Option<SettingDuration>,
    /// `aud` claim of every access token, which verification then requires [default: none].
    #[arg(long, env = "SESSIONS_TOKEN_AUDIENCE", global = true)]
    pub token_audience: Option<String>,
    /// Absolute session lifetime [default: 30d].
    #[arg(long, env = "SESSIONS_SESSION_LIFETIME", global = true)]
    pub session_lifetime: Option<SettingDuration>,
    /// Idle timeout, 0 = off [default: 0].
    #[arg(long, env = "SESSIONS_IDLE_TIMEOUT", global = true)]
    pub idle_timeout: Option<SettingDuration>,
    /// Access-token lifetime [default: 15m].
    #[arg(long, env = "SESSIONS_ACCESS_TOKEN_TTL", global = true)]
    pub access_token_ttl: Option<SettingDuration>,
    /// Per-user session limit, 0 = unlimited [default: 10].
    #[arg(long, env = "SESSIONS_DEFAULT_MAX_SESSIONS", global = true)]
    pub default_max_sessions: Option<u32>,
    /// Suspicious-activity count that revokes a session, 0 = never [default: 3].
    #[arg(long, env = "SESSIONS_SUSPICIOUS_THRESHOLD", global = true)]
    pub suspicious_threshold: Option<u32>,
    /// Window in which the previous refresh token is still accepted [default: 30s].
    #[arg(long, env = "SESSIONS_REFRESH_GRACE", global = true)]
    pub refresh_grace: Option<SettingDuration>,
    /// Least time between two writes of the last-activity time [default: 60s].
    #[arg(long, env = "SESSIONS_ACTIVITY_WRITE_INTERVAL", global = true)]
    pub activity_write_interval: Option<SettingDuration>,
    /// How long expired or revoked sessions are kept [default: 7d].
    #[arg(long, env = "SESSIONS_RETENTION", global = true)]
    pub retention: Option<SettingDuration>,
    /// How long events are kept, whether or not their session is [default: 400d].
    #[arg(long, env = "SESSIONS_AUDIT_RETENTION", global = true)]
    pub audit_retention: Option<SettingDuration>,
    /// Background cleanup period, 0 = off [default: 1h].
    #[arg(long, env = "SESSIONS_CLEANUP_INTERVAL", global = true)]
    pub cleanup_interval: Option<SettingDuration>,
    /// CIDRs whose X-Forwarded-For is believed, comma-separated [default: none].
    #[arg(
        long,
        env = "SESSIONS_TRUSTED_PROXIES",
        global = true,
        value_delimiter = ','
    )]
    pub trusted_proxies: Option<Vec<ProxyNetwork>>,
    /// Header in which a trusted proxy names the client's country, e.g. cf-ipcountry
    /// [default: none].
    #[arg(long, env = "SESSIONS_COUNTRY_HEADER", global = true)]
    pub country_header: Option<String>,
    /// MaxMind-format (.mmdb) city or country database [default: none].
    #[arg(long, env = "SESSIONS_GEOIP_DB", global = true)]
    pub geoip_db: Option<PathBuf>,
    /// Failed logins per account (clients without a device token) and per device token in
    /// one lockout window, 0 = off [default: 10].
    #[arg(long, env = "SESSIONS_LOCKOUT_THRESHOLD", global = true)]
    pub lockout_threshold: Option<u32>,
    /// Deprecated alias of --lockout-threshold (it was a per-process limit per minute).
    #[arg(long, env = "SESSIONS_LOGIN_RATE_LIMIT", global = true, hide = true)]
    pub login_rate_limit: Option<u32>,
    /// Lockout window: failures count for this long after the first [default: 15m].
    #[arg(long, env = "SESSIONS_LOCKOUT_WINDOW", global = true)]
    pub lockout_window: Option<SettingDuration>,
    /// Failed logins per network (IPv4 address, IPv6 /64) in one lockout window, across
    /// accounts, 0 = off [default: 100].
    #[arg(long, env = "SESSIONS_NETWORK_FAILURE_LIMIT", global = true)]
    pub network_failure_limit: Option<u32>,
    /// Registrations per network (IPv4 address, IPv6 /64) per hour, 0 = off [default: 20].
    #[arg(long, env = "SESSIONS_REGISTER_RATE_LIMIT", global = true)]
    pub register_rate_limit: Option<u32>,
    /// Time a client has to send a request's head, from opening the connection or from the
    /// first byte after the previous response [default: 10s].
    #[arg(long, env = "SESSIONS_HTTP_HEADER_TIMEOUT", global = true)]
    pub http_header_timeout: Option<SettingDuration>,
    /// Time a keep-alive connection may stay idle between requests [default: 75s].
    #[arg(long, env = "SESSIONS_HTTP_IDLE_TIMEOUT", global = true)]
    pub http_idle_timeout: Option<SettingDuration>,
    /// Time a request may take to be answered; past it, 503 (request timeout) [default: 30s].
    #[arg(long, env = "SESSIONS_HTTP_REQUEST_TIMEOUT", global = true)]
    pub http_request_timeout: Option<SettingDuration>,
    /// Connections open at once; more wait to be accepted [default: the descriptor limit,
    /// raised to its hard limit at start, less 256 kept for the database and files, at most
    /// 10000].
    #[arg(long, env = "SESSIONS_MAX_CONNECTIONS", global = true)]
    pub max_connections: Option<u32>,
    /// On SIGTERM or Ctrl-C, the longest in-flight requests may take to finish [default: 30s].
    #[arg(long, env = "SESSIONS_SHUTDOWN_TIMEOUT", global = true)]
    pub shutdown_timeout: Option<SettingDuration>,
    /// How often the gauges the store counts (active sessions, the webhook queue) are
    /// refreshed for /metrics [default: 15s].
    #[arg(long, env = "SESSIONS_METRICS_REFRESH", global = true)]
    pub metrics_refresh: Option<SettingDuration>,
    /// Credential /metrics requires as a bearer token [default: none, open].
    #[arg(
        long,
        env = "SESSIONS_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,
    /// Serve /metrics on this address only, not with the API [default: with the API].
    #[arg(long, env = "SESSIONS_METRICS_BIND", global = true)]
    pub metrics_bind: Option<SocketAddr>,
    /// How long a failed webhook delivery is tried again before it is marked failed
    /// [default: 24h].
    #[arg(long, env = "SESSIONS_WEBHOOK_RETRY_FOR", global = true)]
    pub webhook_retry_for: Option<SettingDuration>,
    /// The wait after a webhook delivery's first failure; it doubles after each, up to an
    /// hour [default: 10s].
    #[arg(long, env = "SESSIONS_WEBHOOK_RETRY_FIRST", global = true)]
    pub webhook_retry_first: Option<SettingDuration>,
    /// Allow webhook targets over plain HTTP [default: off, HTTPS only].
    #[arg(long, env = "SESSIONS_WEBHOOK_ALLOW_HTTP", global = true)]
    pub webhook_allow_http: Option<Switch>,
    /// Allow webhook targets at loopback, private, link-local and other internal addresses
    /// [default: off].
    #[arg(long, env = "SESSIONS_WEBHOOK_ALLOW_PRIVATE", global = true)]
    pub webhook_allow_private: Option<Switch>,
    /// The https:// origin browsers reach the pages at, e.g. `https://id.example.com`: their
    /// cookies are then Secure and `__Host-`, and forms are accepted from it only [default:
    /// none, pages served over plain HTTP to 127.0.0.1 and localhost only].
    #[arg(long, env = "SESSIONS_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Offer account creation on the sign-in page [default: on].
    #[arg(long, env = "SESSIONS_SIGN_UP", global = true)]
    pub sign_up: Option<Switch>,
    /// Log format [default: text].
    #[arg(long, env = "SESSIONS_LOG_FORMAT", global = true)]
    pub log_format: Option<LogFormat>,
}

impl Options {
    /// These options, with unset ones taken from `file`.
    pub fn or(self, file: Self) -> Self {
        Self {
            config: self.config,
            bind: self.bind.or(file.bind),
            database_url: self.database_url.or(file.database_url),
            database_pool_size: self.database_pool_size.or(file.database_pool_size),
            database_batching: self.database_batching.or(file.database_batching),
            data_dir: self.data_dir.or(file.data_dir),
            admin_token: self.admin_token.or(file.admin_token),
            service_token: self.service_token.or(file.service_token),
            jwt_secret: self.jwt_secret.or(file.jwt_secret),
            master_key: self.master_key.or(file.master_key),
            key_rotation: self.key_rotation.or(file.key_rotation),
            jwks_max_age: self.jwks_max_age.or(file.jwks_max_age),
            token_audience: self.token_audience.or(file.token_audience),
            session_lifetime: self.session_lifetime.or(file.session_lifetime),
            idle_timeout: self.idle_timeout.or(file.idle_timeout),
            access_token_ttl: self.access_token_ttl.or(file.access_token_ttl),
            default_max_sessions: self.default_max_sessions.or(file.default_max_sessions),
            suspicious_threshold: self.suspicious_threshold.or(file.suspicious_threshold),
            refresh_grace: self.refresh_grace.or(file.refresh_grace),
            activity_write_interval: self
                .activity_write_interval
                .or(file.activity_write_interval),
            retention: self.retention.or(file.retention),
            audit_retention: self.audit_retention.or(file.audit_retention),
            cleanup_interval: self.cleanup_interval.or(file.cleanup_interval),
            trusted_proxies: self.trusted_proxies.or(file.trusted_proxies),
            country_header: self.country_header.or(file.country_header),
            geoip_db: self.geoip_db.or(file.geoip_db),
            lockout_threshold: self.lockout_threshold.or(file.lockout_threshold),
            login_rate_limit: self.login_rate_limit.or(file.login_rate_limit),
            lockout_window: self.lockout_window.or(file.lockout_window),
            network_failure_limit: self.network_failure_limit.or(file.network_failure_limit),
            register_rate_limit: self.register_rate_limit.or(file.register_rate_limit),
            http_header_timeout: self.http_header_timeout.or(file.http_header_timeout),
            http_idle_timeout: self.http_idle_timeout.or(file.http_idle_timeout),
            http_request_timeout: self.http_request_timeout.or(file.http_request_timeout),
            max_connections: self.max_connections.or(file.max_connections),
            shutdown_timeout: self.shutdown_timeout.or(file.shutdown_timeout),
            metrics_refresh: self.metrics_refresh.or(file.metrics_refresh),
            metrics_token: self.metrics_token.or(file.metrics_token),
            metrics_bind: self.metrics_bind.or(file.metrics_bind),
            webhook_retry_for: self.webhook_retry_for.or(file.webhook_retry_for),
            webhook_retry_first: self.webhook_retry_first.or(file.webhook_retry_first),
            webhook_allow_http: self.webhook_allow_http.or(file.webhook_allow_http),
            webhook_allow_private: self.webhook_allow_private.or(file.webhook_allow_private),
            public_url: self.public_url.or(file.public_url),
            sign_up: self.sign_up.or(file.sign_up),
            log_format: self.log_format.or(file.log_format),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toml_file_fills_what_flags_and_environment_leave_unset() {
        let file: Options = toml::from_str(
            r#"
            bind = "0.0.0.0:9000"
            session_lifetime = "7d"
            default_max_sessions = 3
            trusted_proxies = ["10.0.0.0/8", "192.168.0.0/16"]
            log_format = "json"
            "#,
        )
        .unwrap();
        let flags = Options {
            default_max_sessions: Some(5),
            ..Options::default()
        };
        let merged = flags.or(file);
        assert_eq!(merged.default_max_sessions, Some(5));
        assert_eq!(
            merged.bind.map(|bind| bind.to_string()).as_deref(),
            Some("0.0.0.0:9000")
        );
        assert_eq!(
            merged.session_lifetime.map(|span| span.0.num_days()),
            Some(7)
        );
        assert_eq!(merged.trusted_proxies.map(|proxies| proxies.len()), Some(2));
        assert_eq!(merged.log_format, Some(LogFormat::Json));
    }

    #[test]
    fn an_unknown_key_in_the_file_is_an_error() {
        assert!(toml::from_str::<Options>("binds = \"x\"").is_err());
    }

    #[test]
    fn every_option_has_a_flag_and_an_environment_variable() {
        use clap::CommandFactory;
        let command = Cli::command();
        for argument in command
            .get_arguments()
            .filter(|a| a.get_id() != "help" && a.get_id() != "version")
        {
            assert!(
                argument.get_long().is_some(),
                "{} has no flag",
                argument.get_id()
            );
            assert!(
                argument.get_env().is_some(),
                "{} has no environment variable",
                argument.get_id()
            );
        }
    }
}
