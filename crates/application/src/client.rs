//! What an inbound adapter knows about the client of a request.

use std::net::IpAddr;

use sessions_domain::{CountryCode, Location, UserAgent};

use crate::Application;

/// The client of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientContext {
    /// Client address (peer, or from a trusted proxy's `X-Forwarded-For`).
    pub ip: IpAddr,
    /// The `User-Agent` header, if any.
    pub user_agent: Option<UserAgent>,
    /// Country named by a trusted proxy header (e.g. `CF-IPCountry`), used when the
    /// geolocation database does not know the address.
    pub country_hint: Option<CountryCode>,
}

impl Application {
    /// The client's location: the geolocation database first, then the proxy's hint.
    pub(crate) fn locate(&self, ip: IpAddr, country_hint: Option<CountryCode>) -> Option<Location> {
        self.ports
            .geolocator
            .locate(ip)
            .or_else(|| country_hint.map(|country| Location::new(country, None)))
    }
}
