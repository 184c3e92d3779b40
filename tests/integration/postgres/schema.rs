//! The migrated schema is the one the specification names.

use crate::support::postgres::fresh_store;

#[tokio::test]
async fn the_schema_has_the_specified_indexes() {
    let store = fresh_store(2).await;
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes WHERE tablename = 'sessions' ORDER BY 1",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    for name in [
        "ix_sessions_user_id",
        "ix_sessions_is_revoked",
        "ix_sessions_expires_at",
        "idx_sessions_user_active",
        "idx_sessions_cleanup",
    ] {
        assert!(
            indexes.iter().any(|index| index == name),
            "{name} missing: {indexes:?}"
        );
    }
}

#[tokio::test]
async fn addresses_are_inet_and_providers_a_text_array() {
    let store = fresh_store(2).await;
    let types: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, udt_name::text FROM information_schema.columns \
         WHERE table_name = 'sessions' \
           AND column_name IN ('ip_address', 'last_ip_address', 'providers_accessed') \
         ORDER BY 1",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(
        types,
        [
            ("ip_address".to_owned(), "inet".to_owned()),
            ("last_ip_address".to_owned(), "inet".to_owned()),
            ("providers_accessed".to_owned(), "_text".to_owned()),
        ]
    );
}

#[tokio::test]
async fn an_unknown_revocation_reason_is_rejected_by_the_database() {
    let store = fresh_store(2).await;
    sqlx::query(
        "INSERT INTO users (id, email, password_hash, created_at, updated_at) \
         VALUES ('00000000-0000-7000-8000-000000000001', 'a@example.com', 'x', now(), now())",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let result = sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, updated_at, ip_address, \
             last_activity_at, expires_at, is_revoked, revoked_at, revoked_reason) \
         VALUES (gen_random_uuid(), '00000000-0000-7000-8000-000000000001', now(), now(), \
             '203.0.113.7', now(), now(), TRUE, now(), 'bored')",
    )
    .execute(store.pool())
    .await;
    let error = result.unwrap_err();
    assert!(error.to_string().contains("check constraint"), "{error}");
}
