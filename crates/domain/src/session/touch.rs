//! Touch: what every authenticated request does to its session — throttled activity writes,
//! IP-change detection and the suspicious-activity rule.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use super::{Session, SessionInactive};
use crate::{
    CountryCode, DeviceFingerprint, NetworkRelation, RevocationReason, SessionEvent,
    SessionEventKind, SessionPolicy, SuspiciousKind, network_relation,
};

/// What one request tells about its client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TouchRequest {
    /// Client address of the request.
    pub ip: IpAddr,
    /// Fingerprint of the request's user agent; `None` when it sent none.
    pub device: Option<DeviceFingerprint>,
    /// Fingerprint of the user agent the session started with, when it had one.
    pub original_device: Option<DeviceFingerprint>,
    /// Country the request's address resolves to, when known.
    pub country: Option<CountryCode>,
}

/// A change of client address within a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpChange {
    /// The session's previous address.
    pub from: IpAddr,
    /// The request's address.
    pub to: IpAddr,
    /// Same IPv4 /24 or IPv6 /64, or not.
    pub relation: NetworkRelation,
}

/// Whether a touch changed anything that must be stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TouchWrite {
    /// Nothing changed: no write (the common case inside the write threshold).
    Nothing,
    /// Only `last_activity_at` moved on.
    Activity,
    /// Security-relevant state changed (address, suspicious count, revocation).
    State,
}

/// What a touch found and did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TouchOutcome {
    /// What must be stored.
    pub write: TouchWrite,
    /// Set when the client address changed.
    pub ip_change: Option<IpChange>,
    /// Set when this request counted as suspicious.
    pub suspicious: Option<SuspiciousKind>,
    /// Whether this request pushed the suspicious count to the threshold and revoked the
    /// session (the request must then be refused).
    pub revoked: bool,
    /// Events to append to the audit trail, in order.
    pub events: Vec<SessionEvent>,
}

impl Session {
    /// Applies one authenticated request to the session.
    ///
    /// # Errors
    /// [`SessionInactive`] when the session is revoked, expired or idle-timed-out at `now`;
    /// nothing is changed then.
    pub fn touch(
        &mut self,
        request: &TouchRequest,
        now: DateTime<Utc>,
        policy: &SessionPolicy,
    ) -> Result<TouchOutcome, SessionInactive> {
        self.ensure_active(now, policy)?;
        let mut events = Vec::new();

        let ip_change = self.detect_ip_change(request.ip);
        if let Some(change) = ip_change {
            self.state.last_ip_address = Some(change.to);
            events.push(self.event(
                SessionEventKind::IpChanged {
                    from: change.from,
                    to: change.to,
                    same_network: change.relation == NetworkRelation::SameNetwork,
                },
                now,
            ));
        }

        let suspicious = self.detect_suspicious(request);
        let mut revoked = false;
        if let Some(kind) = suspicious {
            self.state.suspicious_activity_count =
                self.state.suspicious_activity_count.saturating_add(1);
            let count = self.state.suspicious_activity_count;
            events.push(self.event(SessionEventKind::SuspiciousActivity { kind, count }, now));
            let threshold_reached =
                policy.suspicious_threshold > 0 && count >= policy.suspicious_threshold;
            let exempt = self.state.is_trusted && !kind.involves_device();
            if threshold_reached
                && !exempt
                && let Ok(event) = self.revoke(RevocationReason::SuspiciousActivity, now)
            {
                events.push(event);
                revoked = true;
            }
        }

        let write = if !events.is_empty() {
            TouchWrite::State
        } else if now - self.state.last_activity_at >= policy.activity_write_threshold() {
            TouchWrite::Activity
        } else {
            TouchWrite::Nothing
        };
        if write != TouchWrite::Nothing {
            self.state.last_activity_at = now;
            self.state.updated_at = now;
        }
        Ok(TouchOutcome {
            write,
            ip_change,
            suspicious,
            revoked,
            events,
        })
    }

    fn detect_ip_change(&self, ip: IpAddr) -> Option<IpChange> {
        let to = ip.to_canonical();
        let from = self
            .state
            .last_ip_address
            .unwrap_or(self.state.ip_address)
            .to_canonical();
        (from != to).then(|| IpChange {
            from,
            to,
            relation: network_relation(from, to),
        })
    }

    fn detect_suspicious(&self, request: &TouchRequest) -> Option<SuspiciousKind> {
        let started_in = self.state.location.as_ref().map(crate::Location::country);
        let country_changed = matches!((started_in, request.country), (Some(a), Some(b)) if a != b);
        let device_changed = match (&request.device, &request.original_device) {
            (Some(now_seen), Some(original)) => now_seen.differs_from(original),
            _ => false,
        };
        SuspiciousKind::of(country_changed, device_changed)
    }
}
