//! The candidates of an incident response in Postgres: active sessions narrowed by every
//! condition SQL can test (network, country, users, creation time, provider); the device
//! family, parsed from the user agent, is left to the domain's filter.

use chrono::{DateTime, Utc};
use sessions_domain::{SessionFilter, SessionId, UserId};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use crate::session_record::session_columns;

/// One page of active sessions, by id after `after`, that may match `filter`.
pub(super) fn candidates_statement(
    filter: &SessionFilter,
    now: DateTime<Utc>,
    after: Option<SessionId>,
    limit: u32,
) -> QueryBuilder<'static, Postgres> {
    let mut sql = QueryBuilder::new(concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE is_revoked = FALSE AND expires_at > "
    ));
    sql.push_bind(now);
    if let Some(network) = filter.network {
        sql.push(" AND (ip_address <<= ")
            .push_bind(network)
            .push("::inet OR last_ip_address <<= ")
            .push_bind(network)
            .push("::inet)");
    }
    if let Some(country) = filter.country {
        // The display form is "City, CC" or "CC".
        sql.push(" AND (location = ")
            .push_bind(country.as_str().to_owned())
            .push(" OR location LIKE ")
            .push_bind(format!("%, {}", country.as_str()))
            .push(")");
    }
    if !filter.user_ids.is_empty() {
        let users: Vec<Uuid> = filter.user_ids.iter().map(UserId::as_uuid).collect();
        sql.push(" AND user_id = ANY(").push_bind(users).push(")");
    }
    if let Some(after) = filter.created_after {
        sql.push(" AND created_at >= ").push_bind(after);
    }
    if let Some(before) = filter.created_before {
        sql.push(" AND created_at < ").push_bind(before);
    }
    if let Some(provider) = &filter.provider {
        sql.push(" AND ")
            .push_bind(provider.as_str().to_owned())
            .push(" = ANY(providers_accessed)");
    }
    if let Some(after) = after {
        sql.push(" AND id > ").push_bind(after.as_uuid());
    }
    sql.push(" ORDER BY id LIMIT ").push_bind(i64::from(limit));
    sql
}
