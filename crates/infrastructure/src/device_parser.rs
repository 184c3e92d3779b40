//! Adapter: user-agent parsing with the uap-core rules (bundled, turned into statics at build
//! time, nothing fetched or parsed at run time) through the ua-parser project's Rust engine;
//! each rule is compiled when a string first contains the literal texts it requires
//! (`rules`), and results sit in a bounded LRU cache because the same strings repeat.

mod rules;

use std::{num::NonZeroUsize, sync::Mutex};

use lru::LruCache;
use sessions_application::ports::DeviceParser;
use sessions_domain::{DeviceFingerprint, DeviceInfo, DeviceKind, ParsedDevice, UserAgent};
use ua_parser::{os, user_agent};

use self::rules::LazyRules;

/// Parses user agents into "Browser on OS" descriptions.
pub struct UapDeviceParser {
    browsers: LazyRules<user_agent::Extractor<'static>>,
    systems: LazyRules<os::Extractor<'static>>,
    cache: Mutex<LruCache<String, ParsedDevice>>,
}

impl std::fmt::Debug for UapDeviceParser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UapDeviceParser").finish_non_exhaustive()
    }
}

impl UapDeviceParser {
    /// A parser caching up to `cache_size` distinct user agents.
    pub fn new(cache_size: NonZeroUsize) -> Self {
        Self {
            browsers: rules::browsers(),
            systems: rules::systems(),
            cache: Mutex::new(LruCache::new(cache_size)),
        }
    }

    #[expect(
        clippy::redundant_closure_for_method_calls,
        reason = "the method's path would tie `raw` to the rules' `'static` lifetime"
    )]
    fn describe(&self, raw: &str) -> ParsedDevice {
        let browser = self
            .browsers
            .first_match(raw, |rules, raw| rules.extract(raw))
            .and_then(|found| known(browser_name(&found.family)));
        let os = self
            .systems
            .first_match(raw, |rules, raw| rules.extract(raw))
            .and_then(|found| known(os_name(&found.os)));
        let info = match (&browser, &os) {
            // An app on the platform's own HTTP stack (e.g. Dalvik) names only the platform.
            (Some(browser), Some(os)) if browser == os => format!("{os} app"),
            (Some(browser), Some(os)) => format!("{browser} on {os}"),
            (Some(browser), None) => browser.clone(),
            (None, Some(os)) => format!("Unknown browser on {os}"),
            (None, None) => "Unknown device".to_owned(),
        };
        ParsedDevice {
            info: DeviceInfo::new(info),
            kind: kind(raw, os.as_deref()),
            fingerprint: DeviceFingerprint {
                browser_family: browser,
                os_family: os,
            },
        }
    }
}

impl Default for UapDeviceParser {
    fn default() -> Self {
        Self::new(NonZeroUsize::new(4096).unwrap_or(NonZeroUsize::MIN))
    }
}

/// `None` for the rule set's "Other".
fn known(name: String) -> Option<String> {
    (name != "Other" && !name.is_empty()).then_some(name)
}

/// The browser family as people call it ("Mobile Safari" is Safari).
fn browser_name(family: &str) -> String {
    match family {
        "Mobile Safari" | "Mobile Safari UI/WKWebView" => "Safari",
        "Chrome Mobile" | "Chrome Mobile iOS" | "Chrome Mobile WebView" => "Chrome",
        "Firefox Mobile" | "Firefox iOS" => "Firefox",
        "Edge Mobile" => "Edge",
        "Opera Mobile" => "Opera",
        "IE" => "Internet Explorer",
        other => other,
    }
    .to_owned()
}

/// The OS family as people call it.
fn os_name(family: &str) -> String {
    match family {
        "Mac OS X" => "macOS",
        "Chrome OS" => "ChromeOS",
        other => other,
    }
    .to_owned()
}

/// The device class, from the OS and a few well-known markers.
fn kind(raw: &str, os: Option<&str>) -> DeviceKind {
    let lower = raw.to_ascii_lowercase();
    if ["bot", "crawler", "spider", "slurp", "facebookexternalhit"]
        .iter()
        .any(|marker| lower.contains(marker))
    {
        return DeviceKind::Bot;
    }
    match os {
        Some("iOS") if lower.contains("ipad") => DeviceKind::Tablet,
        // Android browsers say "Mobile" on phones only; apps (no "Mozilla") say nothing.
        Some("Android") if lower.starts_with("mozilla") && !lower.contains("mobile") => {
            DeviceKind::Tablet
        }
        Some("iOS" | "Android" | "Windows Phone" | "BlackBerry OS" | "KaiOS") => DeviceKind::Mobile,
        Some("macOS" | "Windows" | "Linux" | "Ubuntu" | "Fedora" | "ChromeOS" | "FreeBSD") => {
            DeviceKind::Desktop
        }
        _ => DeviceKind::Other,
    }
}

impl DeviceParser for UapDeviceParser {
    fn parse(&self, user_agent: &UserAgent) -> ParsedDevice {
        let raw = user_agent.as_str();
        if let Some(hit) = self
            .cache
            .lock()
            .ok()
            .and_then(|mut cache| cache.get(raw).cloned())
        {
            return hit;
        }
        let parsed = self.describe(raw);
        if let Ok(mut cache) = self.cache.lock() {
            cache.put(raw.to_owned(), parsed.clone());
        }
        parsed
    }
}
