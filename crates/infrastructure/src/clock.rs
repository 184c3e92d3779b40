//! Adapter: the system clock.

use chrono::{DateTime, Utc};
use sessions_application::ports::Clock;

/// Reads the operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
