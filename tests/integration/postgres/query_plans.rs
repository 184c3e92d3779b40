//! The hot per-user queries use `idx_sessions_user_active`, and a cleanup batch no scan of the
//! whole table, also in the generic plan it runs (EXPLAIN on realistic data).

use chrono::Utc;
use sessions_infrastructure::postgres::{PostgresStore, queries};
use uuid::Uuid;

use crate::support::postgres::fresh_store;

/// 2,000 users with 10 sessions each (a third revoked, a fifth expired), analysed.
async fn seeded_store() -> (PostgresStore, Uuid) {
    let store = fresh_store(2).await;
    sqlx::query(
        r#"
        INSERT INTO users (id, email, password_hash, created_at, updated_at)
        SELECT gen_random_uuid(), 'user' || n || '@example.com', 'x', now(), now()
        FROM generate_series(1, 2000) AS n
        "#,
    )
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query(
        r#"
        INSERT INTO sessions (id, user_id, created_at, updated_at, ip_address,
                              last_activity_at, expires_at, is_revoked, revoked_at, revoked_reason)
        SELECT gen_random_uuid(), u.id, now() - n * interval '1 hour', now(), '203.0.113.7',
               now(), now() + CASE WHEN n % 5 = 0 THEN interval '-1 day' ELSE interval '20 days' END,
               n % 3 = 0, CASE WHEN n % 3 = 0 THEN now() END,
               CASE WHEN n % 3 = 0 THEN 'logout' END
        FROM users u CROSS JOIN generate_series(1, 10) AS n
        "#,
    )
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query("ANALYZE").execute(store.pool()).await.unwrap();
    let user: Uuid = sqlx::query_scalar("SELECT id FROM users LIMIT 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    (store, user)
}

async fn plan<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    query: sqlx::query::Query<'e, sqlx::Postgres, sqlx::postgres::PgArguments>,
) -> String {
    let rows: Vec<String> = query
        .try_map(|row: sqlx::postgres::PgRow| sqlx::Row::try_get::<String, _>(&row, 0))
        .fetch_all(executor)
        .await
        .unwrap();
    let plan = rows.join("\n");
    println!("{plan}");
    plan
}

#[tokio::test]
async fn the_session_limit_count_uses_idx_sessions_user_active() {
    let (store, user) = seeded_store().await;
    let sql = format!("EXPLAIN {}", queries::ACTIVE_SESSIONS_OF_USER);
    let plan = plan(store.pool(), sqlx::query(&sql).bind(user).bind(Utc::now())).await;
    assert!(plan.contains("idx_sessions_user_active"), "{plan}");
}

#[tokio::test]
async fn the_active_session_list_uses_idx_sessions_user_active() {
    let (store, user) = seeded_store().await;
    for after_cursor in [false, true] {
        let sql = format!("EXPLAIN {}", queries::session_page(true, after_cursor));
        let now = Utc::now();
        let query = sqlx::query(&sql)
            .bind(user)
            .bind(51_i64)
            .bind(now)
            .bind(None::<chrono::DateTime<Utc>>)
            .bind(after_cursor.then_some(now))
            .bind(after_cursor.then(Uuid::max));
        let plan = plan(store.pool(), query).await;
        assert!(plan.contains("idx_sessions_user_active"), "{plan}");
    }
}

#[tokio::test]
async fn a_cleanup_batch_walks_its_end_time_index_from_where_it_starts_and_deletes_by_address() {
    let (store, _) = seeded_store().await;
    // As the service runs it: a prepared statement, on the cleanup's own connection.
    let mut cleanup = store.cleanup_pool().acquire().await.unwrap();
    let synchronous_commit: String = sqlx::query_scalar("SHOW synchronous_commit")
        .fetch_one(&mut *cleanup)
        .await
        .unwrap();
    assert_eq!(synchronous_commit, "off");
    for (name, statement, index_condition) in [
        (
            "expired",
            queries::DELETE_EXPIRED_SESSIONS,
            "expires_at >= $1",
        ),
        (
            "revoked",
            queries::DELETE_REVOKED_SESSIONS,
            "revoked_at >= $1",
        ),
    ] {
        let prepare = format!("PREPARE {name}(timestamptz, timestamptz, bigint) AS {statement}");
        sqlx::raw_sql(&prepare)
            .execute(&mut *cleanup)
            .await
            .unwrap();
        let explain = format!("EXPLAIN EXECUTE {name}('epoch', now() + interval '1 day', 1000)");
        let plan = plan(&mut *cleanup, sqlx::query(&explain)).await;
        // The generic plan (parameters, not values), its index walk bounded below.
        assert!(plan.contains(index_condition), "{plan}");
        assert!(plan.contains("Tid Scan on sessions"), "{plan}");
        assert!(!plan.contains("Seq Scan"), "{plan}");
    }
}
