//! What a user-agent string says about the device: the display form shown to users, the kind
//! of device, and the browser/OS families the suspicious-activity rule compares.

use std::fmt;

/// Human form of a device, e.g. "Chrome on macOS", "Safari on iOS", "curl".
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DeviceInfo(String);

impl DeviceInfo {
    /// Wraps a display string produced by the device parser or read from storage.
    pub fn new(display: String) -> Self {
        Self(display)
    }

    /// The display string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeviceInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The broad class of a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    /// Desktop or laptop browser.
    Desktop,
    /// Phone.
    Mobile,
    /// Tablet.
    Tablet,
    /// Crawler or automated client that announces itself as a bot.
    Bot,
    /// Anything else: CLI tools, libraries, unknown strings.
    Other,
}

/// The parts of a device identity that should not change during one session.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DeviceFingerprint {
    /// Browser or client family, e.g. "Chrome", "Firefox", "curl"; `None` when unknown.
    pub browser_family: Option<String>,
    /// Operating-system family, e.g. "macOS", "Windows"; `None` when unknown.
    pub os_family: Option<String>,
}

impl DeviceFingerprint {
    /// Whether a request's fingerprint differs from the session's original one. Only families
    /// that both sides know are compared: an unknown family is not evidence of a change.
    pub fn differs_from(&self, original: &Self) -> bool {
        fn differ(a: Option<&String>, b: Option<&String>) -> bool {
            matches!((a, b), (Some(a), Some(b)) if a != b)
        }
        differ(
            self.browser_family.as_ref(),
            original.browser_family.as_ref(),
        ) || differ(self.os_family.as_ref(), original.os_family.as_ref())
    }
}

/// Everything the device parser extracts from one user-agent string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ParsedDevice {
    /// Display form.
    pub info: DeviceInfo,
    /// Device class.
    pub kind: DeviceKind,
    /// Families compared by the suspicious-activity rule.
    pub fingerprint: DeviceFingerprint,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint(browser: Option<&str>, os: Option<&str>) -> DeviceFingerprint {
        DeviceFingerprint {
            browser_family: browser.map(str::to_owned),
            os_family: os.map(str::to_owned),
        }
    }

    #[test]
    fn a_different_browser_family_is_a_different_device() {
        let original = fingerprint(Some("Chrome"), Some("macOS"));
        assert!(fingerprint(Some("Firefox"), Some("macOS")).differs_from(&original));
    }

    #[test]
    fn a_different_os_family_is_a_different_device() {
        let original = fingerprint(Some("Chrome"), Some("macOS"));
        assert!(fingerprint(Some("Chrome"), Some("Windows")).differs_from(&original));
    }

    #[test]
    fn an_unknown_family_is_not_evidence_of_a_change() {
        let original = fingerprint(Some("Chrome"), None);
        assert!(!fingerprint(Some("Chrome"), Some("Linux")).differs_from(&original));
        assert!(!fingerprint(None, None).differs_from(&original));
    }
}
