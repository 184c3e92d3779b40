//! What one refresh rotation writes, in driver-neutral types, for both stores.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sessions_application::ports::RefreshRotation;
use sessions_domain::{DeviceFingerprint, RefreshClient, RefreshToken};
use uuid::Uuid;

use crate::session_record::SessionRecord;

/// What one rotation writes: the session moves to the successor token (if its version is
/// the one read and the presented token is still unused), the presented token is marked
/// used, the successor is inserted. A rotation changes a session's current token, last
/// activity and `updated_at`; under the version check, writing those is writing the session.
#[derive(Debug)]
pub(crate) struct RotationRequest {
    pub(crate) session_id: Uuid,
    pub(crate) version: i64,
    pub(crate) last_activity_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) used_id: Uuid,
    pub(crate) used_at: Option<DateTime<Utc>>,
    /// The client that used the presented token: address, browser and OS families.
    pub(crate) used_by: UsedBy,
    /// The new, unused token.
    pub(crate) successor: RefreshToken,
}

impl From<&RefreshRotation> for RotationRequest {
    fn from(rotation: &RefreshRotation) -> Self {
        let session = SessionRecord::from_session(&rotation.session);
        Self {
            session_id: session.id,
            version: session.version,
            last_activity_at: session.last_activity_at,
            updated_at: session.updated_at,
            used_id: rotation.used.id.as_uuid(),
            used_at: rotation.used.used_at,
            used_by: UsedBy::of(rotation.used.used_by.as_ref()),
            successor: rotation.successor.clone(),
        }
    }
}

/// The columns of the client that used a token (`used_by_ip`, `used_by_browser`,
/// `used_by_os`), all `NULL` while unused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct UsedBy {
    pub(crate) ip: Option<IpAddr>,
    pub(crate) browser: Option<String>,
    pub(crate) os: Option<String>,
}

impl UsedBy {
    /// The columns of `client`.
    pub(crate) fn of(client: Option<&RefreshClient>) -> Self {
        let Some(client) = client else {
            return Self::default();
        };
        let device = client.device.as_ref();
        Self {
            ip: Some(client.ip),
            browser: device.and_then(|device| device.browser_family.clone()),
            os: device.and_then(|device| device.os_family.clone()),
        }
    }

    /// The client these columns describe; `None` when no address was recorded. A client
    /// without either family sent no user agent.
    pub(crate) fn client(self) -> Option<RefreshClient> {
        let ip = self.ip?;
        let device = (self.browser.is_some() || self.os.is_some()).then_some(DeviceFingerprint {
            browser_family: self.browser,
            os_family: self.os,
        });
        Some(RefreshClient { ip, device })
    }
}

impl RotationRequest {
    /// The successor token's id, which the session moves to.
    pub(crate) fn successor_id(&self) -> Uuid {
        self.successor.id.as_uuid()
    }
}
