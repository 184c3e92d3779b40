//! The device parser over real user agents: desktop, mobile, tablet, bots, CLI tools,
//! in-app browsers, empty and garbage input.

use sessions_application::ports::DeviceParser;
use sessions_domain::{DeviceKind, UserAgent};
use sessions_infrastructure::UapDeviceParser;

/// (user agent, expected description, expected kind)
const CASES: &[(&str, &str, DeviceKind)] = &[
    // desktop Chrome, macOS
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Chrome on macOS",
        DeviceKind::Desktop,
    ),
    // desktop Chrome, Windows
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Chrome on Windows",
        DeviceKind::Desktop,
    ),
    // desktop Chrome, Linux
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Chrome on Linux",
        DeviceKind::Desktop,
    ),
    // desktop Firefox, Windows
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "Firefox on Windows",
        DeviceKind::Desktop,
    ),
    // desktop Firefox, macOS
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0",
        "Firefox on macOS",
        DeviceKind::Desktop,
    ),
    // desktop Firefox, Ubuntu
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "Firefox on Ubuntu",
        DeviceKind::Desktop,
    ),
    // desktop Safari
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
        "Safari on macOS",
        DeviceKind::Desktop,
    ),
    // desktop Edge
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
        "Edge on Windows",
        DeviceKind::Desktop,
    ),
    // desktop Opera
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
        "Opera on Windows",
        DeviceKind::Desktop,
    ),
    // Chromebook
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Chrome on ChromeOS",
        DeviceKind::Desktop,
    ),
    // Internet Explorer 11
    (
        "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
        "Internet Explorer on Windows",
        DeviceKind::Desktop,
    ),
    // Vivaldi
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Vivaldi/6.5.3206.48",
        "Vivaldi on Windows",
        DeviceKind::Desktop,
    ),
    // iPhone Safari
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "Safari on iOS",
        DeviceKind::Mobile,
    ),
    // iPhone Chrome
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
        "Chrome on iOS",
        DeviceKind::Mobile,
    ),
    // iPhone Firefox
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/121.0 Mobile/15E148 Safari/605.1.15",
        "Firefox on iOS",
        DeviceKind::Mobile,
    ),
    // Pixel Chrome
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
        "Chrome on Android",
        DeviceKind::Mobile,
    ),
    // Samsung Internet
    (
        "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
        "Samsung Internet on Android",
        DeviceKind::Mobile,
    ),
    // Android Firefox
    (
        "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
        "Firefox on Android",
        DeviceKind::Mobile,
    ),
    // Android Edge
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 EdgA/120.0.2210.115",
        "Edge on Android",
        DeviceKind::Mobile,
    ),
    // Android Opera
    (
        "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36 OPR/79.0.4195.76431",
        "Opera on Android",
        DeviceKind::Mobile,
    ),
    // iPad Safari
    (
        "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "Safari on iOS",
        DeviceKind::Tablet,
    ),
    // Galaxy Tab Chrome
    (
        "Mozilla/5.0 (Linux; Android 13; SM-X906C) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Safari/537.36",
        "Chrome on Android",
        DeviceKind::Tablet,
    ),
    // Kindle Fire Silk
    (
        "Mozilla/5.0 (Linux; Android 11; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/120.3.1 like Chrome/120.0.6099.144 Safari/537.36",
        "Amazon Silk on Android",
        DeviceKind::Tablet,
    ),
    // Googlebot
    (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Googlebot",
        DeviceKind::Bot,
    ),
    // Bingbot
    (
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "bingbot",
        DeviceKind::Bot,
    ),
    // Googlebot smartphone-era desktop
    (
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/120.0.6099.216 Safari/537.36",
        "Googlebot",
        DeviceKind::Bot,
    ),
    // Facebook link preview
    (
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "FacebookBot",
        DeviceKind::Bot,
    ),
    // YandexBot
    (
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "YandexBot",
        DeviceKind::Bot,
    ),
    // Slack link preview
    (
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Slackbot-LinkExpanding",
        DeviceKind::Bot,
    ),
    // Twitter card bot
    ("Twitterbot/1.0", "Twitterbot", DeviceKind::Bot),
    // curl
    ("curl/8.5.0", "curl", DeviceKind::Other),
    // wget
    ("Wget/1.21.4", "Wget", DeviceKind::Other),
    // python-requests
    (
        "python-requests/2.31.0",
        "Python Requests",
        DeviceKind::Other,
    ),
    // Postman
    ("PostmanRuntime/7.36.0", "PostmanRuntime", DeviceKind::Other),
    // OkHttp
    ("okhttp/4.12.0", "okhttp", DeviceKind::Other),
    // Go net/http
    ("Go-http-client/1.1", "Go-http-client", DeviceKind::Other),
    // HTTPie
    ("HTTPie/3.2.2", "Unknown device", DeviceKind::Other),
    // Facebook in-app browser
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/444.0.0.30.110;FBBV/553224785;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.1;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
        "Facebook on iOS",
        DeviceKind::Mobile,
    ),
    // Instagram in-app browser
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 312.0.0.32.112 (iPhone15,2; iOS 17_1; en_US; en; scale=3.00; 1179x2556; 548339486)",
        "Instagram on iOS",
        DeviceKind::Mobile,
    ),
    // Android WebView
    (
        "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36",
        "Chrome on Android",
        DeviceKind::Mobile,
    ),
    // LINE in-app browser
    (
        "Mozilla/5.0 (Linux; Android 13; SM-G991B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 Line/13.21.0",
        "LINE on Android",
        DeviceKind::Mobile,
    ),
    // Teams desktop app
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0 Teams/1.6.00.1381",
        "Edge on Windows",
        DeviceKind::Desktop,
    ),
    // PlayStation 5
    (
        "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0 Safari/605.1.15",
        "Safari",
        DeviceKind::Other,
    ),
    // Samsung smart TV
    (
        "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.5) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/85.0.4183.93 TV Safari/537.36",
        "Samsung Internet on Tizen",
        DeviceKind::Other,
    ),
    // Dalvik app runtime
    (
        "Dalvik/2.1.0 (Linux; U; Android 13; Pixel 7 Build/TQ3A.230901.001)",
        "Android app",
        DeviceKind::Mobile,
    ),
    // unknown app
    ("MyApp/1.0", "Unknown device", DeviceKind::Other),
    // one letter
    ("x", "Unknown device", DeviceKind::Other),
];

#[test]
fn real_user_agents_are_described_as_people_name_them() {
    let parser = UapDeviceParser::default();
    let mut wrong = Vec::new();
    for (raw, description, kind) in CASES {
        let parsed = parser.parse(&UserAgent::from_header(raw).expect("a user agent"));
        if parsed.info.as_str() != *description || parsed.kind != *kind {
            wrong.push(format!(
                "{raw}\n  got {:?} {:?}, want {description:?} {kind:?}",
                parsed.info.as_str(),
                parsed.kind
            ));
        }
    }
    assert!(CASES.len() >= 40);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn an_empty_header_is_no_user_agent_at_all() {
    assert_eq!(UserAgent::from_header(""), None);
    assert_eq!(UserAgent::from_header("   "), None);
}

#[test]
fn ten_kilobytes_of_garbage_is_an_unknown_device() {
    let garbage: String = (0..10_240)
        .map(|n| char::from(b'!' + u8::try_from(n % 90).unwrap()))
        .collect();
    let parsed = UapDeviceParser::default().parse(&UserAgent::from_header(&garbage).unwrap());
    assert_eq!(parsed.info.as_str(), "Unknown device");
    assert_eq!(parsed.kind, DeviceKind::Other);
}

#[test]
fn browser_and_os_families_feed_the_suspicious_rule() {
    let parser = UapDeviceParser::default();
    let chrome_mac = parser
        .parse(&UserAgent::from_header(CASES[0].0).unwrap())
        .fingerprint;
    let firefox_mac = parser
        .parse(&UserAgent::from_header(CASES[4].0).unwrap())
        .fingerprint;
    let chrome_windows = parser
        .parse(&UserAgent::from_header(CASES[1].0).unwrap())
        .fingerprint;
    assert_eq!(chrome_mac.browser_family.as_deref(), Some("Chrome"));
    assert_eq!(chrome_mac.os_family.as_deref(), Some("macOS"));
    assert!(firefox_mac.differs_from(&chrome_mac));
    assert!(chrome_windows.differs_from(&chrome_mac));
    assert!(!chrome_mac.differs_from(&chrome_mac.clone()));
}

#[test]
fn repeated_user_agents_are_answered_from_the_cache_identically() {
    let parser = UapDeviceParser::default();
    let agent = UserAgent::from_header(CASES[16].0).unwrap();
    assert_eq!(parser.parse(&agent), parser.parse(&agent));
}
