//! Port: IP geolocation.

use std::net::IpAddr;

use sessions_domain::Location;

/// Resolves client addresses to locations.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait Geolocator: Send + Sync {
    /// The location of `ip`; `None` for private, loopback, reserved or unknown addresses.
    fn locate(&self, ip: IpAddr) -> Option<Location>;
}
