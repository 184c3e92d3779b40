//! How the pages word times, waits, devices and events for a person.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use sessions_domain::{DeviceKind, RecordedEvent};

/// A moment as the pages show it: relative words, with the exact time for the
/// `<time title>` hover and the machine form for `<time datetime>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moment {
    /// "5 minutes ago".
    pub relative: String,
    /// "2026-12-05 19:33:59 UTC".
    pub exact: String,
    /// RFC 3339.
    pub machine: String,
}

impl Moment {
    /// `at`, seen at `now`.
    pub fn new(at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        Self {
            relative: ago(now - at),
            exact: at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            machine: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

/// "just now", "1 minute ago", "5 hours ago", "3 days ago".
pub fn ago(elapsed: TimeDelta) -> String {
    let minutes = elapsed.num_minutes();
    if minutes < 1 {
        return "just now".to_owned();
    }
    let (count, unit) = if minutes < 60 {
        (minutes, "minute")
    } else if minutes < 24 * 60 {
        (elapsed.num_hours(), "hour")
    } else {
        (elapsed.num_days(), "day")
    };
    format!("{count} {unit}{} ago", plural(&count))
}

/// Whether a session used `elapsed` ago counts as in use now.
pub fn is_active_now(elapsed: TimeDelta) -> bool {
    elapsed < TimeDelta::minutes(2)
}

/// "30 seconds", "2 minutes", "3 hours": a wait rounded up to what a person would wait.
pub fn wait(duration: Duration) -> String {
    let seconds = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    let (count, unit) = if seconds < 60 {
        (seconds.max(1), "second")
    } else if seconds < 90 * 60 {
        (seconds.div_ceil(60), "minute")
    } else {
        (seconds.div_ceil(3600), "hour")
    };
    format!("{count} {unit}{}", plural(&count))
}

fn plural<T: PartialEq + From<u8>>(count: &T) -> &'static str {
    if *count == T::from(1) { "" } else { "s" }
}

/// The icon of a kind of device (an id of the sprite in `base.html`).
pub const fn icon(kind: Option<DeviceKind>) -> &'static str {
    match kind {
        Some(DeviceKind::Desktop) => "desktop",
        Some(DeviceKind::Mobile) => "phone",
        Some(DeviceKind::Tablet) => "tablet",
        Some(DeviceKind::Bot | DeviceKind::Other) | None => "terminal",
    }
}

/// What an event of the trail says to the account's owner.
pub fn event_label(event: &RecordedEvent) -> &'static str {
    label_of(event.kind.type_name())
}

fn label_of(type_name: &str) -> &'static str {
    match type_name {
        "session_created" => "Signed in",
        "session_revoked" => "Signed out",
        "ip_changed" => "Used from a new network",
        "suspicious_activity" => "Suspicious activity",
        "provider_accessed" => "Data provider accessed",
        "session_trusted" => "Device marked trusted",
        "session_untrusted" => "Trusted mark removed",
        "refresh_token_reuse" => "Stolen sign-in detected and ended",
        "refresh_replayed" => "Sign-in renewed again",
        "login_failed" => "Failed sign-in attempt",
        "login_locked_out" => "Sign-in locked after failed attempts",
        "password_changed" => "Password changed",
        _ => "Account event",
    }
}

/// Whether an event is one a person should look at twice.
pub fn is_alarming(event: &RecordedEvent) -> bool {
    matches!(
        event.kind.type_name(),
        "suspicious_activity" | "refresh_token_reuse" | "login_failed" | "login_locked_out"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_time_reads_in_the_largest_whole_unit() {
        assert_eq!(ago(TimeDelta::seconds(30)), "just now");
        assert_eq!(ago(TimeDelta::seconds(90)), "1 minute ago");
        assert_eq!(ago(TimeDelta::minutes(5)), "5 minutes ago");
        assert_eq!(ago(TimeDelta::minutes(61)), "1 hour ago");
        assert_eq!(ago(TimeDelta::hours(49)), "2 days ago");
    }

    #[test]
    fn a_wait_is_rounded_up() {
        assert_eq!(wait(Duration::from_millis(200)), "1 second");
        assert_eq!(wait(Duration::from_secs(45)), "45 seconds");
        assert_eq!(wait(Duration::from_secs(61)), "2 minutes");
        assert_eq!(wait(Duration::from_secs(120)), "2 minutes");
        assert_eq!(wait(Duration::from_secs(15 * 60)), "15 minutes");
        assert_eq!(wait(Duration::from_secs(2 * 3600)), "2 hours");
    }

    #[test]
    fn a_session_is_active_now_for_two_minutes_after_its_last_request() {
        assert!(is_active_now(TimeDelta::seconds(119)));
        assert!(!is_active_now(TimeDelta::seconds(120)));
    }

    #[test]
    fn every_event_an_owner_can_see_has_words_of_its_own() {
        for type_name in sessions_domain::AuditEventKind::TYPE_NAMES {
            // An account's deletion is never shown to it.
            if type_name != "user_deleted" {
                assert_ne!(label_of(type_name), "Account event", "{type_name}");
            }
        }
    }

    #[test]
    fn every_device_kind_has_an_icon() {
        assert_eq!(icon(Some(DeviceKind::Mobile)), "phone");
        assert_eq!(icon(Some(DeviceKind::Tablet)), "tablet");
        assert_eq!(icon(Some(DeviceKind::Desktop)), "desktop");
        assert_eq!(icon(None), "terminal");
    }

    #[test]
    fn a_moment_keeps_its_exact_time_for_the_hover() {
        let at = DateTime::parse_from_rfc3339("2026-12-05T19:33:59Z")
            .unwrap()
            .to_utc();
        let moment = Moment::new(at, at + TimeDelta::minutes(5));
        assert_eq!(moment.relative, "5 minutes ago");
        assert_eq!(moment.exact, "2026-12-05 19:33:59 UTC");
        assert_eq!(moment.machine, "2026-12-05T19:33:59Z");
    }
}
