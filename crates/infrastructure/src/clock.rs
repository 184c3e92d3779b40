//! Adapter: the system clock, and the runtime's timer.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_application::ports::Clock;

/// Reads the operating system's clock; waits on tokio's timer.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

#[async_trait]
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    async fn pause(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}
