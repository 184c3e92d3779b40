//! SQLite's statement for the batched read behind a user's own listing (see
//! `crate::own_pages`): the requests as a JSON array, so that a reader connection's thread
//! takes one statement for all of them instead of one each.

use std::sync::Arc;

use serde::Serialize;
use sessions_application::ports::StoreError;
use sqlx::SqlitePool;

use super::columns::{SessionRow, micros};
use crate::{
    batcher::{BATCH_SIZE, BATCH_SLOTS, Batcher},
    own_pages::{BatchRow, LookupOrPageRow, OwnPageRequest, OwnPages, rows_by_request},
    session_columns::SESSION_COLUMNS,
};

/// The four batchers on `readers`.
pub(super) fn own_page_reads(readers: &SqlitePool) -> OwnPages<SessionRow> {
    OwnPages::new(|active_only, after_cursor| {
        let readers = readers.clone();
        let sql: Arc<str> = sessions_with_pages(active_only, after_cursor).into();
        Batcher::spawn(BATCH_SLOTS, BATCH_SIZE, move |requests| {
            read_batch(readers.clone(), Arc::clone(&sql), requests)
        })
    })
}

/// One request as an element of the statement's JSON array: ids as stored (hyphenated
/// lowercase text), times in microseconds.
#[derive(Serialize)]
struct RequestParameters {
    lookup_id: String,
    user_id: String,
    now: Option<i64>,
    idle_since: Option<i64>,
    after_created_at: Option<i64>,
    after_id: Option<String>,
}

impl From<&OwnPageRequest> for RequestParameters {
    fn from(request: &OwnPageRequest) -> Self {
        let OwnPageRequest { id, user_id, query } = request;
        Self {
            lookup_id: id.as_uuid().to_string(),
            user_id: user_id.as_uuid().to_string(),
            now: query.active.map(|filter| micros(filter.now)),
            idle_since: query
                .active
                .and_then(|filter| filter.idle_since)
                .map(micros),
            after_created_at: query.after.map(|cursor| micros(cursor.created_at)),
            after_id: query.after.map(|cursor| cursor.id.as_uuid().to_string()),
        }
    }
}

/// The statement of one shape: `?1` the requests as a JSON array of [`RequestParameters`],
/// `?2` the largest limit among them. SQLite has no `LATERAL`: each request's page is a
/// correlated subquery on the user's sessions, whose `LIMIT` cannot refer to the request,
/// hence one limit for the whole batch (the store cuts each page to its own).
fn sessions_with_pages(active_only: bool, after_cursor: bool) -> String {
    let active = if active_only {
        "AND is_revoked = 0 AND expires_at > request_now \
         AND (request_idle_since IS NULL OR last_activity_at > request_idle_since)"
    } else {
        ""
    };
    let after = if after_cursor {
        "AND (created_at, id) < (request_after_created_at, request_after_id)"
    } else {
        ""
    };
    format!(
        "WITH request AS (\
           SELECT key + 1 AS request_number, value ->> '$.lookup_id' AS request_lookup_id, \
                  value ->> '$.user_id' AS request_user_id, value ->> '$.now' AS request_now, \
                  value ->> '$.idle_since' AS request_idle_since, \
                  value ->> '$.after_created_at' AS request_after_created_at, \
                  value ->> '$.after_id' AS request_after_id \
           FROM json_each(?1)) \
         SELECT request_number, {SESSION_COLUMNS}, TRUE AS looked_up \
         FROM request JOIN sessions ON id = request_lookup_id \
         UNION ALL \
         SELECT request_number, {SESSION_COLUMNS}, FALSE AS looked_up \
         FROM request JOIN sessions ON sessions.rowid IN (\
           SELECT rowid FROM sessions WHERE user_id = request_user_id {active} {after} \
           ORDER BY created_at DESC, id DESC LIMIT ?2)"
    )
}

/// Runs `sql` (one shape of [`sessions_with_pages`]) for `requests`: each request's rows, in
/// the order of the requests; a page may hold more rows than its request's limit.
async fn read_batch(
    readers: SqlitePool,
    sql: Arc<str>,
    requests: Vec<OwnPageRequest>,
) -> Result<Vec<Vec<LookupOrPageRow<SessionRow>>>, StoreError> {
    let limit = requests
        .iter()
        .map(|request| request.query.limit)
        .max()
        .unwrap_or(0);
    let parameters: Vec<RequestParameters> = requests.iter().map(Into::into).collect();
    let parameters = serde_json::to_string(&parameters).map_err(StoreError::new)?;
    let rows: Vec<BatchRow<SessionRow>> = sqlx::query_as(&sql)
        .bind(parameters)
        .bind(i64::from(limit))
        .fetch_all(&readers)
        .await
        .map_err(StoreError::new)?;
    Ok(rows_by_request(requests.len(), rows))
}
