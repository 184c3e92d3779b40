//! Attempt budgets around the use cases that check a password: an attempt is counted before
//! its hash, so that concurrent attempts cannot slip past a budget together, and taken back
//! when it turned out to be no failure (only failures spend a budget) — also when its caller
//! gave up before the answer, which is no failure either and told the caller nothing. The
//! store's count and take-back run in tasks of their own, so that a caller hanging up
//! mid-statement cannot leave a count behind.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sessions_domain::{AttemptCount, Budget, BudgetKey, Throttled, admit};

use crate::{
    Application,
    ports::{AttemptCounters, StoreError},
};

/// Why an attempt was not counted.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReserveError {
    /// A budget it draws on is spent.
    #[error(transparent)]
    Throttled(#[from] Throttled),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One attempt counted against some budgets, until it is known to be a failure: kept then
/// ([`Reservation::keep`]), else given back — explicitly ([`Application::release`]), or,
/// when the use case is dropped before it decided (its caller hung up), in the background.
#[must_use = "a reservation is either kept (a failure) or released"]
pub(crate) struct Reservation {
    /// Each budget, with its count after this attempt.
    counted: Vec<(BudgetKey, Budget, AttemptCount)>,
    attempts: Arc<dyn AttemptCounters>,
}

impl std::fmt::Debug for Reservation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reservation")
            .field("counted", &self.counted)
            .finish_non_exhaustive()
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let counted = take_back_list(std::mem::take(&mut self.counted));
        if counted.is_empty() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("an abandoned attempt could not be taken back: no runtime");
            return;
        };
        let attempts = Arc::clone(&self.attempts);
        runtime.spawn(async move {
            if let Err(error) = attempts.take_back(&counted).await {
                tracing::warn!(%error, "an abandoned attempt could not be taken back");
            }
        });
    }
}

/// What taking `counted` back names: each budget and the window it was counted in.
fn take_back_list(
    counted: Vec<(BudgetKey, Budget, AttemptCount)>,
) -> Vec<(BudgetKey, DateTime<Utc>)> {
    counted
        .into_iter()
        .map(|(key, _, count)| (key, count.window_ends_at))
        .collect()
}

impl Reservation {
    /// The attempt was a failure: it stays counted.
    pub fn keep(mut self) {
        self.counted.clear();
    }

    /// Whether this attempt used up the last of a budget (the next one will be refused).
    pub fn spent_a_budget(&self) -> bool {
        self.counted
            .iter()
            .any(|(_, budget, count)| count.count >= budget.limit)
    }

    /// The budgets this attempt used up, for logs and metrics.
    pub fn spent_scopes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.counted
            .iter()
            .filter(|(_, budget, count)| count.count >= budget.limit)
            .map(|(key, _, _)| key.scope())
    }
}

impl Application {
    /// The budgets of `keys` that are on, each with its size.
    fn budgets(&self, keys: Vec<BudgetKey>) -> Vec<(BudgetKey, Budget)> {
        let throttle = &self.policy.throttle;
        keys.into_iter()
            .filter_map(|key| {
                let budget = throttle.budget(&key, self.policy.session_lifetime)?;
                Some((key, budget))
            })
            .collect()
    }

    /// Counts one attempt against each budget of `keys` that is on, unless one is spent: a
    /// spent budget costs the store one read and no write.
    pub(crate) async fn reserve(
        &self,
        keys: Vec<BudgetKey>,
        now: DateTime<Utc>,
    ) -> Result<Reservation, ReserveError> {
        let budgets = self.budgets(keys);
        let attempts = &self.ports.storage.attempts;
        if budgets.is_empty() {
            return Ok(Reservation {
                counted: Vec::new(),
                attempts: Arc::clone(attempts),
            });
        }
        let keys: Vec<BudgetKey> = budgets.iter().map(|(key, _)| key.clone()).collect();
        let stored = attempts.counts(&keys).await?;
        admit(
            budgets
                .iter()
                .zip(&stored)
                .filter_map(|((_, budget), count)| Some((budget, count.as_ref()?))),
            false,
            now,
        )?;
        let windows: Vec<_> = budgets
            .iter()
            .map(|(key, budget)| (key.clone(), budget.window))
            .collect();
        // Counted in a task of its own: if this use case is dropped while the count is in
        // flight (its caller hung up), the task still finishes, and its reservation, which
        // nobody takes, is dropped and so given back.
        let counting = {
            let attempts = Arc::clone(attempts);
            tokio::spawn(async move {
                let after = attempts.count(&windows, now).await?;
                Ok::<_, StoreError>(Reservation {
                    counted: budgets
                        .into_iter()
                        .zip(after)
                        .map(|((key, budget), count)| (key, budget, count))
                        .collect(),
                    attempts,
                })
            })
        };
        let reservation = counting
            .await
            .map_err(|gone| StoreError::new(std::io::Error::other(gone.to_string())))??;
        // Attempts that raced past the first check together: the last ones are too many.
        let counted = reservation
            .counted
            .iter()
            .map(|(_, budget, count)| (budget, count));
        if let Err(throttled) = admit(counted, true, now) {
            self.release(reservation).await;
            return Err(throttled.into());
        }
        Ok(reservation)
    }

    /// Takes a reserved attempt back: it was no failure. Taken back in a task of its own,
    /// which finishes even if this use case is dropped meanwhile. A store failure here only
    /// leaves the budget one attempt smaller until its window ends, so it is logged, not
    /// raised.
    pub(crate) async fn release(&self, mut reservation: Reservation) {
        let counted = take_back_list(std::mem::take(&mut reservation.counted));
        if counted.is_empty() {
            return;
        }
        let attempts = Arc::clone(&self.ports.storage.attempts);
        let taking_back = tokio::spawn(async move { attempts.take_back(&counted).await });
        match taking_back.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "a reserved attempt could not be taken back"),
            Err(gone) => tracing::warn!(%gone, "a reserved attempt could not be taken back"),
        }
    }

    /// Counts a failure against budgets the attempt was not checked against.
    pub(crate) async fn count_failure(
        &self,
        keys: Vec<BudgetKey>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let windows: Vec<_> = self
            .budgets(keys)
            .into_iter()
            .map(|(key, budget)| (key, budget.window))
            .collect();
        if !windows.is_empty() {
            self.ports.storage.attempts.count(&windows, now).await?;
        }
        Ok(())
    }
}
