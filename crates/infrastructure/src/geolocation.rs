//! Adapter: IP geolocation from a MaxMind-format database (GeoLite2 or DB-IP, City or
//! Country edition), reloadable without a restart. Private, loopback, link-local and other
//! reserved addresses are never looked up.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
};

use maxminddb::{Reader, geoip2};
use sessions_application::ports::Geolocator;
use sessions_domain::{CountryCode, Location};

/// Why a geolocation database cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("cannot use geolocation database {path}: {source}")]
pub struct GeoDatabaseError {
    /// The file.
    pub path: PathBuf,
    /// What the reader said.
    #[source]
    pub source: maxminddb::MaxMindDbError,
}

/// Looks addresses up in a `.mmdb` file.
pub struct MaxMindGeolocator {
    path: PathBuf,
    reader: RwLock<Arc<Reader<Vec<u8>>>>,
}

impl std::fmt::Debug for MaxMindGeolocator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaxMindGeolocator")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn open(path: &Path) -> Result<Reader<Vec<u8>>, GeoDatabaseError> {
    Reader::open_readfile(path).map_err(|source| GeoDatabaseError {
        path: path.to_owned(),
        source,
    })
}

/// Whether an address can have a public location at all.
fn is_public(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => !is_reserved_v4(v4),
        IpAddr::V6(v6) => !is_reserved_v6(v6),
    }
}

fn is_reserved_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
}

fn is_reserved_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link local
        || (first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
}

impl MaxMindGeolocator {
    /// Opens the database at `path`.
    ///
    /// # Errors
    /// [`GeoDatabaseError`] when the file is missing or not a MaxMind database.
    pub fn open(path: &Path) -> Result<Self, GeoDatabaseError> {
        Ok(Self {
            path: path.to_owned(),
            reader: RwLock::new(Arc::new(open(path)?)),
        })
    }

    /// Re-reads the file (after the operator replaced it); the old data stays in use when the
    /// new file is unusable.
    ///
    /// # Errors
    /// [`GeoDatabaseError`] when the new file cannot be read.
    pub fn reload(&self) -> Result<(), GeoDatabaseError> {
        let fresh = Arc::new(open(&self.path)?);
        if let Ok(mut reader) = self.reader.write() {
            *reader = fresh;
        }
        Ok(())
    }

    fn current(&self) -> Option<Arc<Reader<Vec<u8>>>> {
        self.reader.read().ok().map(|reader| Arc::clone(&reader))
    }
}

impl Geolocator for MaxMindGeolocator {
    fn locate(&self, ip: IpAddr) -> Option<Location> {
        let ip = ip.to_canonical();
        if !is_public(ip) {
            return None;
        }
        let reader = self.current()?;
        let record: geoip2::City = reader.lookup(ip).ok()??;
        let country = CountryCode::parse(record.country?.iso_code?).ok()?;
        let city = record
            .city
            .and_then(|city| city.names)
            .and_then(|names| names.get("en").map(|name| (*name).to_owned()));
        Some(Location::new(country, city))
    }
}

/// Used when no database is configured: knows no location (a trusted proxy's country
/// header may still name the country).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoGeolocation;

impl Geolocator for NoGeolocation {
    fn locate(&self, _ip: IpAddr) -> Option<Location> {
        None
    }
}

#[cfg(test)]
mod tests {
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
        let error =
            MaxMindGeolocator::open(Path::new("/nonexistent/GeoLite2-City.mmdb")).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("/nonexistent/GeoLite2-City.mmdb")
        );
    }
}
