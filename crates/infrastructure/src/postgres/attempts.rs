//! The throttle's attempt counts in Postgres: one statement per operation over all the
//! budgets of an attempt, each budget's row updated atomically by `ON CONFLICT`. Counts are
//! written on the throttle's own connections, whose commits do not wait for the disk
//! ([`super::queries::THROTTLE_CONNECTION_SETTINGS`]).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use sessions_application::ports::{AttemptCounters, StoreError};
use sessions_domain::{AttemptCount, BudgetKey, add_saturating};

use super::PostgresStore;
use crate::attempt_keys::{in_lock_order, stored_key};

/// Counts one attempt per row of `$1` keys, `$2` scopes and `$3` window ends (of a window
/// starting now, `$4`): a budget whose window ended starts a new one.
const COUNT_ATTEMPTS: &str = r#"
    INSERT INTO attempt_counts AS stored (key, scope, count, window_ends_at)
    SELECT key, scope, 1, window_ends_at
    FROM unnest($1::bytea[], $2::text[], $3::timestamptz[]) AS attempt(key, scope, window_ends_at)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN stored.window_ends_at <= $4 THEN 1 ELSE stored.count + 1 END,
        window_ends_at = CASE
            WHEN stored.window_ends_at <= $4 THEN excluded.window_ends_at
            ELSE stored.window_ends_at
        END
    RETURNING key, count, window_ends_at
"#;

#[derive(sqlx::FromRow)]
struct CountRow {
    key: Vec<u8>,
    count: i32,
    window_ends_at: DateTime<Utc>,
}

impl CountRow {
    fn count(&self) -> AttemptCount {
        AttemptCount {
            count: self.count.unsigned_abs(),
            window_ends_at: self.window_ends_at,
        }
    }
}

#[async_trait]
impl AttemptCounters for PostgresStore {
    #[tracing::instrument(skip_all, fields(budgets = keys.len()))]
    async fn counts(&self, keys: &[BudgetKey]) -> Result<Vec<Option<AttemptCount>>, StoreError> {
        let stored: Vec<[u8; 32]> = keys.iter().map(stored_key).collect();
        let rows: Vec<CountRow> = sqlx::query_as(
            "SELECT key, count, window_ends_at FROM attempt_counts WHERE key = ANY($1)",
        )
        .bind(stored.iter().map(<[u8; 32]>::as_slice).collect::<Vec<_>>())
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::new)?;
        let by_key: HashMap<Vec<u8>, AttemptCount> = rows
            .iter()
            .map(|row| (row.key.clone(), row.count()))
            .collect();
        Ok(stored
            .iter()
            .map(|key| by_key.get(key.as_slice()).copied())
            .collect())
    }

    #[tracing::instrument(skip_all, fields(budgets = attempts.len()))]
    async fn count(
        &self,
        attempts: &[(BudgetKey, TimeDelta)],
        now: DateTime<Utc>,
    ) -> Result<Vec<AttemptCount>, StoreError> {
        let ordered = in_lock_order(attempts);
        let rows: Vec<CountRow> = sqlx::query_as(COUNT_ATTEMPTS)
            .bind(
                ordered
                    .iter()
                    .map(|(_, key, _, _)| key.as_slice())
                    .collect::<Vec<_>>(),
            )
            .bind(
                ordered
                    .iter()
                    .map(|(_, _, scope, _)| *scope)
                    .collect::<Vec<_>>(),
            )
            .bind(
                ordered
                    .iter()
                    .map(|(_, _, _, window)| add_saturating(now, **window))
                    .collect::<Vec<_>>(),
            )
            .bind(now)
            .fetch_all(self.throttle_pool())
            .await
            .map_err(StoreError::new)?;
        let by_key: HashMap<Vec<u8>, AttemptCount> = rows
            .iter()
            .map(|row| (row.key.clone(), row.count()))
            .collect();
        attempts
            .iter()
            .map(|(key, _)| {
                by_key
                    .get(stored_key(key).as_slice())
                    .copied()
                    .ok_or_else(|| StoreError::new(std::io::Error::other("attempt not counted")))
            })
            .collect()
    }

    #[tracing::instrument(skip_all, fields(budgets = attempts.len()))]
    async fn take_back(&self, attempts: &[(BudgetKey, DateTime<Utc>)]) -> Result<(), StoreError> {
        let ordered = in_lock_order(attempts);
        sqlx::query(
            r#"
            UPDATE attempt_counts SET count = count - 1
            FROM unnest($1::bytea[], $2::timestamptz[]) AS attempt(key, window_ends_at)
            WHERE attempt_counts.key = attempt.key
              AND attempt_counts.window_ends_at = attempt.window_ends_at
              AND attempt_counts.count > 0
            "#,
        )
        .bind(
            ordered
                .iter()
                .map(|(_, key, _, _)| key.as_slice())
                .collect::<Vec<_>>(),
        )
        .bind(
            ordered
                .iter()
                .map(|(_, _, _, end)| **end)
                .collect::<Vec<_>>(),
        )
        .execute(self.throttle_pool())
        .await
        .map_err(StoreError::new)?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn delete_ended(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "DELETE FROM attempt_counts WHERE key = ANY(ARRAY(\
             SELECT key FROM attempt_counts WHERE window_ends_at < $1 LIMIT $2))",
        )
        .bind(before)
        .bind(i64::from(limit))
        .execute(self.pool())
        .await
        .map_err(StoreError::new)?;
        Ok(result.rows_affected())
    }
}
