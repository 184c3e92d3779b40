//! Refresh rotations in SQLite, batched under load: the rotations that queue while the
//! writer connection is busy are written in one transaction, instead of a transaction each.
//! Each rotation is still its own statements, every one finding its rows by key, so that
//! the plan never depends on table statistics (a set-based statement over the whole batch
//! was planned as a scan of `refresh_tokens` whenever they were stale).

use sessions_application::ports::StoreError;
use sqlx::{SqliteConnection, SqlitePool};

use super::{columns::micros, refresh_tokens::insert_token};
use crate::{
    batcher::{BATCH_SIZE, Batcher},
    rotation_batch::{RotationBatch, RotationRequest},
};

/// One batch at a time: there is one writer connection.
const SLOTS: usize = 1;

/// Batched rotations on the `writer` pool, answering whether each rotation happened.
pub(super) fn rotations(writer: SqlitePool) -> Batcher<RotationRequest, bool> {
    Batcher::spawn(SLOTS, BATCH_SIZE, move |requests| {
        rotate_batch(writer.clone(), requests)
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
        if rotate(&mut tx, request).await.map_err(StoreError::new)? {
            rotated.push(request.successor_id());
        }
    }
    tx.commit().await.map_err(StoreError::new)?;
    Ok(batch.answers(rotated))
}

/// One rotation: the session moves to the successor only if its version is the one read and
/// the presented token is still unused; then (no other writer can come in between) the token
/// is marked used and the successor inserted. Whether it happened.
async fn rotate(
    connection: &mut SqliteConnection,
    request: &RotationRequest,
) -> Result<bool, sqlx::Error> {
    let (session_id, successor_id, used_id) = (
        request.session_id.to_string(),
        request.successor_id().to_string(),
        request.used_id.to_string(),
    );
    let moved = sqlx::query(
        r#"
        UPDATE sessions SET
            refresh_token_id = ?3,
            last_activity_at = ?4,
            updated_at = ?5,
            version = version + 1
        WHERE id = ?1 AND version = ?2
          AND EXISTS (SELECT 1 FROM refresh_tokens WHERE id = ?6 AND used_at IS NULL)
        "#,
    )
    .bind(&session_id)
    .bind(request.version)
    .bind(&successor_id)
    .bind(micros(request.last_activity_at))
    .bind(micros(request.updated_at))
    .bind(&used_id)
    .execute(&mut *connection)
    .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE refresh_tokens SET used_at = ?2, successor_id = ?3, \
         used_by_ip = ?4, used_by_browser = ?5, used_by_os = ?6 WHERE id = ?1",
    )
    .bind(&used_id)
    .bind(request.used_at.map(micros))
    .bind(&successor_id)
    .bind(request.used_by.ip.map(|ip| ip.to_string()))
    .bind(request.used_by.browser.as_deref())
    .bind(request.used_by.os.as_deref())
    .execute(&mut *connection)
    .await?;
    insert_token(connection, &request.successor).await?;
    Ok(true)
}
