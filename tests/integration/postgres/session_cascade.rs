//! Refresh tokens and events reference their session without a foreign key (a statement-level
//! cascade of the tokens and a reference-check trigger instead): the same guarantees, under
//! races too. Events outlive their session.

use std::sync::Arc;

use tokio::sync::Barrier;
use uuid::Uuid;

use crate::support::{
    fixtures::{now, started_session, stored_user},
    postgres::{fresh_store, row_count},
    store::StoreUnderTest,
};

/// Postgres's SQLSTATE for a foreign key violation.
const FOREIGN_KEY_VIOLATION: &str = "23503";

fn sqlstate(error: &sqlx::Error) -> Option<String> {
    error
        .as_database_error()
        .and_then(sqlx::error::DatabaseError::code)
        .map(std::borrow::Cow::into_owned)
}

#[tokio::test]
async fn a_token_or_an_event_of_an_unknown_session_is_a_foreign_key_violation() {
    let pg = fresh_store(2).await;
    let store = StoreUnderTest::of(pg.clone());
    let user = stored_user(&store).await;
    let unknown = Uuid::now_v7();
    let token = sqlx::query(
        "INSERT INTO refresh_tokens (id, session_id, token_hash, issued_at) \
         VALUES (gen_random_uuid(), $1, sha256('x'), now())",
    )
    .bind(unknown)
    .execute(pg.pool())
    .await
    .unwrap_err();
    let event = sqlx::query(
        "INSERT INTO session_events (session_id, user_id, event_type, occurred_at) \
         VALUES ($1, $2, 'session_created', now())",
    )
    .bind(unknown)
    .bind(user.id.as_uuid())
    .execute(pg.pool())
    .await
    .unwrap_err();
    for error in [token, event] {
        assert_eq!(
            sqlstate(&error).as_deref(),
            Some(FOREIGN_KEY_VIOLATION),
            "{error}"
        );
    }
}

#[tokio::test]
async fn moving_a_token_to_an_unknown_session_is_a_foreign_key_violation() {
    let pg = fresh_store(2).await;
    let store = StoreUnderTest::of(pg.clone());
    let user = stored_user(&store).await;
    let (session, _) = started_session(&store, user.id, now()).await;
    let error = sqlx::query("UPDATE refresh_tokens SET session_id = $1 WHERE session_id = $2")
        .bind(Uuid::now_v7())
        .bind(session.id().as_uuid())
        .execute(pg.pool())
        .await
        .unwrap_err();
    assert_eq!(
        sqlstate(&error).as_deref(),
        Some(FOREIGN_KEY_VIOLATION),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_racing_the_deletion_of_their_sessions_leave_no_orphan_tokens() {
    const SESSIONS: u32 = 20;
    let pg = fresh_store(SESSIONS + 2).await;
    let store = StoreUnderTest::of(pg.clone());
    let user = stored_user(&store).await;
    let mut sessions = Vec::new();
    for _ in 0..SESSIONS {
        sessions.push(
            started_session(&store, user.id, now())
                .await
                .0
                .id()
                .as_uuid(),
        );
    }
    // Each writer appends a token and an event in transactions held open a moment, over and
    // over, until its session is gone: the deletion comes once every writer has committed
    // once, while their next transactions are open.
    // The sessions' own events (created, and revoked for the session limit).
    let initial_events = row_count(&pg, "session_events").await;
    let first_written = Arc::new(Barrier::new(SESSIONS as usize + 1));
    let writers: Vec<_> = sessions
        .iter()
        .map(|&session| {
            let (pool, first_written, user) =
                (pg.pool().clone(), first_written.clone(), user.id.as_uuid());
            tokio::spawn(async move {
                let mut committed = 0_u32;
                loop {
                    let mut tx = pool.begin().await.unwrap();
                    let written = async {
                        sqlx::query(
                            "INSERT INTO refresh_tokens (id, session_id, token_hash, issued_at) \
                             VALUES (gen_random_uuid(), $1, \
                                     sha256(gen_random_uuid()::text::bytea), now())",
                        )
                        .bind(session)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "INSERT INTO session_events (session_id, user_id, event_type, occurred_at) \
                             VALUES ($1, $2, 'provider_accessed', now())",
                        )
                        .bind(session)
                        .bind(user)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query("SELECT pg_sleep(0.002)").execute(&mut *tx).await
                    }
                    .await;
                    match written {
                        Ok(_) => {
                            tx.commit().await.unwrap();
                            committed += 1;
                            if committed == 1 {
                                first_written.wait().await;
                            }
                        }
                        Err(error) => return (committed, sqlstate(&error)),
                    }
                }
            })
        })
        .collect();
    first_written.wait().await;
    let deleted = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.id.as_uuid())
        .execute(pg.pool())
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(deleted, u64::from(SESSIONS));

    let mut written = 0;
    for writer in writers {
        let (committed, stopped_by) = writer.await.unwrap();
        assert!(committed > 0);
        assert_eq!(stopped_by.as_deref(), Some(FOREIGN_KEY_VIOLATION));
        written += i64::from(committed);
    }
    assert_eq!(
        row_count(&pg, "refresh_tokens").await,
        0,
        "every token went with its session"
    );
    assert_eq!(
        row_count(&pg, "session_events").await,
        initial_events + written,
        "every committed event stays"
    );
}
