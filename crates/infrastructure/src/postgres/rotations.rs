//! Refresh rotations in Postgres, batched under load: concurrent rotations of different
//! sessions are written by one statement and committed once, instead of one commit each.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sessions_application::ports::{RefreshRotation, StoreError};
use sqlx::PgPool;
use uuid::Uuid;

use super::column;
use crate::{
    batcher::{BATCH_SIZE, BATCH_SLOTS, Batcher},
    session_columns::SessionColumns,
};

/// One statement, all or nothing, for every rotation of the batch (one element each in the
/// arrays `$1`…`$9`): a session is written only if its version is the one read and its
/// presented token is still unused (the session row lock serialises rotations of one chain);
/// a token is marked used only if its session was written; a successor is inserted only if
/// its token was marked. Returns the successors of the rotations that happened. A rotation
/// changes a session's current token, last activity and `updated_at`; under the version
/// check, writing those is writing the session.
const ROTATE: &str = r#"
    WITH request AS (
        SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::timestamptz[],
                             $5::timestamptz[], $6::uuid[], $7::timestamptz[], $8::bytea[],
                             $9::timestamptz[])
            AS request(session_id, version, successor_id, last_activity_at, updated_at,
                       used_id, used_at, successor_hash, successor_issued_at)
    ), moved AS (
        UPDATE sessions
        SET refresh_token_id = request.successor_id,
            last_activity_at = request.last_activity_at,
            updated_at = request.updated_at,
            version = sessions.version + 1
        FROM request
        WHERE sessions.id = request.session_id AND sessions.version = request.version
          AND EXISTS (SELECT 1 FROM refresh_tokens
                      WHERE id = request.used_id AND used_at IS NULL)
        RETURNING request.successor_id
    ), used AS (
        UPDATE refresh_tokens
        SET used_at = request.used_at, successor_id = request.successor_id
        FROM request
        WHERE refresh_tokens.id = request.used_id AND refresh_tokens.used_at IS NULL
          AND request.successor_id IN (SELECT successor_id FROM moved)
        RETURNING request.successor_id
    ), issued AS (
        INSERT INTO refresh_tokens (id, session_id, token_hash, issued_at)
        SELECT successor_id, session_id, successor_hash, successor_issued_at FROM request
        WHERE successor_id IN (SELECT successor_id FROM used)
    )
    SELECT successor_id FROM used
"#;

/// How often a batch that Postgres chose as a deadlock victim is run again. Two batches
/// lock sessions in the same order (each lists its sessions in id order), so they can only
/// deadlock if Postgres plans them differently, or with another instance's batch.
const DEADLOCK_RETRIES: usize = 3;

/// What one rotation writes.
#[derive(Debug)]
pub(super) struct RotationRequest {
    session_id: Uuid,
    version: i64,
    successor_id: Uuid,
    last_activity_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    used_id: Uuid,
    used_at: Option<DateTime<Utc>>,
    successor_hash: Vec<u8>,
    successor_issued_at: DateTime<Utc>,
}

impl From<&RefreshRotation> for RotationRequest {
    fn from(rotation: &RefreshRotation) -> Self {
        let session = SessionColumns::from_session(&rotation.session);
        Self {
            session_id: session.id,
            version: session.version,
            successor_id: rotation.successor.id.as_uuid(),
            last_activity_at: session.last_activity_at,
            updated_at: session.updated_at,
            used_id: rotation.used.id.as_uuid(),
            used_at: rotation.used.used_at,
            successor_hash: rotation.successor.hash.as_bytes().to_vec(),
            successor_issued_at: rotation.successor.issued_at,
        }
    }
}

/// Batched rotations on `pool`, answering whether each rotation happened.
pub(super) fn rotations(pool: PgPool) -> Batcher<RotationRequest, bool> {
    Batcher::spawn(BATCH_SLOTS, BATCH_SIZE, move |requests| {
        rotate_batch(pool.clone(), requests)
    })
}

/// Writes the rotations of one batch. Of several rotations of one session, the first is
/// written and the others lost the race (as if they had come a moment later).
async fn rotate_batch(
    pool: PgPool,
    requests: Vec<RotationRequest>,
) -> Result<Vec<bool>, StoreError> {
    let mut seen = HashSet::new();
    let first_of_session: Vec<bool> = requests
        .iter()
        .map(|request| seen.insert(request.session_id))
        .collect();
    let mut written: Vec<&RotationRequest> = requests
        .iter()
        .zip(&first_of_session)
        .filter_map(|(request, first)| first.then_some(request))
        .collect();
    written.sort_by_key(|request| request.session_id);
    let rotated: HashSet<Uuid> = run_with_deadlock_retries(&pool, &written)
        .await?
        .into_iter()
        .collect();
    Ok(requests
        .iter()
        .zip(first_of_session)
        .map(|(request, first)| first && rotated.contains(&request.successor_id))
        .collect())
}

/// Runs [`ROTATE`] for `written` (in session id order), again if chosen as a deadlock victim.
async fn run_with_deadlock_retries(
    pool: &PgPool,
    written: &[&RotationRequest],
) -> Result<Vec<Uuid>, StoreError> {
    let mut attempt = 0;
    loop {
        let outcome = sqlx::query_scalar(ROTATE)
            .bind(column(written, |request| request.session_id))
            .bind(column(written, |request| request.version))
            .bind(column(written, |request| request.successor_id))
            .bind(column(written, |request| request.last_activity_at))
            .bind(column(written, |request| request.updated_at))
            .bind(column(written, |request| request.used_id))
            .bind(column(written, |request| request.used_at))
            .bind(column(written, |&request| {
                request.successor_hash.as_slice()
            }))
            .bind(column(written, |request| request.successor_issued_at))
            .fetch_all(pool)
            .await;
        match outcome {
            Err(sqlx::Error::Database(error))
                if error.code().as_deref() == Some("40P01") && attempt < DEADLOCK_RETRIES =>
            {
                attempt += 1;
                tracing::debug!(attempt, "rotation batch chosen as deadlock victim; again");
            }
            outcome => return outcome.map_err(StoreError::new),
        }
    }
}
