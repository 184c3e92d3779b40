//! The candidates of an incident response in SQLite: active sessions narrowed by the
//! conditions its columns answer directly (country, users, creation time, provider); the
//! network (addresses are stored as text) and the device family are left to the domain's
//! filter.

use chrono::{DateTime, Utc};
use sessions_domain::{SessionFilter, SessionId};
use sqlx::{QueryBuilder, Sqlite};

use crate::{session_record::session_columns, sqlite::encoding::micros};

/// One page of active sessions, by id after `after`, that may match `filter`.
pub(super) fn candidates_statement(
    filter: &SessionFilter,
    now: DateTime<Utc>,
    after: Option<SessionId>,
    limit: u32,
) -> QueryBuilder<'static, Sqlite> {
    let mut sql = QueryBuilder::new(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE is_revoked = 0 AND expires_at > "
    ));
    sql.push_bind(micros(now));
    if let Some(country) = filter.country {
        // The display form is "City, CC" or "CC".
        sql.push(" AND (location = ")
            .push_bind(country.as_str().to_owned())
            .push(" OR location LIKE ")
            .push_bind(format!("%, {}", country.as_str()))
            .push(")");
    }
    if !filter.user_ids.is_empty() {
        sql.push(" AND user_id IN (");
        let mut users = sql.separated(", ");
        for user in &filter.user_ids {
            users.push_bind(user.as_uuid().to_string());
        }
        sql.push(")");
    }
    if let Some(after) = filter.created_after {
        sql.push(" AND created_at >= ").push_bind(micros(after));
    }
    if let Some(before) = filter.created_before {
        sql.push(" AND created_at < ").push_bind(micros(before));
    }
    if let Some(provider) = &filter.provider {
        sql.push(" AND EXISTS (SELECT 1 FROM json_each(providers_accessed) WHERE value = ")
            .push_bind(provider.as_str().to_owned())
            .push(")");
    }
    if let Some(after) = after {
        sql.push(" AND id > ")
            .push_bind(after.as_uuid().to_string());
    }
    sql.push(" ORDER BY id LIMIT ").push_bind(i64::from(limit));
    sql
}
