//! Cleanup of 100,000 expired sessions: batch after batch, with reads going on meanwhile.

use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicU64, Ordering},
};

use sessions_domain::SessionPolicy;

use crate::support::{
    app::application,
    fixtures::{now, started_session, stored_user},
    postgres::{fresh_store, row_count},
    store::StoreUnderTest,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cleanup_of_100000_expired_sessions_runs_in_batches_while_reads_go_on() {
    let pg = fresh_store(10).await;
    let store = StoreUnderTest::of(pg.clone());
    let bulk_user = stored_user(&store).await;
    // 100,000 sessions that expired 10 days ago, each with a refresh token and an event.
    for statement in [
        "INSERT INTO sessions (id, user_id, created_at, updated_at, ip_address, last_activity_at, expires_at) \
         SELECT gen_random_uuid(), $1, now() - interval '40 days', now() - interval '40 days', \
                '203.0.113.7', now() - interval '40 days', now() - interval '10 days' \
         FROM generate_series(1, 100000)",
        "INSERT INTO refresh_tokens (id, session_id, token_hash, issued_at) \
         SELECT gen_random_uuid(), id, sha256(id::text::bytea), created_at FROM sessions WHERE user_id = $1",
        "INSERT INTO session_events (session_id, user_id, event_type, occurred_at) \
         SELECT id, user_id, 'session_created', created_at FROM sessions WHERE user_id = $1",
    ] {
        sqlx::query(statement)
            .bind(bulk_user.id.as_uuid())
            .execute(pg.pool())
            .await
            .unwrap();
    }
    let live_user = stored_user(&store).await;
    let (live, _) = started_session(&store, live_user.id, now()).await;
    let app = application(&store, SessionPolicy::default());

    let cleaning = Arc::new(AtomicBool::new(true));
    let reads_during_cleanup = Arc::new(AtomicU64::new(0));
    let reader = {
        let (store, cleaning, reads) = (
            store.clone(),
            cleaning.clone(),
            reads_during_cleanup.clone(),
        );
        tokio::spawn(async move {
            while cleaning.load(Ordering::SeqCst) {
                let found = store.sessions.find(live.id()).await.unwrap();
                assert!(found.is_some());
                if cleaning.load(Ordering::SeqCst) {
                    reads.fetch_add(1, Ordering::SeqCst);
                }
            }
        })
    };
    let report = app.cleanup().await.unwrap();
    cleaning.store(false, Ordering::SeqCst);
    reader.await.unwrap();

    assert_eq!(report.deleted, 100_000);
    // 100 full batches of 1,000, then one that finds no expired session left, and one that
    // finds no revoked one.
    assert_eq!(report.batches, 102);
    assert!(reads_during_cleanup.load(Ordering::SeqCst) > 0);
    let remaining: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(pg.pool())
        .await
        .unwrap();
    assert_eq!(remaining, 1);
    assert_eq!(
        row_count(&pg, "refresh_tokens").await,
        1,
        "only the live session's token remains"
    );
    assert_eq!(report.events, 0);
    assert_eq!(
        row_count(&pg, "session_events").await,
        100_001,
        "events outlive their sessions"
    );
}
