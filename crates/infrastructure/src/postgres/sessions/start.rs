//! A login's session start in Postgres: under a lock on the user's row, the session limit's
//! evictions, the new session, its refresh token and events, and the device token, in one
//! transaction of few round trips.

use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;
use sessions_application::ports::{SessionStart, StartSessionError, StoreError};
use sessions_domain::{
    EvictionCandidate, Session, SessionEvent, SessionId, SessionLimit, choose_evictions,
};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{
    postgres::{
        PostgresStore,
        device_tokens::write_device_token,
        events::{EventColumns, insert_event_columns},
        queries,
        users::limit_from_column,
    },
    session_record::SessionRecord,
};

use super::statements::bind_mutable_columns;

/// A session's start, writing the sessions table once: the sessions evicted to make room
/// (`$22`, an array, possibly empty) are revoked at `$23`, and the new session is inserted
/// (`$1`…`$21`, bound by [`bind_new_session`]). They are different rows, so one snapshot
/// serves both.
const EVICT_AND_INSERT_SESSION: &str = r#"
    WITH evicted AS (
        UPDATE sessions SET
            is_revoked = TRUE, revoked_at = $23, revoked_reason = 'session_limit',
            updated_at = $23, version = version + 1
        WHERE id = ANY($22) AND is_revoked = FALSE
    )
    INSERT INTO sessions (
        id, user_id, created_at, device_info, user_agent, ip_address, location, expires_at,
        version, updated_at, last_activity_at, is_revoked, revoked_at, revoked_reason,
        is_trusted, refresh_token_id, last_ip_address, suspicious_activity_count,
        last_provider_accessed, last_provider_sync_at, providers_accessed
    ) VALUES (
        $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
        $19, $20, $21
    )
"#;

/// What a session's start writes after the session: its refresh token (`$13`…`$18`) and the
/// events (`$1`…`$12`, [`EventColumns`]). A statement of its own because the references of
/// both to the session are checked against what earlier statements wrote.
const INSERT_TOKEN_AND_EVENTS: &str = concat!(
    "WITH token AS (INSERT INTO refresh_tokens ",
    "(id, session_id, token_hash, issued_at, used_at, successor_id) ",
    "VALUES ($13, $14, $15, $16, $17, $18)) ",
    insert_event_columns!()
);

/// Binds `$1`…`$21` of [`EVICT_AND_INSERT_SESSION`]: the columns set once, then the mutable
/// ones.
fn bind_new_session<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    session: &Session,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    let mut row = SessionRecord::from_session(session);
    let query = query
        .bind(row.id)
        .bind(row.user_id)
        .bind(row.created_at)
        .bind(row.device_info.take())
        .bind(row.user_agent.take())
        .bind(IpNetwork::from(row.ip_address))
        .bind(row.location.take())
        .bind(row.expires_at)
        .bind(row.version);
    bind_mutable_columns(query, row)
}

#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: Uuid,
    is_trusted: bool,
    last_activity_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// The sessions the limit rule picks to make room for `start.session`, read under the
/// user-row lock the caller holds.
async fn evictions_for(
    connection: &mut PgConnection,
    start: &SessionStart,
    limit: SessionLimit,
) -> Result<Vec<SessionId>, sqlx::Error> {
    let SessionLimit::AtMost(_) = limit else {
        return Ok(Vec::new());
    };
    let candidates: Vec<CandidateRow> = sqlx::query_as(queries::ACTIVE_SESSIONS_OF_USER)
        .bind(start.session.user_id().as_uuid())
        .bind(start.now)
        .fetch_all(connection)
        .await?;
    let candidates: Vec<EvictionCandidate> = candidates
        .into_iter()
        .map(|row| EvictionCandidate {
            id: SessionId::from_uuid(row.id),
            is_trusted: row.is_trusted,
            last_activity_at: row.last_activity_at,
            expires_at: row.expires_at,
        })
        .collect();
    Ok(choose_evictions(
        &candidates,
        limit,
        start.now,
        &start.policy,
    ))
}

/// Starts a session (see `SessionRepository::start`).
pub(super) async fn start(
    store: &PostgresStore,
    start: &SessionStart,
) -> Result<Vec<SessionEvent>, StartSessionError> {
    // Seven round trips: BEGIN, the user-row lock, the active sessions (under a limit), the
    // sessions write, the token and events, the device token, COMMIT. The lock and the read stay apart: one
    // statement's snapshot, taken before the lock is granted, would miss a session that a
    // concurrent login of the same user committed meanwhile.
    let failed = |error: sqlx::Error| StartSessionError::Store(StoreError::new(error));
    let mut tx = store.pool().begin().await.map_err(failed)?;
    // Serialises concurrent logins of this user until commit.
    let user_limit: Option<Option<i32>> =
        sqlx::query_scalar("SELECT max_sessions FROM users WHERE id = $1 FOR NO KEY UPDATE")
            .bind(start.session.user_id().as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(failed)?;
    let Some(user_limit) = user_limit else {
        return Err(StartSessionError::UserNotFound);
    };
    let limit = start.policy.limit_for(limit_from_column(user_limit));
    let evicted = evictions_for(&mut tx, start, limit).await.map_err(failed)?;
    let evicted_ids: Vec<Uuid> = evicted.iter().map(SessionId::as_uuid).collect();
    bind_new_session(sqlx::query(EVICT_AND_INSERT_SESSION), &start.session)
        .bind(evicted_ids)
        .bind(start.now)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
    let user_id = start.session.user_id();
    let evictions: Vec<SessionEvent> = evicted
        .into_iter()
        .map(|id| {
            SessionEvent::evicted(
                id,
                user_id,
                start.session.id(),
                start.now,
                start.created.cause.clone(),
            )
        })
        .collect();
    let mut events = evictions.clone();
    events.push(start.created.clone());
    let token = &start.refresh_token;
    EventColumns::of(&events)
        .bind(sqlx::query(INSERT_TOKEN_AND_EVENTS))
        .bind(token.id.as_uuid())
        .bind(token.session_id.as_uuid())
        .bind(token.hash.as_bytes().as_slice())
        .bind(token.issued_at)
        .bind(token.used_at)
        .bind(token.successor_id.map(|id| id.as_uuid()))
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
    write_device_token(&mut tx, &start.device_token)
        .await
        .map_err(failed)?;
    tx.commit().await.map_err(failed)?;
    Ok(evictions)
}
