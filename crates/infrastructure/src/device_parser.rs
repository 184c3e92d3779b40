//! Adapter: user-agent parsing with the uap-core rules (bundled, nothing fetched at run time)
//! through the ua-parser project's Rust engine, which runs only the rules whose literal
//! fragments occur in the string; behind a bounded LRU cache because the same strings
//! repeat. The rules are compiled on first use, so a server that parses nothing pays nothing.

use std::{
    num::NonZeroUsize,
    sync::{Mutex, OnceLock},
};

use lru::LruCache;
use sessions_application::ports::DeviceParser;
use sessions_domain::{DeviceFingerprint, DeviceInfo, DeviceKind, ParsedDevice, UserAgent};
use ua_parser::{os, user_agent};

/// The uap-core rule set, compiled into the binary.
const RULES: &[u8] = include_bytes!("../data/uap-core/regexes.yaml");

/// The compiled browser and OS rules (the device rules are not needed).
struct Rules {
    browsers: user_agent::Extractor<'static>,
    systems: os::Extractor<'static>,
}

/// Why the bundled rules could not be used.
#[derive(Debug, thiserror::Error)]
enum RulesError {
    #[error("unreadable: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("not compilable: {0}")]
    Compile(#[from] ua_parser::Error),
}

impl Rules {
    fn compile() -> Result<Self, RulesError> {
        let rules: ua_parser::Regexes<'static> = serde_yaml::from_slice(RULES)?;
        let browsers = user_agent::Builder::new()
            .push_all(rules.user_agent_parsers)?
            .build()
            .map_err(ua_parser::Error::from)?;
        let systems = os::Builder::new()
            .push_all(rules.os_parsers)
            .map_err(ua_parser::Error::from)?
            .build()
            .map_err(ua_parser::Error::from)?;
        Ok(Self { browsers, systems })
    }
}

/// Parses user agents into "Browser on OS" descriptions.
pub struct UapDeviceParser {
    rules: OnceLock<Option<Rules>>,
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
            rules: OnceLock::new(),
            cache: Mutex::new(LruCache::new(cache_size)),
        }
    }

    fn rules(&self) -> Option<&Rules> {
        self.rules
            .get_or_init(|| {
                Rules::compile()
                    .inspect_err(|error| tracing::error!(%error, "user-agent rules unusable"))
                    .ok()
            })
            .as_ref()
    }

    fn describe(&self, raw: &str) -> ParsedDevice {
        let (browser, os) = match self.rules() {
            Some(rules) => (
                rules
                    .browsers
                    .extract(raw)
                    .and_then(|found| known(browser_name(&found.family))),
                rules
                    .systems
                    .extract(raw)
                    .and_then(|found| known(os_name(&found.os))),
            ),
            None => (None, None),
        };
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
