//! Users in Postgres.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_application::ports::{InsertUserError, StoreError, UserRepository};
use sessions_domain::{
    AccountEvent, AccountEventKind, Cause, Email, PasswordHash, SessionLimit, User, UserId,
};
use uuid::Uuid;

use super::{PostgresStore, events::insert_account_event};
use crate::CorruptRow;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    email: String,
    password_hash: String,
    max_sessions: Option<i32>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = CorruptRow;

    fn try_from(row: UserRow) -> Result<Self, CorruptRow> {
        let corrupt = |detail: &str| CorruptRow {
            table: "users",
            detail: detail.to_owned(),
        };
        Ok(User {
            id: UserId::from_uuid(row.id),
            email: Email::parse(&row.email).map_err(|_| corrupt("email"))?,
            password_hash: PasswordHash::new(row.password_hash),
            max_sessions: row
                .max_sessions
                .map(|count| {
                    u32::try_from(count)
                        .ok()
                        .and_then(|count| SessionLimit::new(count).ok())
                })
                .map(|limit| limit.ok_or_else(|| corrupt("max_sessions out of range")))
                .transpose()?,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Every limit fits the `INTEGER` column.
const _: () = assert!(SessionLimit::MAX_COUNT <= i32::MAX.unsigned_abs());

/// The stored form of a user's own limit.
pub(super) fn limit_column(limit: Option<SessionLimit>) -> Option<i32> {
    limit.map(|limit| i32::try_from(limit.as_count()).unwrap_or(i32::MAX))
}

/// Reads a stored limit back.
pub(super) fn limit_from_column(column: Option<i32>) -> Option<SessionLimit> {
    column
        .and_then(|count| u32::try_from(count).ok())
        .and_then(|count| SessionLimit::new(count).ok())
}

impl PostgresStore {
    /// Runs a `SELECT … FROM users WHERE <condition on $1>` for at most one user.
    async fn find_user<T>(&self, condition: &str, key: T) -> Result<Option<User>, StoreError>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
    {
        let sql = format!(
            "SELECT id, email, password_hash, max_sessions, created_at, updated_at \
             FROM users WHERE {condition}"
        );
        let row: Option<UserRow> = sqlx::query_as(&sql)
            .bind(key)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::new)?;
        Ok(row.map(User::try_from).transpose()?)
    }
}

#[async_trait]
impl UserRepository for PostgresStore {
    #[tracing::instrument(skip_all, fields(user_id = %user.id))]
    async fn insert(&self, user: &User) -> Result<(), InsertUserError> {
        sqlx::query(
            r#"
            INSERT INTO users (id, email, password_hash, max_sessions, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            "#,
        )
        .bind(user.id.as_uuid())
        .bind(user.email.as_str())
        .bind(user.password_hash.as_str())
        .bind(limit_column(user.max_sessions))
        .bind(user.created_at)
        .bind(user.updated_at)
        .execute(self.pool())
        .await
        .map_err(|error| match &error {
            sqlx::Error::Database(db) if db.constraint() == Some("users_email_key") => {
                InsertUserError::EmailTaken
            }
            _ => InsertUserError::Store(StoreError::new(error)),
        })?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        self.find_user("lower(email) = lower($1)", email.as_str().to_owned())
            .await
    }

    #[tracing::instrument(skip_all, fields(%id))]
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.find_user("id = $1", id.as_uuid()).await
    }

    #[tracing::instrument(skip_all, fields(%id))]
    async fn update_password(
        &self,
        id: UserId,
        hash: &PasswordHash,
        now: DateTime<Utc>,
        cause: &Cause,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await.map_err(StoreError::new)?;
        let result =
            sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
                .bind(id.as_uuid())
                .bind(hash.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::new)?;
        if result.rows_affected() == 0 {
            return Ok(false);
        }
        let changed = AccountEvent::of_user(id, AccountEventKind::PasswordChanged, now, cause);
        insert_account_event(&mut tx, &changed)
            .await
            .map_err(StoreError::new)?;
        tx.commit().await.map_err(StoreError::new)?;
        Ok(true)
    }

    #[tracing::instrument(skip_all, fields(%id))]
    async fn set_max_sessions(
        &self,
        id: UserId,
        limit: Option<SessionLimit>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result =
            sqlx::query("UPDATE users SET max_sessions = $2, updated_at = $3 WHERE id = $1")
                .bind(id.as_uuid())
                .bind(limit_column(limit))
                .bind(now)
                .execute(self.pool())
                .await
                .map_err(StoreError::new)?;
        Ok(result.rows_affected() == 1)
    }

    #[tracing::instrument(skip_all, fields(%id))]
    async fn delete(
        &self,
        id: UserId,
        at: DateTime<Utc>,
        cause: &Cause,
    ) -> Result<bool, StoreError> {
        // The user first (its sessions and their refresh tokens go with it), so that an
        // event a concurrent writer committed for one of its sessions is seen, and erased,
        // by the events' delete after it: a statement of its own, with a later snapshot.
        let mut tx = self.pool().begin().await.map_err(StoreError::new)?;
        let deleted = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::new)?;
        if deleted.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM session_events WHERE user_id = $1")
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::new)?;
        let deleted = AccountEvent::of_user(id, AccountEventKind::UserDeleted, at, cause);
        insert_account_event(&mut tx, &deleted)
            .await
            .map_err(StoreError::new)?;
        tx.commit().await.map_err(StoreError::new)?;
        Ok(true)
    }
}
