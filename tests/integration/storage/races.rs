//! Concurrency rules under real races: tasks released together by a barrier against the
//! real database, through the application's use cases.

use std::sync::Arc;

use chrono::TimeDelta;
use sessions_application::ports::TokenSecrets;
use sessions_application::{
    Caller, ClientContext, SessionCursor,
    ports::{ActiveFilter, SessionQuery},
    use_cases::{AuthenticateError, Credentials, Registration},
};
use sessions_domain::{
    BudgetKey, Email, RevocationReason, Session, SessionPolicy, ThrottledNetwork, UserAgent,
};
use tokio::{sync::Barrier, time::Instant};

use super::conformance_tests;
use crate::support::{
    app::{application, application_hashing_in, token_secrets},
    fixtures::{find_token, now, reload},
    race::released_together,
    store::StoreUnderTest,
};

const PASSWORD: &str = "correct horse battery staple";

fn client() -> ClientContext {
    ClientContext {
        ip: "203.0.113.7".parse().unwrap(),
        user_agent: UserAgent::from_header("race-test"),
        country_hint: None,
    }
}

fn credentials(email: &str) -> Credentials {
    Credentials {
        email: email.into(),
        password: PASSWORD.into(),
        device_token: None,
    }
}

/// The default rules without the throttle: these races are many attempts of one client on
/// purpose.
fn unthrottled() -> SessionPolicy {
    let mut policy = SessionPolicy::default();
    policy.throttle.lockout_threshold = 0;
    policy.throttle.network_failure_limit = 0;
    policy
}

async fn all_sessions(store: &StoreUnderTest, user: sessions_domain::UserId) -> Vec<Session> {
    let mut sessions = Vec::new();
    let mut after: Option<SessionCursor> = None;
    loop {
        let page = store
            .sessions
            .list_for_user(
                user,
                SessionQuery {
                    active: None,
                    after,
                    limit: 200,
                },
            )
            .await
            .unwrap();
        let full = page.len() == 200;
        after = page.last().map(SessionCursor::after);
        sessions.extend(page);
        if !full {
            return sessions;
        }
    }
}

async fn fifty_concurrent_logins_with_a_limit_of_three_leave_exactly_three_active(
    store: StoreUnderTest,
) {
    let app = application(&store, unthrottled());
    let user = app
        .register(
            Registration {
                email: "racer@example.com".into(),
                password: PASSWORD.into(),
            },
            &client(),
        )
        .await
        .unwrap();
    app.set_session_limit(user.id, Some(3)).await.unwrap();
    let logins = released_together(0..50, |_| {
        let app = app.clone();
        async move { app.login(credentials("racer@example.com"), client()).await }
    })
    .await;
    for login in logins {
        login.unwrap();
    }

    let sessions = all_sessions(&store, user.id).await;
    let active = sessions.iter().filter(|s| !s.is_revoked()).count();
    let evicted = sessions
        .iter()
        .filter(|s| s.state().revocation.map(|r| r.reason) == Some(RevocationReason::SessionLimit))
        .count();
    assert_eq!(sessions.len(), 50);
    assert_eq!(active, 3);
    assert_eq!(evicted, 47);
}

async fn twenty_concurrent_refreshes_of_one_token_stay_on_one_chain(store: StoreUnderTest) {
    let app = application(&store, unthrottled());
    app.register(
        Registration {
            email: "tabs@example.com".into(),
            password: PASSWORD.into(),
        },
        &client(),
    )
    .await
    .unwrap();
    let pair = app
        .login(credentials("tabs@example.com"), client())
        .await
        .unwrap();
    let session_id = pair.tokens.session.session.id();
    let refreshes = released_together(0..20, |_| {
        let (app, token) = (app.clone(), pair.tokens.refresh_token.clone());
        async move { app.refresh(&token, &client()).await }
    })
    .await;
    let successors: Vec<_> = refreshes
        .into_iter()
        .map(|refresh| refresh.unwrap().refresh_token)
        .collect();

    // Every tab got the same successor: one chain, not twenty.
    assert!(successors.iter().all(|token| *token == successors[0]));
    assert_ne!(successors[0], pair.tokens.refresh_token);
    // The stored chain: the presented token used once, pointing at the one successor,
    // which is the session's current token.
    let secrets = token_secrets();
    let original = find_token(&store, &secrets.hash(&pair.tokens.refresh_token))
        .await
        .unwrap();
    let successor = find_token(&store, &secrets.hash(&successors[0]))
        .await
        .unwrap();
    let session = reload(&store, session_id).await;
    assert!(!session.is_revoked());
    assert_eq!(original.successor_id, Some(successor.id));
    assert_eq!(successor.used_at, None);
    assert_eq!(session.refresh_token_id(), Some(successor.id));
    let next = app.refresh(&successors[0], &client()).await.unwrap();
    assert_eq!(next.session.session.id(), session_id);
}

async fn concurrent_rotations_of_one_token_have_exactly_one_winner(store: StoreUnderTest) {
    use sessions_application::ports::WriteError;

    use super::refresh_tokens::rotation;

    let user = crate::support::fixtures::stored_user(&store).await;
    let (session, token) = crate::support::fixtures::started_session(&store, user.id, now()).await;
    let rotations = released_together(0..20, |_| {
        let (tokens, step) = (
            store.refresh_tokens.clone(),
            rotation(&session, &token, now()),
        );
        async move { tokens.rotate(&step).await }
    })
    .await;
    let mut winners = 0;
    for rotation in rotations {
        match rotation {
            Ok(()) => winners += 1,
            Err(WriteError::Conflict) => {}
            Err(WriteError::Store(error)) => panic!("store failed: {error}"),
        }
    }
    assert_eq!(winners, 1);
}

async fn a_revocation_racing_requests_is_never_overwritten_by_later_activity(
    store: StoreUnderTest,
) {
    // Every request writes its activity, so every request races the revocation.
    let policy = SessionPolicy {
        activity_write_interval: TimeDelta::zero(),
        ..unthrottled()
    };
    let app = application(&store, policy);
    let user = app
        .register(
            Registration {
                email: "busy@example.com".into(),
                password: PASSWORD.into(),
            },
            &client(),
        )
        .await
        .unwrap();
    let pair = app
        .login(credentials("busy@example.com"), client())
        .await
        .unwrap();
    let session_id = pair.tokens.session.session.id();
    let barrier = Arc::new(Barrier::new(31));

    let requests: Vec<_> = (0..30)
        .map(|_| {
            let (app, barrier, token) = (
                app.clone(),
                barrier.clone(),
                pair.tokens.access_token.clone(),
            );
            tokio::spawn(async move {
                barrier.wait().await;
                let mut outcomes = Vec::new();
                for _ in 0..5 {
                    let started = Instant::now();
                    let outcome = app.authenticate(&token, &client()).await.map(|_| ());
                    outcomes.push((started, outcome));
                }
                outcomes
            })
        })
        .collect();
    let revoke = {
        let (app, barrier) = (app.clone(), barrier.clone());
        tokio::spawn(async move {
            barrier.wait().await;
            app.revoke_session(user.id, session_id, &Caller::user(session_id, client()))
                .await
                .map(|()| Instant::now())
        })
    };
    let revoked_by = revoke.await.unwrap().unwrap();
    for request in requests {
        for (started, outcome) in request.await.unwrap() {
            match outcome {
                // Accepted requests all began before the revocation was confirmed.
                Ok(()) => assert!(started < revoked_by),
                Err(AuthenticateError::SessionRevoked) => {}
                Err(error) => panic!("unexpected outcome {error:?}"),
            }
        }
    }

    // The revocation stands, unchanged by any racing write.
    let session = reload(&store, session_id).await;
    let revocation = session.state().revocation.expect("revoked");
    assert_eq!(revocation.reason, RevocationReason::UserRevoked);
    assert!(matches!(
        app.authenticate(&pair.tokens.access_token, &client()).await,
        Err(AuthenticateError::SessionRevoked)
    ));
    let active = store
        .sessions
        .list_for_user(
            user.id,
            SessionQuery {
                active: Some(ActiveFilter {
                    now: now(),
                    idle_since: None,
                }),
                after: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert!(active.is_empty());
}

async fn requests_cancelled_at_any_point_never_wedge_the_store(store: StoreUnderTest) {
    let app = application(&store, unthrottled());
    app.register(
        Registration {
            email: "flaky@example.com".into(),
            password: PASSWORD.into(),
        },
        &client(),
    )
    .await
    .unwrap();
    // Clients that hang up mid-request: each login is aborted after a different number of
    // scheduler turns, so some are cancelled inside their write transaction.
    for turns in 0..400 {
        let login = {
            let app = app.clone();
            tokio::spawn(async move { app.login(credentials("flaky@example.com"), client()).await })
        };
        for _ in 0..turns % 80 {
            tokio::task::yield_now().await;
        }
        login.abort();
        let _ = login.await;
    }
    let pair = app
        .login(credentials("flaky@example.com"), client())
        .await
        .unwrap();
    let user = pair.tokens.session.session.user_id();
    let current = pair.tokens.session.session.id();
    app.revoke_other_sessions(user, current, &Caller::user(current, client()))
        .await
        .unwrap();
    app.refresh(&pair.tokens.refresh_token, &client())
        .await
        .unwrap();
}

/// Logins whose callers give up while their passwords are checked: the attempts they had
/// counted are taken back (they are no failures), so that clients hanging up cannot spend
/// the budgets of an account or a network.
async fn logins_abandoned_mid_check_leave_every_budget_as_it_was(store: StoreUnderTest) {
    let app = application_hashing_in(
        &store,
        SessionPolicy::default(),
        std::time::Duration::from_millis(200),
    );
    app.register(
        Registration {
            email: "patient@example.com".into(),
            password: PASSWORD.into(),
        },
        &client(),
    )
    .await
    .unwrap();
    // Given up at every point from before the first statement to mid-check.
    for waited in 0..20 {
        let login = app.login(credentials("patient@example.com"), client());
        let patience = std::time::Duration::from_millis(waited);
        if let Ok(answer) = tokio::time::timeout(patience, login).await {
            panic!("the login answered before its caller gave up: {answer:?}");
        }
    }
    let budgets = [
        BudgetKey::Account(Email::parse("patient@example.com").unwrap()),
        BudgetKey::NetworkFailures(ThrottledNetwork::of(client().ip)),
    ];
    // The budgets are given back in the background: a few moments at most.
    let deadline = Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let counts = store.attempts.counts(&budgets).await.unwrap();
        let left: Vec<u32> = counts
            .iter()
            .map(|count| count.map_or(0, |c| c.count))
            .collect();
        if left == [0, 0] {
            break;
        }
        assert!(Instant::now() < deadline, "still counted: {left:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    app.login(credentials("patient@example.com"), client())
        .await
        .unwrap();
}

conformance_tests!(
    logins_abandoned_mid_check_leave_every_budget_as_it_was,
    requests_cancelled_at_any_point_never_wedge_the_store,
    fifty_concurrent_logins_with_a_limit_of_three_leave_exactly_three_active,
    twenty_concurrent_refreshes_of_one_token_stay_on_one_chain,
    concurrent_rotations_of_one_token_have_exactly_one_winner,
    a_revocation_racing_requests_is_never_overwritten_by_later_activity,
);
