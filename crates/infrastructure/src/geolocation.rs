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
mod tests;
