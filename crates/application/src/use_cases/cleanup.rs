//! Use case: delete sessions that ended (expired or revoked) longer ago than the retention,
//! in bounded batches so that live traffic is never blocked by one huge delete.

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
    /// comes back short.
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

    use super::*;
    use crate::use_cases::test_support::{MockPorts, t0};

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
}
