//! SQLite's batched reads and writes: sessions by id (`json_each` of the batch's ids) and
//! the rotations that queue while the writer connection is busy, written in one
//! transaction. Each rotation is still its own statements, every one finding its rows by
//! key, so that the plan never depends on table statistics (a set-based statement over the
//! whole batch was planned as a scan of `refresh_tokens` whenever they were stale).

use sessions_application::ports::StoreError;
use sqlx::SqlitePool;

use super::{BATCH_SIZE, BATCH_SLOTS, Batcher, keyed_reads, rotation_batch::RotationBatch};
use crate::{
    rotation::RotationRequest,
    session_record::session_columns,
    sqlite::{SessionRow, rotate_one},
};

/// Sessions by id, for a batch of ids: `?1` is a JSON array of them.
const FIND_SESSIONS: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM sessions WHERE id IN (SELECT value FROM json_each(?1))"
);

/// One rotation batch at a time: there is one writer connection.
const ROTATION_SLOTS: usize = 1;

/// SQLite's batched reads and writes, each with its own dispatcher.
#[derive(Clone, Debug)]
pub(crate) struct SqliteBatches {
    sessions: Batcher<String, Option<SessionRow>>,
    rotations: Batcher<RotationRequest, bool>,
}

impl SqliteBatches {
    /// Starts the dispatchers on the current Tokio runtime: reads on `readers`, rotations
    /// on `writer`.
    pub fn spawn(readers: &SqlitePool, writer: &SqlitePool) -> Self {
        Self {
            sessions: session_reads(readers.clone()),
            rotations: Batcher::spawn(ROTATION_SLOTS, BATCH_SIZE, {
                let writer = writer.clone();
                move |requests| rotate_batch(writer.clone(), requests)
            }),
        }
    }

    /// The session with `id` (as stored: hyphenated lowercase text), read with whatever
    /// other reads are queued.
    pub async fn session(&self, id: String) -> Result<Option<SessionRow>, StoreError> {
        self.sessions.run(id).await
    }

    /// Writes `rotation` with the others queued; whether it happened.
    pub async fn rotate(&self, rotation: RotationRequest) -> Result<bool, StoreError> {
        self.rotations.run(rotation).await
    }
}

/// Batched reads of sessions by id on `readers`.
fn session_reads(readers: SqlitePool) -> Batcher<String, Option<SessionRow>> {
    keyed_reads(BATCH_SLOTS, BATCH_SIZE, move |ids: Vec<String>| {
        let readers = readers.clone();
        async move {
            // A JSON array of the ids: each is hex digits and hyphens, nothing to escape.
            let ids = format!("[\"{}\"]", ids.join("\",\""));
            let rows: Vec<SessionRow> = sqlx::query_as(FIND_SESSIONS)
                .bind(ids)
                .fetch_all(&readers)
                .await
                .map_err(StoreError::new)?;
            Ok(rows
                .into_iter()
                .map(|row| (row.id().to_owned(), row))
                .collect())
        }
    })
}

/// Writes the rotations of one batch (see `RotationBatch`) in one transaction.
async fn rotate_batch(
    writer: SqlitePool,
    requests: Vec<RotationRequest>,
) -> Result<Vec<bool>, StoreError> {
    let batch = RotationBatch::new(requests);
    let mut tx = writer.begin().await.map_err(StoreError::new)?;
    let mut rotated = Vec::new();
    for request in batch.to_write() {
        if rotate_one(&mut tx, request)
            .await
            .map_err(StoreError::new)?
        {
            rotated.push(request.successor_id());
        }
    }
    tx.commit().await.map_err(StoreError::new)?;
    Ok(batch.answers(rotated))
}
