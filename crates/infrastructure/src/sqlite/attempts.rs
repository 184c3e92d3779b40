//! The throttle's attempt counts in SQLite: each operation is one write transaction on the
//! writer connection (so it is atomic against every other write of this process, and other
//! processes wait for the file lock), one upsert per budget.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use sessions_application::ports::{AttemptCounters, StoreError};
use sessions_domain::{AttemptCount, BudgetKey, add_saturating};

use super::{
    SqliteStore,
    encoding::{micros, time},
};
use crate::attempt_keys::{in_lock_order, stored_key};

const TABLE: &str = "attempt_counts";

fn attempt_count(count: i64, window_ends_at: i64) -> Result<AttemptCount, StoreError> {
    Ok(AttemptCount {
        count: u32::try_from(count).unwrap_or(u32::MAX),
        window_ends_at: time(TABLE, window_ends_at)?,
    })
}

#[async_trait]
impl AttemptCounters for SqliteStore {
    #[tracing::instrument(skip_all, fields(budgets = keys.len()))]
    async fn counts(&self, keys: &[BudgetKey]) -> Result<Vec<Option<AttemptCount>>, StoreError> {
        let mut counts = Vec::with_capacity(keys.len());
        for key in keys {
            let row: Option<(i64, i64)> =
                sqlx::query_as("SELECT count, window_ends_at FROM attempt_counts WHERE key = ?1")
                    .bind(stored_key(key).as_slice())
                    .fetch_optional(self.readers())
                    .await
                    .map_err(StoreError::new)?;
            counts.push(
                row.map(|(count, ends)| attempt_count(count, ends))
                    .transpose()?,
            );
        }
        Ok(counts)
    }

    #[tracing::instrument(skip_all, fields(budgets = attempts.len()))]
    async fn count(
        &self,
        attempts: &[(BudgetKey, TimeDelta)],
        now: DateTime<Utc>,
    ) -> Result<Vec<AttemptCount>, StoreError> {
        let mut tx = self.begin_write().await.map_err(StoreError::new)?;
        let mut counted = vec![None; attempts.len()];
        for (position, key, scope, window) in in_lock_order(attempts) {
            let (count, ends): (i64, i64) = sqlx::query_as(
                r#"
                INSERT INTO attempt_counts (key, scope, count, window_ends_at)
                VALUES (?1, ?2, 1, ?3)
                ON CONFLICT (key) DO UPDATE SET
                    count = CASE WHEN window_ends_at <= ?4 THEN 1 ELSE count + 1 END,
                    window_ends_at = CASE
                        WHEN window_ends_at <= ?4 THEN excluded.window_ends_at
                        ELSE window_ends_at
                    END
                RETURNING count, window_ends_at
                "#,
            )
            .bind(key.as_slice())
            .bind(scope)
            .bind(micros(add_saturating(now, *window)))
            .bind(micros(now))
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::new)?;
            counted[position] = Some(attempt_count(count, ends)?);
        }
        tx.commit().await.map_err(StoreError::new)?;
        counted
            .into_iter()
            .map(|count| count.ok_or_else(|| StoreError::new(std::io::Error::other("uncounted"))))
            .collect()
    }

    #[tracing::instrument(skip_all, fields(budgets = attempts.len()))]
    async fn take_back(&self, attempts: &[(BudgetKey, DateTime<Utc>)]) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await.map_err(StoreError::new)?;
        for (_, key, _, window_ends_at) in in_lock_order(attempts) {
            sqlx::query(
                "UPDATE attempt_counts SET count = count - 1 \
                 WHERE key = ?1 AND window_ends_at = ?2 AND count > 0",
            )
            .bind(key.as_slice())
            .bind(micros(*window_ends_at))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::new)?;
        }
        tx.commit().await.map_err(StoreError::new)
    }

    #[tracing::instrument(skip_all)]
    async fn delete_ended(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "DELETE FROM attempt_counts WHERE key IN (\
             SELECT key FROM attempt_counts WHERE window_ends_at < ?1 LIMIT ?2)",
        )
        .bind(micros(before))
        .bind(i64::from(limit))
        .execute(self.writer())
        .await
        .map_err(StoreError::new)?;
        Ok(result.rows_affected())
    }
}
