//! Lifecycle rules of the Session aggregate, one behaviour per test.

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::{
    CountryCode, DeviceFingerprint, NetworkRelation, ProviderSlug, RevocationReason,
    SessionEventKind, SessionPolicy, SuspiciousKind,
};

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

fn chrome_on_macos() -> DeviceFingerprint {
    DeviceFingerprint {
        browser_family: Some("Chrome".into()),
        os_family: Some("macOS".into()),
    }
}

fn new_session(location: Option<&str>) -> NewSession {
    NewSession {
        id: SessionId::from_uuid(Uuid::from_u128(1)),
        user_id: UserId::from_uuid(Uuid::from_u128(2)),
        device_info: Some(DeviceInfo::new("Chrome on macOS".into())),
        user_agent: UserAgent::from_header("Mozilla/5.0 (Macintosh) Chrome/120"),
        ip_address: "203.0.113.7".parse().unwrap(),
        location: location.and_then(Location::parse_display),
        refresh_token_id: RefreshTokenId::from_uuid(Uuid::from_u128(3)),
        new_device: None,
    }
}

fn started(policy: &SessionPolicy) -> Session {
    Session::start(new_session(Some("New York, US")), policy, t0()).0
}

/// A request from the session's own address, device and country.
fn same_client() -> TouchRequest {
    TouchRequest {
        ip: "203.0.113.7".parse().unwrap(),
        device: Some(chrome_on_macos()),
        original_device: Some(chrome_on_macos()),
        country: CountryCode::parse("US").ok(),
    }
}

fn from_country(code: &str) -> TouchRequest {
    TouchRequest {
        country: CountryCode::parse(code).ok(),
        ..same_client()
    }
}

fn policy_with_idle(seconds: i64) -> SessionPolicy {
    SessionPolicy {
        idle_timeout: Some(secs(seconds)),
        ..SessionPolicy::default()
    }
}

// --- start -------------------------------------------------------------------------------

#[test]
fn a_started_session_expires_after_the_lifetime_and_is_active_now() {
    let policy = SessionPolicy::default();
    let (session, event) = Session::start(new_session(None), &policy, t0());
    let state = session.state();
    assert_eq!(state.expires_at, t0() + TimeDelta::days(30));
    assert_eq!(state.last_activity_at, t0());
    assert_eq!(state.last_ip_address, Some(state.ip_address));
    assert_eq!(state.created_at, state.updated_at);
    assert!(!state.is_trusted);
    assert_eq!(state.suspicious_activity_count, 0);
    assert!(session.is_active(t0(), &policy));
    assert_eq!(event.kind, SessionEventKind::Created { new_device: None });
    assert_eq!(event.session_id, session.id());
}

#[test]
fn a_session_started_from_an_ipv4_mapped_address_stores_plain_ipv4() {
    let mut new = new_session(None);
    new.ip_address = "::ffff:203.0.113.7".parse().unwrap();
    let (session, _) = Session::start(new, &SessionPolicy::default(), t0());
    assert_eq!(
        session.state().ip_address,
        "203.0.113.7".parse::<std::net::IpAddr>().unwrap()
    );
}

// --- status ------------------------------------------------------------------------------

#[test]
fn a_session_is_active_until_just_before_expires_at() {
    let policy = SessionPolicy::default();
    let session = started(&policy);
    let expires_at = session.state().expires_at;
    assert!(session.is_active(expires_at - TimeDelta::microseconds(1), &policy));
}

#[test]
fn a_session_is_expired_exactly_at_expires_at() {
    let policy = SessionPolicy::default();
    let session = started(&policy);
    assert_eq!(
        session.status(session.state().expires_at, &policy),
        SessionStatus::Expired
    );
}

#[test]
fn a_session_idle_for_the_idle_timeout_is_inactive() {
    let policy = policy_with_idle(600);
    let session = started(&policy);
    assert!(session.is_active(t0() + secs(599), &policy));
    assert_eq!(
        session.status(t0() + secs(600), &policy),
        SessionStatus::IdleTimedOut
    );
}

#[test]
fn without_an_idle_timeout_a_long_idle_session_stays_active() {
    let policy = SessionPolicy::default();
    let session = started(&policy);
    assert!(session.is_active(t0() + TimeDelta::days(29), &policy));
}

#[test]
fn revocation_wins_over_expiry_in_the_status() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    session
        .revoke(RevocationReason::Logout, t0() + secs(1))
        .unwrap();
    assert_eq!(
        session.status(t0() + TimeDelta::days(31), &policy),
        SessionStatus::Revoked(RevocationReason::Logout)
    );
}

// --- revoke ------------------------------------------------------------------------------

#[test]
fn revoking_sets_time_and_reason_together() {
    let mut session = started(&SessionPolicy::default());
    let at = t0() + secs(5);
    let event = session.revoke(RevocationReason::UserRevoked, at).unwrap();
    assert_eq!(
        session.state().revocation,
        Some(crate::Revocation {
            at,
            reason: RevocationReason::UserRevoked
        })
    );
    assert_eq!(session.state().updated_at, at);
    assert_eq!(
        event.kind,
        SessionEventKind::Revoked {
            reason: RevocationReason::UserRevoked,
            evicted_by: None
        }
    );
}

#[test]
fn a_second_revoke_is_reported_and_keeps_the_first() {
    let mut session = started(&SessionPolicy::default());
    session
        .revoke(RevocationReason::Logout, t0() + secs(1))
        .unwrap();
    let second = session.revoke(RevocationReason::Admin, t0() + secs(2));
    let first = crate::Revocation {
        at: t0() + secs(1),
        reason: RevocationReason::Logout,
    };
    assert_eq!(second, Err(AlreadyRevoked { revocation: first }));
    assert_eq!(session.state().revocation, Some(first));
}

#[test]
fn an_expired_session_can_still_be_revoked() {
    let mut session = started(&SessionPolicy::default());
    assert!(
        session
            .revoke(RevocationReason::Admin, t0() + TimeDelta::days(40))
            .is_ok()
    );
}

#[test]
fn an_evicted_session_names_the_session_that_took_its_slot() {
    let mut session = started(&SessionPolicy::default());
    let newcomer = SessionId::from_uuid(Uuid::from_u128(99));
    let event = session.evict(newcomer, t0() + secs(1)).unwrap();
    assert_eq!(
        event.kind,
        SessionEventKind::Revoked {
            reason: RevocationReason::SessionLimit,
            evicted_by: Some(newcomer)
        }
    );
}

#[test]
fn refresh_token_reuse_records_the_reuse_then_the_revocation() {
    let mut session = started(&SessionPolicy::default());
    let [reuse, revoked] = session
        .revoke_for_refresh_token_reuse(t0() + secs(1))
        .unwrap();
    assert_eq!(reuse.kind, SessionEventKind::RefreshTokenReuse);
    assert_eq!(
        revoked.kind,
        SessionEventKind::Revoked {
            reason: RevocationReason::RefreshTokenReuse,
            evicted_by: None
        }
    );
    assert!(
        session
            .revoke_for_refresh_token_reuse(t0() + secs(2))
            .is_err()
    );
}

// --- touch: activity ---------------------------------------------------------------------

#[test]
fn a_touch_inside_the_write_threshold_writes_nothing() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    let outcome = session
        .touch(&same_client(), t0() + secs(59), &policy)
        .unwrap();
    assert_eq!(outcome.write, TouchWrite::Nothing);
    assert!(outcome.events.is_empty());
    assert_eq!(session.state().last_activity_at, t0());
    assert_eq!(session.state().updated_at, t0());
}

#[test]
fn a_touch_at_the_write_threshold_records_activity() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    let now = t0() + secs(60);
    let outcome = session.touch(&same_client(), now, &policy).unwrap();
    assert_eq!(outcome.write, TouchWrite::Activity);
    assert_eq!(session.state().last_activity_at, now);
    assert_eq!(session.state().updated_at, now);
}

#[test]
fn with_an_idle_timeout_activity_is_written_at_half_of_it() {
    let policy = policy_with_idle(40);
    let mut session = started(&policy);
    let outcome = session
        .touch(&same_client(), t0() + secs(20), &policy)
        .unwrap();
    assert_eq!(outcome.write, TouchWrite::Activity);
}

#[test]
fn a_user_active_more_often_than_the_idle_timeout_is_never_timed_out() {
    let policy = policy_with_idle(40);
    let mut session = started(&policy);
    for step in 1..=100 {
        session
            .touch(&same_client(), t0() + secs(step * 39), &policy)
            .unwrap();
    }
    assert!(session.is_active(t0() + secs(100 * 39 + 1), &policy));
}

#[test]
fn touching_an_idle_timed_out_session_fails_and_changes_nothing() {
    let policy = policy_with_idle(60);
    let mut session = started(&policy);
    let before = session.clone();
    let result = session.touch(&same_client(), t0() + secs(60), &policy);
    assert_eq!(
        result,
        Err(SessionInactive {
            status: SessionStatus::IdleTimedOut
        })
    );
    assert_eq!(session, before);
}

#[test]
fn touching_a_revoked_session_fails() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    session.revoke(RevocationReason::Logout, t0()).unwrap();
    let result = session.touch(&same_client(), t0() + secs(1), &policy);
    assert_eq!(
        result,
        Err(SessionInactive {
            status: SessionStatus::Revoked(RevocationReason::Logout)
        })
    );
}

// --- touch: IP change --------------------------------------------------------------------

#[test]
fn a_new_address_in_the_same_slash_24_is_a_same_network_ip_change() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    let request = TouchRequest {
        ip: "203.0.113.200".parse().unwrap(),
        ..same_client()
    };
    let outcome = session.touch(&request, t0() + secs(1), &policy).unwrap();
    let change = outcome.ip_change.unwrap();
    assert_eq!(change.relation, NetworkRelation::SameNetwork);
    assert_eq!(outcome.write, TouchWrite::State);
    assert_eq!(session.state().last_ip_address, Some(request.ip));
    assert_eq!(session.state().last_activity_at, t0() + secs(1));
    assert!(matches!(
        outcome.events[0].kind,
        SessionEventKind::IpChanged {
            same_network: true,
            ..
        }
    ));
}

#[test]
fn an_address_in_another_network_is_a_new_network_ip_change() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    let request = TouchRequest {
        ip: "198.51.100.7".parse().unwrap(),
        ..same_client()
    };
    let outcome = session.touch(&request, t0() + secs(1), &policy).unwrap();
    assert_eq!(
        outcome.ip_change.unwrap().relation,
        NetworkRelation::NewNetwork
    );
}

#[test]
fn the_same_address_written_as_ipv4_mapped_ipv6_is_no_ip_change() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    let request = TouchRequest {
        ip: "::ffff:203.0.113.7".parse().unwrap(),
        ..same_client()
    };
    let outcome = session.touch(&request, t0() + secs(1), &policy).unwrap();
    assert_eq!(outcome.ip_change, None);
    assert_eq!(outcome.write, TouchWrite::Nothing);
}

#[test]
fn an_ip_change_is_compared_with_the_last_address_not_the_first() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    let moved = TouchRequest {
        ip: "198.51.100.7".parse().unwrap(),
        ..same_client()
    };
    session.touch(&moved, t0() + secs(1), &policy).unwrap();
    let outcome = session.touch(&moved, t0() + secs(2), &policy).unwrap();
    assert_eq!(outcome.ip_change, None);
}

// --- touch: suspicious activity ----------------------------------------------------------

#[test]
fn a_request_from_another_country_counts_as_suspicious_once() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    let outcome = session
        .touch(&from_country("DE"), t0() + secs(1), &policy)
        .unwrap();
    assert_eq!(outcome.suspicious, Some(SuspiciousKind::CountryChanged));
    assert_eq!(session.state().suspicious_activity_count, 1);
    assert!(!outcome.revoked);
    assert_eq!(
        outcome.events.last().unwrap().kind,
        SessionEventKind::SuspiciousActivity {
            kind: SuspiciousKind::CountryChanged,
            count: 1
        }
    );
}

#[test]
fn a_request_with_another_browser_counts_as_suspicious() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    let request = TouchRequest {
        device: Some(DeviceFingerprint {
            browser_family: Some("Firefox".into()),
            os_family: Some("macOS".into()),
        }),
        ..same_client()
    };
    let outcome = session.touch(&request, t0() + secs(1), &policy).unwrap();
    assert_eq!(outcome.suspicious, Some(SuspiciousKind::DeviceChanged));
}

#[test]
fn a_request_without_a_user_agent_skips_the_device_rule() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    let request = TouchRequest {
        device: None,
        ..same_client()
    };
    let outcome = session.touch(&request, t0() + secs(1), &policy).unwrap();
    assert_eq!(outcome.suspicious, None);
}

#[test]
fn an_unknown_country_is_not_suspicious() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    let request = TouchRequest {
        country: None,
        ..same_client()
    };
    let outcome = session.touch(&request, t0() + secs(1), &policy).unwrap();
    assert_eq!(outcome.suspicious, None);
}

#[test]
fn reaching_the_suspicious_threshold_revokes_with_suspicious_activity() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    for n in 1..=2 {
        let outcome = session
            .touch(&from_country("DE"), t0() + secs(n), &policy)
            .unwrap();
        assert!(!outcome.revoked);
    }
    let outcome = session
        .touch(&from_country("DE"), t0() + secs(3), &policy)
        .unwrap();
    assert!(outcome.revoked);
    assert_eq!(session.state().suspicious_activity_count, 3);
    assert_eq!(
        session.status(t0() + secs(3), &policy),
        SessionStatus::Revoked(RevocationReason::SuspiciousActivity)
    );
    assert_eq!(
        outcome.events.last().unwrap().kind,
        SessionEventKind::Revoked {
            reason: RevocationReason::SuspiciousActivity,
            evicted_by: None
        }
    );
}

#[test]
fn a_trusted_session_is_flagged_but_not_revoked_for_a_country_change() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    session.trust(t0(), &policy).unwrap();
    for n in 1..=5 {
        let outcome = session
            .touch(&from_country("DE"), t0() + secs(n), &policy)
            .unwrap();
        assert_eq!(outcome.suspicious, Some(SuspiciousKind::CountryChanged));
        assert!(!outcome.revoked);
    }
    assert_eq!(session.state().suspicious_activity_count, 5);
    assert!(session.is_active(t0() + secs(6), &policy));
}

#[test]
fn a_trusted_session_is_still_revoked_for_a_device_change() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    session.trust(t0(), &policy).unwrap();
    let request = TouchRequest {
        device: Some(DeviceFingerprint {
            browser_family: Some("Chrome".into()),
            os_family: Some("Windows".into()),
        }),
        ..same_client()
    };
    for n in 1..=3 {
        session.touch(&request, t0() + secs(n), &policy).unwrap();
    }
    assert!(session.is_revoked());
}

#[test]
fn a_threshold_of_zero_never_revokes() {
    let policy = SessionPolicy {
        suspicious_threshold: 0,
        ..SessionPolicy::default()
    };
    let mut session = started(&policy);
    for n in 1..=10 {
        session
            .touch(&from_country("DE"), t0() + secs(n), &policy)
            .unwrap();
    }
    assert!(!session.is_revoked());
    assert_eq!(session.state().suspicious_activity_count, 10);
}

// --- provider access ---------------------------------------------------------------------

#[test]
fn provider_access_records_the_provider_once_and_the_latest_sync() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    let plaid = ProviderSlug::parse("plaid").unwrap();
    let yodlee = ProviderSlug::parse("yodlee").unwrap();
    session
        .record_provider_access(plaid.clone(), t0() + secs(1), &policy)
        .unwrap();
    session
        .record_provider_access(yodlee.clone(), t0() + secs(2), &policy)
        .unwrap();
    let event = session
        .record_provider_access(plaid.clone(), t0() + secs(3), &policy)
        .unwrap();
    let state = session.state();
    assert_eq!(state.providers_accessed.len(), 2);
    assert_eq!(state.last_provider_accessed, Some(plaid.clone()));
    assert_eq!(state.last_provider_sync_at, Some(t0() + secs(3)));
    assert_eq!(
        event.kind,
        SessionEventKind::ProviderAccessed { provider: plaid }
    );
}

#[test]
fn provider_access_needs_an_active_session() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    let result = session.record_provider_access(
        ProviderSlug::parse("plaid").unwrap(),
        t0() + TimeDelta::days(31),
        &policy,
    );
    assert!(result.is_err());
    assert!(session.state().providers_accessed.is_empty());
}

// --- trust -------------------------------------------------------------------------------

#[test]
fn trusting_and_untrusting_emit_one_event_each_and_repeat_quietly() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    let trusted = session.trust(t0() + secs(1), &policy).unwrap();
    assert_eq!(trusted.unwrap().kind, SessionEventKind::Trusted);
    assert!(session.state().is_trusted);
    assert_eq!(session.trust(t0() + secs(2), &policy).unwrap(), None);
    let untrusted = session.untrust(t0() + secs(3), &policy).unwrap();
    assert_eq!(untrusted.unwrap().kind, SessionEventKind::Untrusted);
    assert!(!session.state().is_trusted);
}

#[test]
fn an_inactive_session_cannot_be_trusted() {
    let policy = SessionPolicy::default();
    let mut session = started(&policy);
    session.revoke(RevocationReason::Logout, t0()).unwrap();
    assert!(session.trust(t0() + secs(1), &policy).is_err());
    assert!(!session.state().is_trusted);
}

// --- invariants under random operation sequences -----------------------------------------

#[derive(Clone, Debug)]
enum Operation {
    Touch {
        ip_last_octet: u8,
        country: u8,
        firefox: bool,
    },
    Revoke(usize),
    Provider(u8),
    Trust,
    Untrust,
}

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![
        (any::<u8>(), 0u8..3, any::<bool>()).prop_map(|(ip_last_octet, country, firefox)| {
            Operation::Touch {
                ip_last_octet,
                country,
                firefox,
            }
        }),
        (0..RevocationReason::ALL.len()).prop_map(Operation::Revoke),
        (0u8..4).prop_map(Operation::Provider),
        Just(Operation::Trust),
        Just(Operation::Untrust),
    ]
}

fn apply(session: &mut Session, op: &Operation, now: DateTime<Utc>, policy: &SessionPolicy) {
    match op {
        Operation::Touch {
            ip_last_octet,
            country,
            firefox,
        } => {
            let request = TouchRequest {
                ip: std::net::IpAddr::from([203, 0, 113, *ip_last_octet]),
                device: Some(DeviceFingerprint {
                    browser_family: Some(if *firefox { "Firefox" } else { "Chrome" }.into()),
                    os_family: Some("macOS".into()),
                }),
                original_device: Some(chrome_on_macos()),
                country: CountryCode::parse(["US", "DE", "FR"][usize::from(*country)]).ok(),
            };
            let _ = session.touch(&request, now, policy);
        }
        Operation::Revoke(reason) => {
            let _ = session.revoke(RevocationReason::ALL[*reason], now);
        }
        Operation::Provider(n) => {
            let slug = ProviderSlug::parse(&format!("provider-{n}")).unwrap();
            let _ = session.record_provider_access(slug, now, policy);
        }
        Operation::Trust => {
            let _ = session.trust(now, policy);
        }
        Operation::Untrust => {
            let _ = session.untrust(now, policy);
        }
    }
}

proptest! {
    #[test]
    fn random_operations_never_break_the_session_invariants(
        ops in proptest::collection::vec((operation(), 0i64..120), 1..60)
    ) {
        let policy = SessionPolicy { idle_timeout: Some(secs(300)), ..SessionPolicy::default() };
        let mut session = started(&policy);
        let expires_at = session.state().expires_at;
        let mut now = t0();
        let mut first_revocation = None;
        for (op, step) in &ops {
            now += secs(*step);
            let count_before = session.state().suspicious_activity_count;
            apply(&mut session, op, now, &policy);
            let state = session.state();
            prop_assert_eq!(state.expires_at, expires_at);
            prop_assert!(state.suspicious_activity_count >= count_before);
            prop_assert!(state.updated_at >= state.created_at);
            let providers: Vec<_> = state.providers_accessed.iter().collect();
            let mut distinct = providers.clone();
            distinct.dedup();
            prop_assert_eq!(providers.len(), distinct.len());
            match (first_revocation, state.revocation) {
                (None, revocation) => first_revocation = revocation,
                (Some(first), revocation) => prop_assert_eq!(Some(first), revocation),
            }
        }
    }
}
