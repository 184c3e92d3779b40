//! Port: the throttle's attempt counts, kept in the store so that every instance sharing it
//! counts against one budget.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use sessions_domain::{AttemptCount, BudgetKey};

use super::StoreError;

/// Counts of attempts per budget, each in a window that starts with its first attempt.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AttemptCounters: Send + Sync {
    /// The stored count of each of `keys`, in the order given: `None` for a key never
    /// counted (a count whose window has ended may be returned; it counts nothing).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn counts(&self, keys: &[BudgetKey]) -> Result<Vec<Option<AttemptCount>>, StoreError>;

    /// Counts one attempt against each budget, atomically per budget: where the budget's
    /// window has ended (or none exists) a new one of the given length starts at `now` with
    /// this attempt. Returns each budget's count after, in the order given.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; nothing may have been counted then.
    async fn count(
        &self,
        attempts: &[(BudgetKey, TimeDelta)],
        now: DateTime<Utc>,
    ) -> Result<Vec<AttemptCount>, StoreError>;

    /// Takes back one attempt of each budget, counted in the window that ends at the given
    /// time: an attempt that turned out not to be a failure. Nothing happens to a budget
    /// whose window has since been replaced, and no count goes below zero.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn take_back(&self, attempts: &[(BudgetKey, DateTime<Utc>)]) -> Result<(), StoreError>;

    /// Deletes at most `limit` counts whose window ended before `before`; returns how many.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn delete_ended(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, StoreError>;
}
