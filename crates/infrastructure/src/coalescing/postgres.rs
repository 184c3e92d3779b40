//! Postgres's batched statements: sessions by id and refresh tokens with their sessions by
//! hash (`= ANY` of the batch's keys), and rotations of different sessions in one statement,
//! committed once.

use ipnetwork::IpNetwork;
use sessions_application::ports::StoreError;
use sqlx::PgPool;
use uuid::Uuid;

use super::{BATCH_SIZE, BATCH_SLOTS, Batcher, keyed_reads, rotation_batch::RotationBatch};
use crate::{
    postgres::{SessionRow, TokenWithSessionRow},
    rotation::RotationRequest,
    session_record::session_columns,
    tokens_with_sessions::tokens_with_sessions,
};

/// Sessions by id, for a batch of ids (`$1`).
const FIND_SESSIONS: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM sessions WHERE id = ANY($1)"
);

/// Presented refresh tokens with their sessions, for a batch of hashes (`$1`).
const FIND_TOKENS_WITH_SESSIONS: &str = tokens_with_sessions!("token_hash = ANY($1)");

/// One statement, all or nothing, for every rotation of the batch (one element each in the
/// arrays `$1`…`$12`): a session is written only if its version is the one read and its
/// presented token is still unused (the session row lock serialises rotations of one chain);
/// a token is marked used only if its session was written; a successor is inserted only if
/// its token was marked. Returns the successors of the rotations that happened.
const ROTATE: &str = r#"
    WITH request AS (
        SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::timestamptz[],
                             $5::timestamptz[], $6::uuid[], $7::timestamptz[], $8::bytea[],
                             $9::timestamptz[], $10::inet[], $11::text[], $12::text[])
            AS request(session_id, version, successor_id, last_activity_at, updated_at,
                       used_id, used_at, successor_hash, successor_issued_at, used_by_ip,
                       used_by_browser, used_by_os)
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
        SET used_at = request.used_at, successor_id = request.successor_id,
            used_by_ip = request.used_by_ip, used_by_browser = request.used_by_browser,
            used_by_os = request.used_by_os
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

/// Postgres's batched reads and writes, each with its own dispatcher.
#[derive(Clone, Debug)]
pub(crate) struct PostgresBatches {
    sessions: Batcher<Uuid, Option<SessionRow>>,
    tokens: Batcher<[u8; 32], Option<TokenWithSessionRow>>,
    rotations: Batcher<RotationRequest, bool>,
}

impl PostgresBatches {
    /// Starts the dispatchers on the current Tokio runtime, over `pool`.
    pub fn spawn(pool: &PgPool) -> Self {
        Self {
            sessions: session_reads(pool.clone()),
            tokens: token_reads(pool.clone()),
            rotations: Batcher::spawn(BATCH_SLOTS, BATCH_SIZE, {
                let pool = pool.clone();
                move |requests| rotate_batch(pool.clone(), requests)
            }),
        }
    }

    /// The session with `id`, read with whatever other reads are queued.
    pub async fn session(&self, id: Uuid) -> Result<Option<SessionRow>, StoreError> {
        self.sessions.run(id).await
    }

    /// The token whose hash is `hash`, with its session, read with the others queued.
    pub async fn token(&self, hash: [u8; 32]) -> Result<Option<TokenWithSessionRow>, StoreError> {
        self.tokens.run(hash).await
    }

    /// Writes `rotation` with the others queued; whether it happened.
    pub async fn rotate(&self, rotation: RotationRequest) -> Result<bool, StoreError> {
        self.rotations.run(rotation).await
    }
}

/// Batched reads of sessions by id on `pool`.
fn session_reads(pool: PgPool) -> Batcher<Uuid, Option<SessionRow>> {
    keyed_reads(BATCH_SLOTS, BATCH_SIZE, move |ids: Vec<Uuid>| {
        let pool = pool.clone();
        async move {
            let rows: Vec<SessionRow> = sqlx::query_as(FIND_SESSIONS)
                .bind(ids)
                .fetch_all(&pool)
                .await
                .map_err(StoreError::new)?;
            Ok(rows.into_iter().map(|row| (row.id(), row)).collect())
        }
    })
}

/// Batched reads of refresh tokens (with their sessions) by hash on `pool`. Planned for each
/// batch (not prepared once): `refresh_tokens` grows by one row per refresh, and a plan
/// cached while the table was small (a sequential scan) would be kept long after it is not.
fn token_reads(pool: PgPool) -> Batcher<[u8; 32], Option<TokenWithSessionRow>> {
    keyed_reads(BATCH_SLOTS, BATCH_SIZE, move |hashes: Vec<[u8; 32]>| {
        let pool = pool.clone();
        async move {
            let hashes: Vec<&[u8]> = hashes.iter().map(<[u8; 32]>::as_slice).collect();
            let rows: Vec<TokenWithSessionRow> = sqlx::query_as(FIND_TOKENS_WITH_SESSIONS)
                .bind(hashes)
                .persistent(false)
                .fetch_all(&pool)
                .await
                .map_err(StoreError::new)?;
            // A stored hash that is not 32 bytes matches no presented one; it is never
            // answered (the read finds nothing), exactly as an equality lookup would.
            Ok(rows
                .into_iter()
                .filter_map(|row| Some((row.token_hash().try_into().ok()?, row)))
                .collect())
        }
    })
}

/// One array parameter of a batched statement: `field` of every request, in batch order.
fn column<R, T>(requests: &[R], field: impl Fn(&R) -> T) -> Vec<T> {
    requests.iter().map(field).collect()
}

/// Writes the rotations of one batch (see `RotationBatch`).
async fn rotate_batch(
    pool: PgPool,
    requests: Vec<RotationRequest>,
) -> Result<Vec<bool>, StoreError> {
    let batch = RotationBatch::new(requests);
    let rotated = run_with_deadlock_retries(&pool, &batch.to_write()).await?;
    Ok(batch.answers(rotated))
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
            .bind(column(written, |request| request.successor_id()))
            .bind(column(written, |request| request.last_activity_at))
            .bind(column(written, |request| request.updated_at))
            .bind(column(written, |request| request.used_id))
            .bind(column(written, |request| request.used_at))
            .bind(column(written, |&request| {
                request.successor.hash.as_bytes().as_slice()
            }))
            .bind(column(written, |request| request.successor.issued_at))
            .bind(column(written, |request| {
                request.used_by.ip.map(IpNetwork::from)
            }))
            .bind(column(written, |request| {
                request.used_by.browser.as_deref()
            }))
            .bind(column(written, |request| request.used_by.os.as_deref()))
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
