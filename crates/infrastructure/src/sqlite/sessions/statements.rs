//! The statements of the SQLite session store that more than one method uses: the read by
//! id, a page of a user's sessions, and the versioned write of a session.

use sessions_application::ports::SessionQuery;
use sessions_domain::{Session, UserId};
use sqlx::SqliteExecutor;

use crate::{
    session_record::{SESSION_COLUMNS, SessionRecord, session_columns},
    sqlite::encoding::{micros, providers_json},
};

/// The session every authenticated request reads (`?1` its id).
pub(super) const FIND_SESSION: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM sessions WHERE id = ?1"
);

/// One page of a user's sessions, newest first: `?1` user, `?2` limit, `?3` now and `?4`
/// idle cutoff (active-only), `?5`/`?6` the cursor's `created_at`/`id` (later pages).
pub(super) fn session_page(active_only: bool, after_cursor: bool) -> String {
    let active = if active_only {
        "AND is_revoked = 0 AND expires_at > ?3 AND (?4 IS NULL OR last_activity_at > ?4)"
    } else {
        "AND ?3 IS NULL AND ?4 IS NULL"
    };
    let after = if after_cursor {
        "AND (created_at, id) < (?5, ?6)"
    } else {
        "AND ?5 IS NULL AND ?6 IS NULL"
    };
    format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = ?1 {active} {after} \
         ORDER BY created_at DESC, id DESC LIMIT ?2"
    )
}

/// Binds `?1`…`?6` of [`session_page`].
pub(super) fn bind_page<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>>,
    user_id: UserId,
    page: SessionQuery,
) -> sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>> {
    query
        .bind(user_id.as_uuid().to_string())
        .bind(i64::from(page.limit))
        .bind(page.active.map(|filter| micros(filter.now)))
        .bind(page.active.and_then(|filter| filter.idle_since).map(micros))
        .bind(page.after.map(|cursor| micros(cursor.created_at)))
        .bind(page.after.map(|cursor| cursor.id.as_uuid().to_string()))
}

/// Writes every mutable column of `session` if its stored version is still the one it was
/// read with, advancing the version. Returns whether the row was written.
pub(super) async fn update_session<'c>(
    executor: impl SqliteExecutor<'c>,
    session: &Session,
) -> Result<bool, sqlx::Error> {
    let row = SessionRecord::from_session(session);
    let result = sqlx::query(
        r#"
        UPDATE sessions SET
            updated_at = ?3,
            last_activity_at = ?4,
            is_revoked = ?5,
            revoked_at = ?6,
            revoked_reason = ?7,
            is_trusted = ?8,
            refresh_token_id = ?9,
            last_ip_address = ?10,
            suspicious_activity_count = ?11,
            last_provider_accessed = ?12,
            last_provider_sync_at = ?13,
            providers_accessed = ?14,
            version = version + 1
        WHERE id = ?1 AND version = ?2
        "#,
    )
    .bind(row.id.to_string())
    .bind(row.version)
    .bind(micros(row.updated_at))
    .bind(micros(row.last_activity_at))
    .bind(row.is_revoked)
    .bind(row.revoked_at.map(micros))
    .bind(row.revoked_reason)
    .bind(row.is_trusted)
    .bind(row.refresh_token_id.map(|id| id.to_string()))
    .bind(row.last_ip_address.map(|ip| ip.to_string()))
    .bind(row.suspicious_activity_count)
    .bind(row.last_provider_accessed)
    .bind(row.last_provider_sync_at.map(micros))
    .bind(providers_json(&row.providers_accessed))
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}
