//! Use case: delete sessions that ended (expired or revoked) longer ago than the retention,
//! in bounded batches so that live traffic is never blocked by one huge delete; events
//! older than the audit retention (whether or not their session is still kept), and the
//! throttle's ended attempt counts and expired device tokens, likewise.

use chrono::{DateTime, Utc};
use sessions_domain::sub_saturating;

use crate::{
    Application,
    ports::{CleanupBatch, EndedBy, StoreError},
};

/// What a cleanup run did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CleanupReport {
    /// Sessions deleted.
    pub deleted: u64,
    /// Delete statements run (each end time's walk ends with one that deletes less than a
    /// full batch).
    pub batches: u64,
    /// Events deleted.
    pub events: u64,
    /// Attempt counts and device tokens deleted.
    pub throttle_records: u64,
}

/// Why the cleanup stopped.
#[derive(Debug, thiserror::Error)]
pub enum CleanupError {
    /// The store failed; batches already committed stay deleted.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Deletes ended sessions older than the retention, batch after batch: first those that
    /// expired, then those revoked, each walk earliest first and every batch starting where
    /// the previous one ended, until a batch comes back short.
    ///
    /// # Errors
    /// See [`CleanupError`].
    #[tracing::instrument(skip_all)]
    pub async fn cleanup(&self) -> Result<CleanupReport, CleanupError> {
        let now = self.ports.clock.now();
        let before = sub_saturating(now, self.policy.retention);
        let size = self.policy.cleanup_batch_size.max(1);
        let mut report = CleanupReport {
            deleted: 0,
            batches: 0,
            events: 0,
            throttle_records: 0,
        };
        for ended_by in [EndedBy::Expiry, EndedBy::Revocation] {
            // No session ended before the epoch: it was created after it.
            let mut from = DateTime::<Utc>::UNIX_EPOCH;
            loop {
                let batch = CleanupBatch {
                    ended_by,
                    from,
                    before,
                    size,
                };
                let deleted = self.ports.storage.sessions.delete_ended(batch).await?;
                report.deleted += deleted.count;
                report.batches += 1;
                match deleted.last_ended_at {
                    Some(last) if deleted.count >= u64::from(size) => from = last,
                    _ => break,
                }
            }
        }
        let events_before = sub_saturating(now, self.policy.audit_retention);
        let events = &self.ports.storage.events;
        report.events =
            in_batches(size, || events.delete_recorded_before(events_before, size)).await?;
        report.throttle_records = self.delete_throttle_records(now, size).await?;
        tracing::info!(
            deleted = report.deleted,
            batches = report.batches,
            events = report.events,
            throttle_records = report.throttle_records,
            "cleanup done"
        );
        Ok(report)
    }

    /// Deletes attempt counts whose window ended and device tokens that expired before
    /// `now`, `size` at a time; returns how many.
    async fn delete_throttle_records(
        &self,
        now: DateTime<Utc>,
        size: u32,
    ) -> Result<u64, StoreError> {
        let storage = &self.ports.storage;
        let attempts = in_batches(size, || storage.attempts.delete_ended(now, size)).await?;
        let device_tokens = in_batches(size, || {
            storage
                .device_tokens
                .delete_expired_device_tokens(now, size)
        })
        .await?;
        Ok(attempts + device_tokens)
    }
}

/// Runs `batch`, which deletes at most `size` rows, until one deletes fewer; how many in all.
async fn in_batches<Batch, Deleting>(size: u32, mut batch: Batch) -> Result<u64, StoreError>
where
    Batch: FnMut() -> Deleting,
    Deleting: Future<Output = Result<u64, StoreError>>,
{
    let mut deleted = 0;
    loop {
        let count = batch().await?;
        deleted += count;
        if count < u64::from(size) {
            return Ok(deleted);
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use mockall::{Sequence, predicate::eq};
    use sessions_domain::SessionPolicy;

    use super::*;
    use crate::ports::DeletedBatch;
    use crate::use_cases::test_support::{MockPorts, t0};

    /// A batch of `size` sessions at most, as the use case asks for it.
    fn batch(ended_by: EndedBy, from: DateTime<Utc>, size: u32) -> CleanupBatch {
        CleanupBatch {
            ended_by,
            from,
            before: t0() - TimeDelta::days(7),
            size,
        }
    }

    fn deleted(count: u64, last_ended_at: Option<DateTime<Utc>>) -> DeletedBatch {
        DeletedBatch {
            count,
            last_ended_at,
        }
    }

    #[tokio::test]
    async fn each_end_time_is_walked_forward_from_where_the_last_batch_ended() {
        let mut ports = MockPorts::new();
        ports.policy = SessionPolicy {
            cleanup_batch_size: 10,
            ..SessionPolicy::default()
        };
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        let (first_end, second_end) = (t0() - TimeDelta::days(40), t0() - TimeDelta::days(35));
        let revoked_end = t0() - TimeDelta::days(9);
        let mut order = Sequence::new();
        for (asked, answer) in [
            (
                batch(EndedBy::Expiry, epoch, 10),
                deleted(10, Some(first_end)),
            ),
            (
                batch(EndedBy::Expiry, first_end, 10),
                deleted(10, Some(second_end)),
            ),
            (
                batch(EndedBy::Expiry, second_end, 10),
                deleted(3, Some(second_end)),
            ),
            (
                batch(EndedBy::Revocation, epoch, 10),
                deleted(10, Some(revoked_end)),
            ),
            (
                batch(EndedBy::Revocation, revoked_end, 10),
                deleted(0, None),
            ),
        ] {
            ports
                .sessions
                .expect_delete_ended()
                .with(eq(asked))
                .times(1)
                .in_sequence(&mut order)
                .returning(move |_| Ok(answer));
        }
        ports
            .attempts
            .expect_delete_ended()
            .with(eq(t0()), eq(10))
            .times(2)
            .returning({
                let mut answers = [10, 4].into_iter();
                move |_, _| Ok(answers.next().unwrap_or(0))
            });
        ports
            .device_tokens
            .expect_delete_expired_device_tokens()
            .with(eq(t0()), eq(10))
            .times(1)
            .returning(|_, _| Ok(2));
        ports
            .events
            .expect_delete_recorded_before()
            .with(eq(t0() - TimeDelta::days(400)), eq(10))
            .times(3)
            .returning({
                let mut answers = [10, 10, 1].into_iter();
                move |_, _| Ok(answers.next().unwrap_or(0))
            });
        let report = ports.app().cleanup().await.unwrap();
        assert_eq!(
            report,
            CleanupReport {
                deleted: 33,
                batches: 5,
                events: 21,
                throttle_records: 16,
            }
        );
    }

    #[tokio::test]
    async fn a_failing_batch_stops_the_run() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_delete_ended()
            .times(1)
            .returning(|_| Err(StoreError::new(std::io::Error::other("down"))));
        assert!(ports.app().cleanup().await.is_err());
    }
}
