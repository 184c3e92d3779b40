//! Users in SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_application::ports::{InsertUserError, StoreError, UserRepository};
use sessions_domain::{
    AccountEvent, AccountEventKind, Cause, Email, PasswordHash, SessionLimit, User, UserId,
};

use super::{
    SqliteStore,
    encoding::{corrupt, micros, time, uuid},
    events::insert_account_event,
};
use crate::CorruptRow;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    email: String,
    password_hash: String,
    max_sessions: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<UserRow> for User {
    type Error = CorruptRow;

    fn try_from(row: UserRow) -> Result<Self, CorruptRow> {
        const TABLE: &str = "users";
        Ok(User {
            id: UserId::from_uuid(uuid(TABLE, &row.id)?),
            email: Email::parse(&row.email).map_err(|_| corrupt(TABLE, "email"))?,
            password_hash: PasswordHash::new(row.password_hash),
            max_sessions: limit_from_column(row.max_sessions),
            created_at: time(TABLE, row.created_at)?,
            updated_at: time(TABLE, row.updated_at)?,
        })
    }
}

/// Reads a stored limit back.
pub(super) fn limit_from_column(column: Option<i64>) -> Option<SessionLimit> {
    column
        .and_then(|count| u32::try_from(count).ok())
        .and_then(|count| SessionLimit::new(count).ok())
}

impl SqliteStore {
    /// Runs a `SELECT … FROM users WHERE <condition on ?1>` for at most one user.
    async fn find_user(&self, condition: &str, key: String) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT id, email, password_hash, max_sessions, created_at, updated_at \
             FROM users WHERE {condition}"
        );
        let row: Option<UserRow> = sqlx::query_as(&sql)
            .bind(key)
            .fetch_optional(self.readers())
            .await
            .map_err(StoreError::new)?;
        Ok(row.map(User::try_from).transpose()?)
    }

    /// Runs an `UPDATE users … WHERE id = ?1` setting `?2` to `value` and `?3` to `now`.
    async fn update_user<T>(
        &self,
        sql: &str,
        id: UserId,
        value: T,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send,
    {
        let result = sqlx::query(sql)
            .bind(id.as_uuid().to_string())
            .bind(value)
            .bind(micros(now))
            .execute(self.writer())
            .await
            .map_err(StoreError::new)?;
        Ok(result.rows_affected() == 1)
    }
}

#[async_trait]
impl UserRepository for SqliteStore {
    #[tracing::instrument(skip_all, fields(user_id = %user.id))]
    async fn insert(&self, user: &User) -> Result<(), InsertUserError> {
        sqlx::query(
            r#"
            INSERT INTO users (id, email, password_hash, max_sessions, created_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            "#,
        )
        .bind(user.id.as_uuid().to_string())
        .bind(user.email.as_str())
        .bind(user.password_hash.as_str())
        .bind(user.max_sessions.map(|limit| i64::from(limit.as_count())))
        .bind(micros(user.created_at))
        .bind(micros(user.updated_at))
        .execute(self.writer())
        .await
        .map_err(|error| match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => InsertUserError::EmailTaken,
            _ => InsertUserError::Store(StoreError::new(error)),
        })?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        self.find_user("lower(email) = lower(?1)", email.as_str().to_owned())
            .await
    }

    #[tracing::instrument(skip_all, fields(%id))]
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.find_user("id = ?1", id.as_uuid().to_string()).await
    }

    #[tracing::instrument(skip_all, fields(%id))]
    async fn update_password(
        &self,
        id: UserId,
        hash: &PasswordHash,
        now: DateTime<Utc>,
        cause: &Cause,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await.map_err(StoreError::new)?;
        let result =
            sqlx::query("UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1")
                .bind(id.as_uuid().to_string())
                .bind(hash.as_str())
                .bind(micros(now))
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
        self.update_user(
            "UPDATE users SET max_sessions = ?2, updated_at = ?3 WHERE id = ?1",
            id,
            limit.map(|limit| i64::from(limit.as_count())),
            now,
        )
        .await
    }

    #[tracing::instrument(skip_all, fields(%id))]
    async fn delete(
        &self,
        id: UserId,
        at: DateTime<Utc>,
        cause: &Cause,
    ) -> Result<bool, StoreError> {
        let user_id = id.as_uuid().to_string();
        let mut tx = self.begin_write().await.map_err(StoreError::new)?;
        let deleted = sqlx::query("DELETE FROM users WHERE id = ?1")
            .bind(&user_id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::new)?;
        if deleted.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM session_events WHERE user_id = ?1")
            .bind(&user_id)
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
