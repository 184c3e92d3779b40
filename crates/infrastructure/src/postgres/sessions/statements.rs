//! The statements of the Postgres session store that more than one method uses: the read by
//! id, a page of a user's sessions, the versioned write of a session's mutable columns, and
//! the events of a bulk revocation.

use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;
use sessions_application::ports::SessionQuery;
use sessions_domain::{Cause, RevocationReason, Session, UserId};
use sqlx::PgExecutor;

use crate::{
    event_record::CauseRecord,
    postgres::session_row::count_column,
    session_record::{SessionRecord, session_columns},
};

/// The session every authenticated request reads (`$1` its id).
pub(super) const FIND_SESSION: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM sessions WHERE id = $1"
);

/// Binds `$1`…`$6` of [`queries::session_page`].
pub(super) fn bind_page<O>(
    query: sqlx::query::QueryAs<'_, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    user_id: UserId,
    page: SessionQuery,
) -> sqlx::query::QueryAs<'_, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    query
        .bind(user_id.as_uuid())
        .bind(i64::from(page.limit))
        .bind(page.active.map(|filter| filter.now))
        .bind(page.active.and_then(|filter| filter.idle_since))
        .bind(page.after.map(|cursor| cursor.created_at))
        .bind(page.after.map(|cursor| cursor.id.as_uuid()))
}

/// `SET` clause writing every mutable column of a session: `$1` id and `$2` the version
/// read are for the `WHERE`; `$3`…`$14` are bound by [`bind_session_update`].
pub(super) const SESSION_UPDATE_SET: &str = "updated_at = $3, last_activity_at = $4, \
    is_revoked = $5, revoked_at = $6, revoked_reason = $7, is_trusted = $8, \
    refresh_token_id = $9, last_ip_address = $10, suspicious_activity_count = $11, \
    last_provider_accessed = $12, last_provider_sync_at = $13, providers_accessed = $14, \
    version = version + 1";

/// Binds `$1`…`$14` of a statement using [`SESSION_UPDATE_SET`].
pub(super) fn bind_session_update<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    session: &Session,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    let row = SessionRecord::from_session(session);
    bind_mutable_columns(query.bind(row.id).bind(row.version), row)
}

/// Binds a session's mutable columns, in the order of [`SESSION_UPDATE_SET`]: `updated_at`,
/// `last_activity_at`, the revocation (`is_revoked`, `revoked_at`, `revoked_reason`),
/// `is_trusted`, `refresh_token_id`, `last_ip_address`, `suspicious_activity_count`, and the
/// provider columns (`last_provider_accessed`, `last_provider_sync_at`,
/// `providers_accessed`).
pub(super) fn bind_mutable_columns(
    query: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
    row: SessionRecord,
) -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments> {
    query
        .bind(row.updated_at)
        .bind(row.last_activity_at)
        .bind(row.is_revoked)
        .bind(row.revoked_at)
        .bind(row.revoked_reason)
        .bind(row.is_trusted)
        .bind(row.refresh_token_id)
        .bind(row.last_ip_address.map(IpNetwork::from))
        .bind(count_column(row.suspicious_activity_count))
        .bind(row.last_provider_accessed)
        .bind(row.last_provider_sync_at)
        .bind(row.providers_accessed)
}

/// Writes every mutable column of `session` if its stored version is still the one it was
/// read with, advancing the version. Returns whether the row was written.
pub(super) async fn update_session<'c>(
    executor: impl PgExecutor<'c>,
    session: &Session,
) -> Result<bool, sqlx::Error> {
    let sql = format!("UPDATE sessions SET {SESSION_UPDATE_SET} WHERE id = $1 AND version = $2");
    let result = bind_session_update(sqlx::query(&sql), session)
        .execute(executor)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// The end of a bulk revocation: after a `revoked` CTE (the rows it revoked, `id` and
/// `user_id`), records one `session_revoked` event per row — `$3` the time, `$4` the reason,
/// `$5`…`$11` the cause ([`bind_revocation`]) — and counts them.
macro_rules! record_revocations {
    () => {
        concat!(
            "recorded AS (INSERT INTO session_events ",
            "(session_id, user_id, event_type, occurred_at, data, ",
            crate::event_record::cause_columns!(),
            ") SELECT id, user_id, 'session_revoked', $3, ",
            "jsonb_build_object('reason', $4::text), $5, $6, $7, $8, $9, $10, $11 ",
            "FROM revoked) SELECT count(*) FROM revoked"
        )
    };
}
pub(super) use record_revocations;

/// Binds `$3`…`$11` of [`record_revocations!`].
pub(super) fn bind_revocation<'q, O>(
    query: sqlx::query::QueryScalar<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    now: DateTime<Utc>,
    reason: RevocationReason,
    cause: &Cause,
) -> sqlx::query::QueryScalar<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    let cause = CauseRecord::of(cause);
    query
        .bind(now)
        .bind(reason.as_str())
        .bind(cause.actor)
        .bind(cause.actor_session_id)
        .bind(cause.incident_id)
        .bind(cause.ip.map(IpNetwork::from))
        .bind(cause.user_agent)
        .bind(cause.device)
        .bind(cause.location)
}
