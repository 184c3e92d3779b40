//! Each filter of the audit trail's search is an index scan of its own on a trail of a
//! quarter of a million events (EXPLAIN on realistic, analysed data).

use chrono::{DateTime, TimeDelta, Utc};
use sessions_application::ports::{EventFilter, EventOrder, EventSearch};
use sessions_domain::{IpNetwork, SessionId, UserId};
use sessions_infrastructure::postgres::{PostgresStore, queries};
use uuid::Uuid;

use crate::support::postgres::fresh_store;

/// 250,000 events over 400 days from 5,000 users' 25,000 sessions: mostly activity, a few
/// percent failed sign-ins and password changes, addresses spread over 10.0.0.0/8 and one
/// IPv6 /32 each; analysed.
async fn seeded_trail() -> (PostgresStore, Uuid, Uuid) {
    let store = fresh_store(2).await;
    for statement in [
        r#"
        INSERT INTO users (id, email, password_hash, created_at, updated_at)
        SELECT gen_random_uuid(), 'user' || n || '@example.com', 'x', now(), now()
        FROM generate_series(1, 5000) AS n
        "#,
        r#"
        INSERT INTO sessions (id, user_id, created_at, updated_at, ip_address,
                              last_activity_at, expires_at)
        SELECT gen_random_uuid(), u.id, now(), now(), '203.0.113.7', now(),
               now() + interval '20 days'
        FROM users u CROSS JOIN generate_series(1, 5)
        "#,
        r#"
        INSERT INTO session_events (session_id, user_id, event_type, occurred_at, data, actor,
                                    ip, user_agent)
        SELECT s.id, s.user_id,
               CASE WHEN n % 50 = 0 THEN 'session_created'
                    WHEN n % 7 = 0 THEN 'session_revoked'
                    ELSE 'ip_changed' END,
               now() - (n * interval '138 seconds'),
               CASE WHEN n % 7 = 0 AND n % 50 <> 0 THEN '{"reason": "logout"}'
                    WHEN n % 50 = 0 THEN '{}'
                    ELSE '{"from": "10.0.0.1", "to": "10.0.0.2", "same_network": true}' END::jsonb,
               'user',
               CASE WHEN n % 2 = 0
                    THEN ('10.0.0.0'::inet + (n * 7919) % 16777216)
                    ELSE ('2001:db8::'::inet + (n * 7919)) END,
               'Mozilla/5.0'
        FROM (SELECT id, user_id, row_number() OVER () AS rn FROM sessions) s
        CROSS JOIN LATERAL generate_series((s.rn - 1) * 10 + 1, s.rn * 10) AS n
        "#,
        r#"
        INSERT INTO session_events (session_id, user_id, event_type, occurred_at, data, actor, ip)
        SELECT NULL, u.id,
               CASE WHEN n % 2 = 0 THEN 'login_failed' ELSE 'password_changed' END,
               now() - (n * interval '1 hour'), '{}', 'user', '198.51.100.7'
        FROM (SELECT id FROM users LIMIT 1000) u CROSS JOIN generate_series(1, 2) AS n
        "#,
        "ANALYZE",
    ] {
        sqlx::query(statement).execute(store.pool()).await.unwrap();
    }
    let user: Uuid = sqlx::query_scalar("SELECT id FROM users LIMIT 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let session: Uuid = sqlx::query_scalar("SELECT id FROM sessions LIMIT 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    (store, user, session)
}

/// The plan of the search for `filter`, newest first, one page.
async fn plan(store: &PostgresStore, filter: EventFilter) -> String {
    let search = EventSearch {
        filter: filter.clone(),
        order: EventOrder::NewestFirst,
        after: None,
        limit: 101,
    };
    let sql = format!("EXPLAIN {}", queries::event_search(&search));
    let mut query = sqlx::query(&sql);
    if let Some(user) = filter.user_id {
        query = query.bind(user.as_uuid());
    }
    if let Some(session) = filter.session_id {
        query = query.bind(session.as_uuid());
    }
    match filter.types.as_slice() {
        [] => {}
        [event_type] => query = query.bind(*event_type),
        types => query = query.bind(types.to_vec()),
    }
    if let Some(network) = filter.network {
        query = query.bind(network);
    }
    if let Some(since) = filter.since {
        query = query.bind(since);
    }
    if let Some(until) = filter.until {
        query = query.bind(until);
    }
    let rows: Vec<String> = query
        .bind(101_i64)
        .try_map(|row: sqlx::postgres::PgRow| sqlx::Row::try_get::<String, _>(&row, 0))
        .fetch_all(store.pool())
        .await
        .unwrap();
    let plan = rows.join("\n");
    println!("{plan}");
    plan
}

fn days_ago(days: i64) -> DateTime<Utc> {
    Utc::now() - TimeDelta::days(days)
}

#[tokio::test]
async fn each_search_filter_is_an_index_scan_of_its_own() {
    let (store, user, session) = seeded_trail().await;
    let network = |cidr: &str| Some(cidr.parse::<IpNetwork>().unwrap());
    let cases = [
        (
            "user",
            EventFilter {
                user_id: Some(UserId::from_uuid(user)),
                ..EventFilter::default()
            },
            "ix_session_events_user_id",
        ),
        (
            "session",
            EventFilter {
                session_id: Some(SessionId::from_uuid(session)),
                ..EventFilter::default()
            },
            "ix_session_events_session_id",
        ),
        (
            "a type",
            EventFilter {
                types: vec!["session_created"],
                ..EventFilter::default()
            },
            "ix_session_events_type",
        ),
        (
            "IPv4 network",
            EventFilter {
                network: network("10.1.0.0/16"),
                ..EventFilter::default()
            },
            "ix_session_events_ip",
        ),
        (
            "IPv6 network",
            EventFilter {
                network: network("2001:db8::/120"),
                ..EventFilter::default()
            },
            "ix_session_events_ip",
        ),
        (
            "a day long ago",
            EventFilter {
                since: Some(days_ago(201)),
                until: Some(days_ago(200)),
                ..EventFilter::default()
            },
            "ix_session_events_occurred_at",
        ),
    ];
    for (name, filter, index) in cases {
        let plan = plan(&store, filter).await;
        assert!(plan.contains(index), "{name}: {plan}");
        assert!(!plan.contains("Seq Scan"), "{name}: {plan}");
    }
    // Several types: the type index, or the primary key walked newest first when the types
    // are recent enough to fill a page soon; never the whole table.
    let several = plan(
        &store,
        EventFilter {
            types: vec!["login_failed", "password_changed"],
            ..EventFilter::default()
        },
    )
    .await;
    assert!(!several.contains("Seq Scan"), "{several}");
}
