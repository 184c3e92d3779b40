//! The read behind a user's own listing — their session and a page of their sessions in one
//! statement — batched under load, for both storage adapters: concurrent listings of one
//! shape (active only or not × first page or not) leave as one statement over all their
//! requests. Each adapter writes the statement of a shape and runs it for a batch.

use std::fmt;

use sessions_application::ports::{SessionQuery, StoreError};
use sessions_domain::{SessionId, UserId};

use crate::batcher::Batcher;

/// One listing: session `id` of `user_id`, and the page `query` selects.
#[derive(Debug)]
pub(crate) struct OwnPageRequest {
    pub id: SessionId,
    pub user_id: UserId,
    pub query: SessionQuery,
}

impl OwnPageRequest {
    /// Which of the four statements serves this request (`2 × active_only + after_cursor`).
    fn shape(&self) -> usize {
        usize::from(self.query.active.is_some()) * 2 + usize::from(self.query.after.is_some())
    }
}

/// A row of the lookup with its page: the looked-up session or one of the page, as the
/// adapter's row type `S`.
#[derive(sqlx::FromRow)]
pub(crate) struct LookupOrPageRow<S> {
    pub looked_up: bool,
    #[sqlx(flatten)]
    pub session: S,
}

/// A [`LookupOrPageRow`] of one request of a batch, which the statement numbers from 1 in
/// the order of the batch.
#[derive(sqlx::FromRow)]
pub(crate) struct BatchRow<S> {
    pub request_number: i64,
    #[sqlx(flatten)]
    pub row: LookupOrPageRow<S>,
}

/// Batched own-listing reads, one batcher per statement shape.
pub(crate) struct OwnPages<S> {
    by_shape: [Batcher<OwnPageRequest, Vec<LookupOrPageRow<S>>>; 4],
}

impl<S> fmt::Debug for OwnPages<S> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("OwnPages").finish_non_exhaustive()
    }
}

impl<S> Clone for OwnPages<S> {
    fn clone(&self) -> Self {
        Self {
            by_shape: self.by_shape.clone(),
        }
    }
}

impl<S: Send + 'static> OwnPages<S> {
    /// Starts the four batchers, each made by `batcher(active_only, after_cursor)`.
    pub(crate) fn new(
        mut batcher: impl FnMut(bool, bool) -> Batcher<OwnPageRequest, Vec<LookupOrPageRow<S>>>,
    ) -> Self {
        Self {
            by_shape: std::array::from_fn(|shape| batcher(shape >= 2, shape % 2 == 1)),
        }
    }

    /// The rows of `request`: its session (if it exists) and its page.
    ///
    /// # Errors
    /// The batch's statement failed.
    pub(crate) async fn read(
        &self,
        request: OwnPageRequest,
    ) -> Result<Vec<LookupOrPageRow<S>>, StoreError> {
        self.by_shape[request.shape()].run(request).await
    }
}

/// Each request's rows, in the order of the `count` requests of the batch (a row numbered
/// outside the batch is dropped).
pub(crate) fn rows_by_request<S>(
    count: usize,
    rows: Vec<BatchRow<S>>,
) -> Vec<Vec<LookupOrPageRow<S>>> {
    let mut answers: Vec<Vec<LookupOrPageRow<S>>> = (0..count).map(|_| Vec::new()).collect();
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
    answers
}
