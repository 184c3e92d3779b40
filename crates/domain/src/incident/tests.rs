//! Which sessions an incident filter selects.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::*;
use crate::{
    DeviceInfo, Location, NewSession, ProviderSlug, RefreshTokenId, Session, SessionId,
    SessionPolicy, UserAgent,
};

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn alice() -> UserId {
    UserId::from_uuid(Uuid::from_u128(2))
}

/// A session of alice's, started at t0 from 198.51.100.7 in Lisbon.
fn session() -> SessionState {
    let (session, _) = Session::start(
        NewSession {
            id: SessionId::from_uuid(Uuid::from_u128(1)),
            user_id: alice(),
            device_info: Some(DeviceInfo::new("Chrome on Windows".into())),
            user_agent: UserAgent::from_header("Mozilla/5.0 (Windows NT 10.0) Chrome/120"),
            ip_address: "198.51.100.7".parse().unwrap(),
            location: Location::parse_display("Lisbon, PT"),
            refresh_token_id: RefreshTokenId::from_uuid(Uuid::from_u128(3)),
            new_device: None,
        },
        &SessionPolicy::default(),
        t0(),
    );
    session.state().clone()
}

fn chrome_on_windows() -> DeviceFingerprint {
    DeviceFingerprint {
        browser_family: Some("Chrome".into()),
        os_family: Some("Windows".into()),
    }
}

fn network(cidr: &str) -> SessionFilter {
    SessionFilter {
        network: Some(cidr.parse().unwrap()),
        ..SessionFilter::default()
    }
}

#[test]
fn an_empty_filter_selects_nothing() {
    assert!(SessionFilter::default().is_empty());
    assert!(!SessionFilter::default().matches(&session(), Some(&chrome_on_windows())));
}

#[test]
fn a_network_selects_sessions_started_or_last_seen_inside_it() {
    let mut state = session();
    assert!(network("198.51.100.0/24").matches(&state, None));
    assert!(!network("198.51.101.0/24").matches(&state, None));
    state.ip_address = "203.0.113.9".parse().unwrap();
    state.last_ip_address = Some("198.51.100.200".parse().unwrap());
    assert!(network("198.51.100.0/24").matches(&state, None));
    assert!(!network("2001:db8::/32").matches(&state, None));
}

#[test]
fn a_country_selects_by_the_sign_in_location() {
    let portugal = SessionFilter {
        country: CountryCode::parse("pt").ok(),
        ..SessionFilter::default()
    };
    let spain = SessionFilter {
        country: CountryCode::parse("ES").ok(),
        ..SessionFilter::default()
    };
    let mut state = session();
    assert!(portugal.matches(&state, None));
    assert!(!spain.matches(&state, None));
    state.location = None;
    assert!(!portugal.matches(&state, None));
}

#[test]
fn a_device_selects_by_browser_or_os_family_in_any_case() {
    let state = session();
    for family in ["chrome", "WINDOWS"] {
        let filter = SessionFilter {
            device: Some(family.into()),
            ..SessionFilter::default()
        };
        assert!(
            filter.matches(&state, Some(&chrome_on_windows())),
            "{family}"
        );
        assert!(!filter.matches(&state, None), "{family} without a device");
    }
    let firefox = SessionFilter {
        device: Some("Firefox".into()),
        ..SessionFilter::default()
    };
    assert!(!firefox.matches(&state, Some(&chrome_on_windows())));
}

#[test]
fn users_creation_times_and_providers_narrow_the_selection() {
    let mut state = session();
    let others = SessionFilter {
        user_ids: vec![UserId::from_uuid(Uuid::from_u128(9))],
        ..SessionFilter::default()
    };
    assert!(!others.matches(&state, None));
    let window = SessionFilter {
        created_after: Some(t0()),
        created_before: Some(t0() + TimeDelta::hours(1)),
        user_ids: vec![alice()],
        ..SessionFilter::default()
    };
    assert!(window.matches(&state, None));
    let later = SessionFilter {
        created_after: Some(t0() + TimeDelta::seconds(1)),
        ..SessionFilter::default()
    };
    assert!(!later.matches(&state, None));
    let plaid = ProviderSlug::parse("plaid").unwrap();
    let by_provider = SessionFilter {
        provider: Some(plaid.clone()),
        ..SessionFilter::default()
    };
    assert!(!by_provider.matches(&state, None));
    state.providers_accessed = crate::ProviderSet::from_slugs(vec![plaid]);
    assert!(by_provider.matches(&state, None));
}

#[test]
fn every_condition_must_hold() {
    let filter = SessionFilter {
        network: Some("198.51.100.0/24".parse().unwrap()),
        country: CountryCode::parse("ES").ok(),
        ..SessionFilter::default()
    };
    assert!(!filter.matches(&session(), None));
}
