//! What an inbound adapter knows about the client of a request.

use std::net::IpAddr;

use sessions_domain::{Actor, Cause, CountryCode, IncidentId, Location, Origin, UserAgent};

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

/// Who asks for a change, and the client of their request when a request asks: what the
/// events of the change record as their cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Who.
    pub actor: Actor,
    /// The request's client, if a request asks.
    pub client: Option<ClientContext>,
}

impl Caller {
    /// A user acting through `session_id`, from `client`.
    pub fn user(session_id: sessions_domain::SessionId, client: ClientContext) -> Self {
        Self {
            actor: Actor::session(session_id),
            client: Some(client),
        }
    }

    /// An administrator, from `client`.
    pub fn admin(client: ClientContext) -> Self {
        Self {
            actor: Actor::Admin,
            client: Some(client),
        }
    }
}

impl Application {
    /// The cause events record for `actor` acting from `client`: its address, user agent,
    /// device and location.
    pub(crate) fn cause(
        &self,
        actor: Actor,
        client: Option<&ClientContext>,
        incident: Option<IncidentId>,
    ) -> Cause {
        Cause {
            actor,
            origin: client.map(|client| Origin {
                ip: client.ip,
                device: client
                    .user_agent
                    .as_ref()
                    .map(|agent| self.ports.devices.parse(agent).info),
                user_agent: client.user_agent.clone(),
                location: self.locate(client.ip, client.country_hint),
            }),
            incident,
        }
    }

    /// The cause of what `caller` asks.
    pub(crate) fn cause_of(&self, caller: &Caller) -> Cause {
        self.cause(caller.actor, caller.client.as_ref(), None)
    }

    /// The client's location: the geolocation database first, then the proxy's hint.
    pub(crate) fn locate(&self, ip: IpAddr, country_hint: Option<CountryCode>) -> Option<Location> {
        self.ports
            .geolocator
            .locate(ip)
            .or_else(|| country_hint.map(|country| Location::new(country, None)))
    }
}
