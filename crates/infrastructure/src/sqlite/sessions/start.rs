//! A login's session start in SQLite: on the single writer connection (logins are
//! serialised), the session limit's evictions, the new session, its refresh token and
//! events, and the device token, in one transaction.

use sessions_application::ports::{SessionStart, StartSessionError, StoreError};
use sessions_domain::{
    EvictionCandidate, Session, SessionEvent, SessionId, SessionLimit, choose_evictions,
};
use sqlx::SqliteConnection;

use crate::{
    session_record::SessionRecord,
    sqlite::{
        SqliteStore,
        device_tokens::write_device_token,
        encoding::{micros, providers_json, time, uuid},
        events::insert_events,
        refresh_tokens::insert_token,
        users::limit_from_column,
    },
};

async fn insert_session(
    connection: &mut SqliteConnection,
    session: &Session,
) -> Result<(), sqlx::Error> {
    let row = SessionRecord::from_session(session);
    sqlx::query(
        r#"
        INSERT INTO sessions (
            id, user_id, created_at, updated_at, device_info, user_agent, ip_address, location,
            last_activity_at, expires_at, is_revoked, revoked_at, revoked_reason, is_trusted,
            refresh_token_id, last_ip_address, suspicious_activity_count,
            last_provider_accessed, last_provider_sync_at, providers_accessed, version
        ) VALUES (
            ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21
        )
        "#,
    )
    .bind(row.id.to_string())
    .bind(row.user_id.to_string())
    .bind(micros(row.created_at))
    .bind(micros(row.updated_at))
    .bind(row.device_info)
    .bind(row.user_agent)
    .bind(row.ip_address.to_string())
    .bind(row.location)
    .bind(micros(row.last_activity_at))
    .bind(micros(row.expires_at))
    .bind(row.is_revoked)
    .bind(row.revoked_at.map(micros))
    .bind(row.revoked_reason)
    .bind(row.is_trusted)
    .bind(row.refresh_token_id.map(|id| id.to_string()))
    .bind(row.last_ip_address.map(|ip| ip.to_string()))
    .bind(row.suspicious_activity_count)
    .bind(row.last_provider_accessed)
    .bind(row.last_provider_sync_at.map(micros))
    .bind(providers_json(&row.providers_accessed))
    .bind(row.version)
    .execute(connection)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: String,
    is_trusted: bool,
    last_activity_at: i64,
    expires_at: i64,
}

/// Revokes the sessions the limit rule picks to make room for `start.session`; returns the
/// eviction events (not yet written).
async fn evict_for(
    connection: &mut SqliteConnection,
    start: &SessionStart,
    limit: SessionLimit,
) -> Result<Vec<SessionEvent>, StoreError> {
    let SessionLimit::AtMost(_) = limit else {
        return Ok(Vec::new());
    };
    let user_id = start.session.user_id();
    let rows: Vec<CandidateRow> = sqlx::query_as(
        "SELECT id, is_trusted, last_activity_at, expires_at FROM sessions \
         WHERE user_id = ?1 AND is_revoked = 0 AND expires_at > ?2",
    )
    .bind(user_id.as_uuid().to_string())
    .bind(micros(start.now))
    .fetch_all(&mut *connection)
    .await
    .map_err(StoreError::new)?;
    let mut candidates = Vec::with_capacity(rows.len());
    for row in rows {
        candidates.push(EvictionCandidate {
            id: SessionId::from_uuid(uuid("sessions", &row.id)?),
            is_trusted: row.is_trusted,
            last_activity_at: time("sessions", row.last_activity_at)?,
            expires_at: time("sessions", row.expires_at)?,
        });
    }
    let evicted = choose_evictions(&candidates, limit, start.now, &start.policy);
    for id in &evicted {
        sqlx::query(
            "UPDATE sessions SET is_revoked = 1, revoked_at = ?2, \
             revoked_reason = 'session_limit', updated_at = ?2, version = version + 1 \
             WHERE id = ?1 AND is_revoked = 0",
        )
        .bind(id.as_uuid().to_string())
        .bind(micros(start.now))
        .execute(&mut *connection)
        .await
        .map_err(StoreError::new)?;
    }
    Ok(evicted
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
        .collect())
}

/// Starts a session (see `SessionRepository::start`).
pub(super) async fn start(
    store: &SqliteStore,
    start: &SessionStart,
) -> Result<Vec<SessionEvent>, StartSessionError> {
    let failed = |error: sqlx::Error| StartSessionError::Store(StoreError::new(error));
    // On the single writer connection: logins are serialised.
    let mut tx = store.begin_write().await.map_err(failed)?;
    let user_limit: Option<Option<i64>> =
        sqlx::query_scalar("SELECT max_sessions FROM users WHERE id = ?1")
            .bind(start.session.user_id().as_uuid().to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(failed)?;
    let Some(user_limit) = user_limit else {
        return Err(StartSessionError::UserNotFound);
    };
    let limit = start.policy.limit_for(limit_from_column(user_limit));
    let evictions = evict_for(&mut tx, start, limit).await?;
    insert_session(&mut tx, &start.session)
        .await
        .map_err(failed)?;
    insert_token(&mut tx, &start.refresh_token)
        .await
        .map_err(failed)?;
    let mut events = evictions.clone();
    events.push(start.created.clone());
    insert_events(&mut tx, &events).await.map_err(failed)?;
    write_device_token(&mut tx, &start.device_token)
        .await
        .map_err(failed)?;
    tx.commit().await.map_err(failed)?;
    Ok(evictions)
}
