//! The settings' defaults, their checks and their limits.

use chrono::TimeDelta;
use sessions_domain::SessionPolicy;

use super::{durations::ALL as DURATION_SETTINGS, *};
use crate::cli::Switch;
use crate::cli::{LogFormat, Options};

#[test]
fn the_defaults_are_those_of_the_specification() {
    let settings = Settings::resolve(Options::default()).unwrap();
    assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(
        settings.database,
        Database {
            kind: DatabaseKind::Sqlite("sqlite://./data/sessions.db".into()),
            batching: Batching::On,
        }
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
        Settings::resolve(postgres).unwrap().database.name(),
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
        .map(|settings| settings.database.kind)
    };
    let url = String::from("postgres://u:p@localhost/db");
    assert_eq!(
        pool_of(None).unwrap(),
        DatabaseKind::Postgres {
            url: url.clone(),
            pool_size: 16
        }
    );
    assert_eq!(
        pool_of(Some(4)).unwrap(),
        DatabaseKind::Postgres { url, pool_size: 4 }
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

#[test]
fn every_duration_past_its_maximum_refuses_to_start_naming_the_setting() {
    for setting in DURATION_SETTINGS {
        let mut options = Options::default();
        let over = Some(SettingDuration(setting.max + TimeDelta::seconds(1)));
        match setting.name {
            "session-lifetime" => options.session_lifetime = over,
            "idle-timeout" => options.idle_timeout = over,
            "access-token-ttl" => options.access_token_ttl = over,
            "refresh-grace" => options.refresh_grace = over,
            "activity-write-interval" => options.activity_write_interval = over,
            "retention" => options.retention = over,
            "audit-retention" => options.audit_retention = over,
            "key-rotation" => options.key_rotation = over,
            "jwks-max-age" => options.jwks_max_age = over,
            "cleanup-interval" => options.cleanup_interval = over,
            "lockout-window" => options.lockout_window = over,
            "http-header-timeout" => options.http_header_timeout = over,
            "http-idle-timeout" => options.http_idle_timeout = over,
            "http-request-timeout" => options.http_request_timeout = over,
            "shutdown-timeout" => options.shutdown_timeout = over,
            "metrics-refresh" => options.metrics_refresh = over,
            "webhook-retry-for" => options.webhook_retry_for = over,
            "webhook-retry-first" => options.webhook_retry_first = over,
            other => panic!("{other} has no option in this test"),
        }
        let error = Settings::resolve(options).unwrap_err();
        assert!(
            matches!(error, InvalidSettings::TooLong { name, .. } if name == setting.name),
            "{}: {error}",
            setting.name
        );
        assert!(error.to_string().starts_with(setting.name), "{error}");
    }
}

#[test]
fn a_huge_session_lifetime_is_refused_with_its_maximum() {
    let options = Options {
        session_lifetime: "100000000d".parse().ok(),
        ..Options::default()
    };
    let error = Settings::resolve(options).unwrap_err();
    assert_eq!(error.to_string(), "session-lifetime must be at most 400d");
}

#[test]
fn configured_secrets_shorter_than_32_characters_are_refused() {
    let short = Some("x".repeat(31));
    for (name, options) in [
        (
            "admin-token",
            Options {
                admin_token: short.clone(),
                ..Options::default()
            },
        ),
        (
            "service-token",
            Options {
                service_token: short.clone(),
                ..Options::default()
            },
        ),
        (
            "jwt-secret",
            Options {
                jwt_secret: short.clone(),
                ..Options::default()
            },
        ),
    ] {
        let error = Settings::resolve(options).unwrap_err();
        assert!(matches!(error, InvalidSettings::ShortSecret(named) if named == name));
        assert!(!error.to_string().contains(&"x".repeat(31)));
    }
    let long = Options {
        admin_token: Some("x".repeat(32)),
        ..Options::default()
    };
    assert!(Settings::resolve(long).is_ok());
}

#[test]
fn an_unsupported_database_url_is_echoed_without_its_password() {
    let options = Options {
        database_url: Some("mysql://admin:hunter2@db.internal/app".into()),
        ..Options::default()
    };
    let error = Settings::resolve(options).unwrap_err().to_string();
    assert!(!error.contains("hunter2"), "{error}");
    assert!(
        error.contains("mysql://admin:***@db.internal/app"),
        "{error}"
    );
}

#[test]
fn the_deprecated_login_rate_limit_sets_the_lockout_threshold() {
    let options = Options {
        login_rate_limit: Some(0),
        ..Options::default()
    };
    let settings = Settings::resolve(options).unwrap();
    assert_eq!(settings.policy.throttle.lockout_threshold, 0);
}

#[test]
fn batching_is_on_unless_turned_off() {
    let off = Options {
        database_batching: Some(Switch::Off),
        ..Options::default()
    };
    assert_eq!(
        Settings::resolve(off).unwrap().database.batching,
        Batching::Off
    );
    assert_eq!(
        Settings::resolve(Options::default())
            .unwrap()
            .database
            .batching,
        Batching::On
    );
}

#[test]
fn pages_are_for_loopback_development_with_sign_up_unless_configured() {
    let defaults = Settings::resolve(Options::default()).unwrap().pages;
    assert_eq!(
        defaults,
        PageOptions {
            public_origin: None,
            sign_up: true,
        }
    );
    let configured = Settings::resolve(Options {
        public_url: Some("https://id.example.com".into()),
        sign_up: Some(Switch::Off),
        ..Options::default()
    })
    .unwrap()
    .pages;
    assert_eq!(
        configured.public_origin.as_ref().map(PublicOrigin::as_str),
        Some("https://id.example.com")
    );
    assert!(!configured.sign_up);
}

#[test]
fn a_public_url_over_plain_http_to_another_machine_is_refused() {
    let error = Settings::resolve(Options {
        public_url: Some("http://id.example.com".into()),
        ..Options::default()
    })
    .unwrap_err();
    assert!(matches!(
        error,
        InvalidSettings::PublicUrl(InvalidPublicOrigin::PlainHttp)
    ));
}
