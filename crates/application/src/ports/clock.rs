//! Port: the current time, and waiting. The domain never reads a clock; use cases ask this
//! port.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A source of the current time.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;

    /// Returns after `duration`, without holding a thread meanwhile.
    async fn pause(&self, duration: Duration);
}
