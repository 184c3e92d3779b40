//! The read behind a user's own listing in Postgres — their session and a page of their
//! sessions in one statement — batched under load: concurrent listings of one shape (active
//! only or not × first page or not) leave as one statement over all their requests.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sessions_application::ports::{SessionQuery, StoreError};
use sessions_domain::{SessionId, UserId};
use sqlx::PgPool;
use uuid::Uuid;

use super::{column, queries, session_row::SessionRow};
use crate::batcher::{BATCH_SIZE, BATCH_SLOTS, Batcher};

/// One listing's parameters, in the order of [`queries::sessions_with_pages`]' arrays.
#[derive(Debug)]
pub(super) struct OwnPageRequest {
    lookup_id: Uuid,
    user_id: Uuid,
    limit: i64,
    now: Option<DateTime<Utc>>,
    idle_since: Option<DateTime<Utc>>,
    after_created_at: Option<DateTime<Utc>>,
    after_id: Option<Uuid>,
}

impl OwnPageRequest {
    /// Session `id` of `user_id` and the page `query` selects.
    pub(super) fn new(id: SessionId, user_id: UserId, query: SessionQuery) -> Self {
        Self {
            lookup_id: id.as_uuid(),
            user_id: user_id.as_uuid(),
            limit: i64::from(query.limit),
            now: query.active.map(|filter| filter.now),
            idle_since: query.active.and_then(|filter| filter.idle_since),
            after_created_at: query.after.map(|cursor| cursor.created_at),
            after_id: query.after.map(|cursor| cursor.id.as_uuid()),
        }
    }

    /// Which of the four statements serves this request (see [`OwnPages::new`]).
    fn shape(&self) -> usize {
        usize::from(self.now.is_some()) * 2 + usize::from(self.after_created_at.is_some())
    }
}

/// A row of the lookup with its page: the looked-up session or one of the page.
#[derive(sqlx::FromRow)]
pub(super) struct LookupOrPageRow {
    pub looked_up: bool,
    #[sqlx(flatten)]
    pub session: SessionRow,
}

/// A [`LookupOrPageRow`] of one request of a batch.
#[derive(sqlx::FromRow)]
struct BatchRow {
    request_number: i64,
    #[sqlx(flatten)]
    row: LookupOrPageRow,
}

/// Batched own-listing reads, one batcher per statement shape.
#[derive(Clone, Debug)]
pub(super) struct OwnPages {
    by_shape: [Batcher<OwnPageRequest, Vec<LookupOrPageRow>>; 4],
}

impl OwnPages {
    /// Starts the four batchers on `pool` (shape `2 × active_only + after_cursor`).
    pub(super) fn new(pool: &PgPool) -> Self {
        Self {
            by_shape: std::array::from_fn(|shape| reads(pool.clone(), shape >= 2, shape % 2 == 1)),
        }
    }

    /// The rows of `request`: its session (if it exists) and its page.
    ///
    /// # Errors
    /// The batch's statement failed.
    pub(super) async fn read(
        &self,
        request: OwnPageRequest,
    ) -> Result<Vec<LookupOrPageRow>, StoreError> {
        self.by_shape[request.shape()].run(request).await
    }
}

/// The batcher of one statement shape.
fn reads(
    pool: PgPool,
    active_only: bool,
    after_cursor: bool,
) -> Batcher<OwnPageRequest, Vec<LookupOrPageRow>> {
    let sql: Arc<str> = queries::sessions_with_pages(active_only, after_cursor).into();
    Batcher::spawn(BATCH_SLOTS, BATCH_SIZE, move |requests| {
        read_batch(pool.clone(), Arc::clone(&sql), requests)
    })
}

/// Runs `sql` (one shape of [`queries::sessions_with_pages`]) for `requests`: each request's
/// rows, in the order of the requests.
async fn read_batch(
    pool: PgPool,
    sql: Arc<str>,
    requests: Vec<OwnPageRequest>,
) -> Result<Vec<Vec<LookupOrPageRow>>, StoreError> {
    let rows: Vec<BatchRow> = sqlx::query_as(&sql)
        .bind(column(&requests, |request| request.lookup_id))
        .bind(column(&requests, |request| request.user_id))
        .bind(column(&requests, |request| request.limit))
        .bind(column(&requests, |request| request.now))
        .bind(column(&requests, |request| request.idle_since))
        .bind(column(&requests, |request| request.after_created_at))
        .bind(column(&requests, |request| request.after_id))
        .fetch_all(&pool)
        .await
        .map_err(StoreError::new)?;
    let mut answers: Vec<Vec<LookupOrPageRow>> = requests.iter().map(|_| Vec::new()).collect();
    for BatchRow {
        request_number,
        row,
    } in rows
    {
        let answer = usize::try_from(request_number - 1)
            .ok()
            .and_then(|index| answers.get_mut(index));
        if let Some(answer) = answer {
            answer.push(row);
        }
    }
    Ok(answers)
}
