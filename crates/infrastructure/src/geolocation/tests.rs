//! The MaxMind geolocator against databases written for the tests.

use super::*;

#[test]
fn private_loopback_link_local_and_reserved_addresses_are_not_public() {
    for ip in [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.1.1",
        "0.0.0.0",
        "255.255.255.255",
        "100.64.0.1",
        "203.0.113.7",
        "::1",
        "fe80::1",
        "fd00::1",
        "2001:db8::1",
        "::ffff:192.168.1.1",
    ] {
        assert!(!is_public(ip.parse().unwrap()), "{ip}");
    }
}

#[test]
fn ordinary_addresses_are_public() {
    for ip in [
        "81.2.69.142",
        "8.8.8.8",
        "2a02:1234::1",
        "::ffff:81.2.69.142",
    ] {
        assert!(is_public(ip.parse().unwrap()), "{ip}");
    }
}

/// A small City-format database: `81.2.69.0/24` London GB, `89.160.20.0/24` country SE only,
/// `2a02:1234::/32` Berlin DE, and `10.0.0.0/8` (private) Nowhere XX.
fn build_database(path: &Path) {
    use maxminddb_writer::{Database, metadata::IpVersion, paths::IpAddrWithMask};
    use serde_json::json;

    let mut db = Database::default();
    db.metadata.ip_version = IpVersion::V6;
    db.metadata.database_type = "GeoLite2-City".into();
    db.metadata.binary_format_major_version = 2;
    db.metadata.languages = vec!["en".into()];
    let london = db
        .insert_value(
            json!({ "city": { "names": { "en": "London" } }, "country": { "iso_code": "GB" } }),
        )
        .unwrap();
    let sweden = db
        .insert_value(json!({ "country": { "iso_code": "SE" } }))
        .unwrap();
    let berlin = db
        .insert_value(
            json!({ "city": { "names": { "en": "Berlin" } }, "country": { "iso_code": "DE" } }),
        )
        .unwrap();
    let nowhere = db
        .insert_value(json!({ "country": { "iso_code": "XX" } }))
        .unwrap();
    // IPv4 networks live under ::/96 in an IPv6 database.
    for (network, data) in [
        ("::81.2.69.0/120", london),
        ("::89.160.20.0/120", sweden),
        ("2a02:1234::/32", berlin),
        ("::10.0.0.0/104", nowhere),
    ] {
        db.insert_node(network.parse::<IpAddrWithMask>().unwrap(), data);
    }
    let file = std::fs::File::create(path).unwrap();
    db.write_to(std::io::BufWriter::new(file)).unwrap();
}

fn locate(geolocator: &MaxMindGeolocator, ip: &str) -> Option<String> {
    geolocator
        .locate(ip.parse().unwrap())
        .map(|l| l.to_string())
}

#[test]
fn addresses_resolve_to_city_and_country_or_country_alone() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("test-city.mmdb");
    build_database(&path);
    let geolocator = MaxMindGeolocator::open(&path).unwrap();

    assert_eq!(
        locate(&geolocator, "81.2.69.142").as_deref(),
        Some("London, GB")
    );
    assert_eq!(
        locate(&geolocator, "::ffff:81.2.69.142").as_deref(),
        Some("London, GB")
    );
    assert_eq!(locate(&geolocator, "89.160.20.112").as_deref(), Some("SE"));
    assert_eq!(
        locate(&geolocator, "2a02:1234::1").as_deref(),
        Some("Berlin, DE")
    );
    assert_eq!(locate(&geolocator, "8.8.8.8"), None);
}

#[test]
fn private_and_loopback_addresses_resolve_to_nothing_even_when_listed() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("test-city.mmdb");
    build_database(&path);
    let geolocator = MaxMindGeolocator::open(&path).unwrap();
    for ip in ["10.1.2.3", "127.0.0.1", "::1", "fe80::1", "192.168.0.1"] {
        assert_eq!(locate(&geolocator, ip), None, "{ip}");
    }
}

#[test]
fn a_corrupt_file_is_a_clear_error() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("corrupt.mmdb");
    std::fs::write(&path, b"this is not a maxmind database").unwrap();
    let error = MaxMindGeolocator::open(&path).unwrap_err();
    assert!(error.to_string().contains("corrupt.mmdb"), "{error}");
}

#[test]
fn a_reload_picks_up_a_replaced_file_and_keeps_the_old_one_on_failure() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("city.mmdb");
    build_database(&path);
    let geolocator = MaxMindGeolocator::open(&path).unwrap();
    std::fs::write(&path, b"garbage").unwrap();
    assert!(geolocator.reload().is_err());
    assert_eq!(
        locate(&geolocator, "81.2.69.142").as_deref(),
        Some("London, GB")
    );
    build_database(&path);
    assert!(geolocator.reload().is_ok());
    assert_eq!(locate(&geolocator, "89.160.20.112").as_deref(), Some("SE"));
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let error = MaxMindGeolocator::open(Path::new("/nonexistent/GeoLite2-City.mmdb")).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("/nonexistent/GeoLite2-City.mmdb")
    );
}
