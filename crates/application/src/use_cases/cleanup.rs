//! Use case: delete sessions that ended (expired or revoked) longer ago than the retention,
//! in bounded batches so that live traffic is never blocked by one huge delete, with a pause
//! after each batch so that it keeps most of the store's time.

use crate::{Application, ports::StoreError};

/// What a cleanup run did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CleanupReport {
    /// Sessions deleted.
    pub deleted: u64,
    /// Delete statements run (the last one deletes less than a full batch).
    pub batches: u64,
}

/// Why the cleanup stopped.
#[derive(Debug, thiserror::Error)]
pub enum CleanupError {
    /// The store failed; batches already committed stay deleted.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Deletes ended sessions older than the retention, batch after batch, until a batch
    /// comes back short; after each full batch it pauses the policy's
    /// `cleanup_pause_factor` times as long as the batch took.
    ///
    /// # Errors
    /// See [`CleanupError`].
    #[tracing::instrument(skip_all)]
    pub async fn cleanup(&self) -> Result<CleanupReport, CleanupError> {
        let cutoff = self.ports.clock.now() - self.policy.retention;
        let batch_size = self.policy.cleanup_batch_size.max(1);
        let mut report = CleanupReport {
            deleted: 0,
            batches: 0,
        };
        loop {
            let started = self.ports.clock.now();
            let deleted = self
                .ports
                .sessions
                .delete_finished_before(cutoff, batch_size)
                .await?;
            report.deleted += deleted;
            report.batches += 1;
            if deleted < u64::from(batch_size) {
                break;
            }
            // A clock stepping back makes the batch take no time.
            let took = (self.ports.clock.now() - started)
                .to_std()
                .unwrap_or_default();
            let pause = took.saturating_mul(self.policy.cleanup_pause_factor);
            self.ports.clock.pause(pause).await;
        }
        tracing::info!(
            deleted = report.deleted,
            batches = report.batches,
            "cleanup done"
        );
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use mockall::{Sequence, predicate::eq};
    use sessions_domain::SessionPolicy;

    use std::time::Duration;

    use super::*;
    use crate::{
        ports::MockClock,
        use_cases::test_support::{MockPorts, t0},
    };

    #[tokio::test]
    async fn batches_run_until_one_comes_back_short() {
        let mut ports = MockPorts::new();
        ports.policy = SessionPolicy {
            cleanup_batch_size: 10,
            ..SessionPolicy::default()
        };
        let cutoff = t0() - TimeDelta::days(7);
        let mut order = Sequence::new();
        for deleted in [10, 10, 3] {
            ports
                .sessions
                .expect_delete_finished_before()
                .with(eq(cutoff), eq(10))
                .times(1)
                .in_sequence(&mut order)
                .returning(move |_, _| Ok(deleted));
        }
        let report = ports.app().cleanup().await.unwrap();
        assert_eq!(
            report,
            CleanupReport {
                deleted: 23,
                batches: 3
            }
        );
    }

    #[tokio::test]
    async fn a_failing_batch_stops_the_run() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_delete_finished_before()
            .times(1)
            .returning(|_, _| Err(StoreError::new(std::io::Error::other("down"))));
        assert!(ports.app().cleanup().await.is_err());
    }

    #[tokio::test]
    async fn each_full_batch_is_followed_by_a_pause_of_its_duration_times_the_factor() {
        let mut ports = MockPorts::new();
        ports.policy = SessionPolicy {
            cleanup_batch_size: 10,
            cleanup_pause_factor: 2,
            ..SessionPolicy::default()
        };
        for deleted in [10, 10, 3] {
            ports
                .sessions
                .expect_delete_finished_before()
                .times(1)
                .returning(move |_, _| Ok(deleted));
        }
        // The cutoff's reading, then each batch's start and (when full) end.
        let readings = [0, 0, 4, 4, 10, 10].map(|ms| t0() + TimeDelta::milliseconds(ms));
        let mut readings = readings.into_iter();
        let mut clock = MockClock::new();
        clock
            .expect_now()
            .times(6)
            .returning(move || readings.next().unwrap());
        let mut order = Sequence::new();
        for ms in [8, 12] {
            clock
                .expect_pause()
                .with(eq(Duration::from_millis(ms)))
                .times(1)
                .in_sequence(&mut order)
                .return_const(());
        }
        ports.clock = Some(clock);
        let report = ports.app().cleanup().await.unwrap();
        assert_eq!(report.batches, 3);
    }
}
