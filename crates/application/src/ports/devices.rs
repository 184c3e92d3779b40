//! Port: user-agent parsing.

use sessions_domain::{ParsedDevice, UserAgent};

/// Turns a user-agent header into a device description.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait DeviceParser: Send + Sync {
    /// Describes the device; unknown strings get a fallback description, never an error.
    fn parse(&self, user_agent: &UserAgent) -> ParsedDevice;
}
