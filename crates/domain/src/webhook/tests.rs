//! Webhook rules: names, the retry schedule, and what a new device is.

use super::*;

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn schedule() -> RetrySchedule {
    RetrySchedule {
        first: TimeDelta::seconds(10),
        cap: TimeDelta::hours(1),
        give_up_after: TimeDelta::hours(24),
    }
}

fn chrome_on_macos() -> DeviceFingerprint {
    DeviceFingerprint {
        browser_family: Some("Chrome".into()),
        os_family: Some("macOS".into()),
    }
}

#[test]
fn every_type_reads_back_from_its_name_and_its_trail_type() {
    for kind in WebhookEventType::ALL {
        assert_eq!(WebhookEventType::from_name(kind.name()), Some(kind));
        assert_eq!(
            WebhookEventType::of_trail_type(kind.trail_type()),
            Some(kind)
        );
    }
    assert_eq!(WebhookEventType::from_name("session_created"), None);
    assert_eq!(WebhookEventType::of_trail_type("ip_changed"), None);
    for status in DeliveryStatus::ALL {
        assert_eq!(DeliveryStatus::from_name(status.as_str()), Some(status));
    }
}

#[test]
fn waits_double_from_the_first_up_to_the_cap() {
    let at = |failures| {
        schedule()
            .next_attempt(failures, t0(), t0(), 1.0)
            .map(|next| next - t0())
    };
    assert_eq!(at(1), Some(TimeDelta::seconds(10)));
    assert_eq!(at(2), Some(TimeDelta::seconds(20)));
    assert_eq!(at(3), Some(TimeDelta::seconds(40)));
    assert_eq!(at(12), Some(TimeDelta::hours(1)));
    assert_eq!(at(u32::MAX), Some(TimeDelta::hours(1)));
}

#[test]
fn jitter_takes_between_half_and_all_of_the_wait() {
    let wait = |jitter| schedule().next_attempt(3, t0(), t0(), jitter).unwrap() - t0();
    assert_eq!(wait(0.0), TimeDelta::seconds(20));
    assert_eq!(wait(0.5), TimeDelta::seconds(30));
    assert_eq!(wait(7.0), TimeDelta::seconds(40), "clamped");
}

#[test]
fn a_delivery_is_given_up_once_its_next_attempt_falls_past_the_retry_period() {
    let late = t0() + TimeDelta::hours(23) + TimeDelta::minutes(30);
    assert_eq!(schedule().next_attempt(20, t0(), late, 1.0), None);
    assert!(schedule().next_attempt(20, t0(), late, 0.0).is_some());
}

#[test]
fn a_sign_in_is_from_a_new_device_unless_vouched_for_or_seen_on_the_same_network() {
    let here: IpAddr = "203.0.113.7".parse().unwrap();
    let firefox = DeviceFingerprint {
        browser_family: Some("Firefox".into()),
        os_family: Some("Windows".into()),
    };
    assert!(is_new_device(false, Some(&chrome_on_macos()), here, &[]));
    assert!(!is_new_device(true, Some(&chrome_on_macos()), here, &[]));
    let seen = [(Some(chrome_on_macos()), "203.0.113.200".parse().unwrap())];
    assert!(!is_new_device(false, Some(&chrome_on_macos()), here, &seen));
    assert!(is_new_device(false, Some(&firefox), here, &seen));
    let elsewhere = [(Some(chrome_on_macos()), "198.51.100.7".parse().unwrap())];
    assert!(is_new_device(
        false,
        Some(&chrome_on_macos()),
        here,
        &elsewhere
    ));
}
