//! Use cases for operations: readiness and the active-sessions gauge.

use crate::{Application, ports::StoreError};

impl Application {
    /// Whether the store answers.
    ///
    /// # Errors
    /// [`StoreError`] when it does not.
    pub async fn check_ready(&self) -> Result<(), StoreError> {
        self.ports.storage.health.ping().await
    }

    /// How many sessions are active (not revoked, not expired) now, across all users.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    pub async fn count_active_sessions(&self) -> Result<u64, StoreError> {
        let now = self.ports.clock.now();
        self.ports.storage.sessions.count_active(now).await
    }
}

#[cfg(test)]
mod tests {
    use mockall::predicate::eq;

    use crate::use_cases::test_support::{MockPorts, t0};

    #[tokio::test]
    async fn readiness_is_the_stores_answer() {
        let mut ports = MockPorts::new();
        ports.health.expect_ping().times(1).returning(|| Ok(()));
        assert!(ports.app().check_ready().await.is_ok());
    }

    #[tokio::test]
    async fn active_sessions_are_counted_at_the_current_time() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_count_active()
            .with(eq(t0()))
            .times(1)
            .returning(|_| Ok(42));
        assert_eq!(ports.app().count_active_sessions().await.unwrap(), 42);
    }
}
