//! Postgres's statement for the batched read behind a user's own listing (see
//! `crate::own_pages`): the requests as arrays, one `LATERAL` lookup-with-page per request.

use std::sync::Arc;

use sessions_application::ports::StoreError;
use sqlx::PgPool;

use super::{column, queries, session_row::SessionRow};
use crate::{
    batcher::{BATCH_SIZE, BATCH_SLOTS, Batcher},
    own_pages::{BatchRow, LookupOrPageRow, OwnPageRequest, OwnPages, rows_by_request},
};

/// The four batchers on `pool`.
pub(super) fn own_page_reads(pool: &PgPool) -> OwnPages<SessionRow> {
    OwnPages::new(|active_only, after_cursor| {
        let pool = pool.clone();
        let sql: Arc<str> = queries::sessions_with_pages(active_only, after_cursor).into();
        Batcher::spawn(BATCH_SLOTS, BATCH_SIZE, move |requests| {
            read_batch(pool.clone(), Arc::clone(&sql), requests)
        })
    })
}

/// Runs `sql` (one shape of [`queries::sessions_with_pages`]) for `requests`: each request's
/// rows, in the order of the requests.
async fn read_batch(
    pool: PgPool,
    sql: Arc<str>,
    requests: Vec<OwnPageRequest>,
) -> Result<Vec<Vec<LookupOrPageRow<SessionRow>>>, StoreError> {
    let rows: Vec<BatchRow<SessionRow>> = sqlx::query_as(&sql)
        .bind(column(&requests, |request| request.id.as_uuid()))
        .bind(column(&requests, |request| request.user_id.as_uuid()))
        .bind(column(&requests, |request| i64::from(request.query.limit)))
        .bind(column(&requests, |request| {
            request.query.active.map(|filter| filter.now)
        }))
        .bind(column(&requests, |request| {
            request.query.active.and_then(|filter| filter.idle_since)
        }))
        .bind(column(&requests, |request| {
            request.query.after.map(|cursor| cursor.created_at)
        }))
        .bind(column(&requests, |request| {
            request.query.after.map(|cursor| cursor.id.as_uuid())
        }))
        .fetch_all(&pool)
        .await
        .map_err(StoreError::new)?;
    Ok(rows_by_request(requests.len(), rows))
}
