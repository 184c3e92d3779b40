//! Use case: a user lists their own sessions, newest first, one keyset page at a time — the
//! request's authentication and the page read together, in one round trip to the store.

use chrono::{DateTime, Utc};
use sessions_domain::{Session, SessionId, UserId};

use crate::{
    Application, ClientContext, PageSize, SessionCursor, SessionPage,
    ports::{ActiveFilter, SessionQuery, StoreError},
    use_cases::{AuthenticateError, authenticate::ClientSignals},
};

/// Which page of which sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionListing {
    /// Only active sessions (the default), or every stored one.
    pub active_only: bool,
    /// Page size.
    pub page_size: PageSize,
    /// Continue after this cursor.
    pub after: Option<SessionCursor>,
}

impl Default for SessionListing {
    fn default() -> Self {
        Self {
            active_only: true,
            page_size: PageSize::default(),
            after: None,
        }
    }
}

/// Why the sessions could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum ListSessionsError {
    /// The request is not authenticated.
    #[error(transparent)]
    Unauthenticated(#[from] AuthenticateError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// One page of the caller's own sessions, the caller's marked `is_current`. The bearer
    /// request is authenticated, and its session touched, exactly as
    /// [`Application::authenticate`] does; the session and the page are read together.
    ///
    /// # Errors
    /// See [`ListSessionsError`].
    #[tracing::instrument(skip_all)]
    pub async fn list_sessions(
        &self,
        access_token: &str,
        client: &ClientContext,
        listing: SessionListing,
    ) -> Result<SessionPage, ListSessionsError> {
        let claims = self.verify_access_token(access_token)?;
        let now = self.ports.clock.now();
        let (read, mut sessions) = self
            .ports
            .sessions
            .find_with_page(
                claims.session_id,
                claims.user_id,
                self.session_query(listing, now),
            )
            .await?;
        let read = read.ok_or(AuthenticateError::Unauthorized)?;
        let (current, _) = self
            .touch_session(&claims, &ClientSignals::from(client), None, Some(read))
            .await?;
        // The page shows the caller's session as this very request left it.
        if let Some(listed) = sessions
            .iter_mut()
            .find(|listed| listed.id() == current.id())
        {
            *listed = current.clone();
        }
        Ok(self.page_of(sessions, listing, Some(current.id()), now))
    }

    /// Reads one page of `user_id`'s sessions.
    pub(crate) async fn session_page(
        &self,
        user_id: UserId,
        listing: SessionListing,
    ) -> Result<SessionPage, StoreError> {
        let now = self.ports.clock.now();
        let sessions = self
            .ports
            .sessions
            .list_for_user(user_id, self.session_query(listing, now))
            .await?;
        Ok(self.page_of(sessions, listing, None, now))
    }

    /// The store query for `listing`: one row more than the page holds, to know whether
    /// another page follows.
    fn session_query(&self, listing: SessionListing, now: DateTime<Utc>) -> SessionQuery {
        SessionQuery {
            active: listing.active_only.then(|| ActiveFilter {
                now,
                idle_since: self.policy.idle_timeout.map(|idle| now - idle),
            }),
            after: listing.after,
            limit: listing.page_size.get() + 1,
        }
    }

    /// The page of the rows [`Application::session_query`] asked for.
    fn page_of(
        &self,
        mut sessions: Vec<Session>,
        listing: SessionListing,
        current: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> SessionPage {
        let page_size = listing.page_size.get() as usize;
        let has_more = sessions.len() > page_size;
        sessions.truncate(page_size);
        let next_cursor = if has_more {
            sessions.last().map(SessionCursor::after)
        } else {
            None
        };
        SessionPage {
            sessions: sessions
                .into_iter()
                .map(|session| self.view(session, current, now))
                .collect(),
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use sessions_domain::{RevocationReason, SessionPolicy};

    use super::*;
    use crate::{
        ports::InvalidAccessToken,
        use_cases::test_support::{MockPorts, alice_id, at, client, session_id, session_of, t0},
    };

    /// The caller: Alice's session 2, with a valid access token "access".
    fn expect_caller(ports: &mut MockPorts) {
        ports.accept_access_token(2);
        ports.with_client_enrichment(Some("US"));
    }

    /// The store holds the caller's session as `read` and returns `page` for any query.
    fn expect_read(ports: &mut MockPorts, read: Option<Session>, page: Vec<Session>) {
        ports
            .sessions
            .expect_find_with_page()
            .withf(|id, user, _| *id == session_id(2) && *user == alice_id())
            .times(1)
            .returning(move |_, _, _| Ok((read.clone(), page.clone())));
    }

    fn alices(numbers: std::ops::RangeInclusive<u128>) -> Vec<Session> {
        numbers.map(|n| session_of(alice_id(), n)).collect()
    }

    /// The authentication error of listing the default page with `token`, if it failed so.
    async fn refusal(ports: MockPorts, token: &str) -> Option<AuthenticateError> {
        match ports
            .app()
            .list_sessions(token, &client(), SessionListing::default())
            .await
        {
            Err(ListSessionsError::Unauthenticated(error)) => Some(error),
            Ok(_) | Err(ListSessionsError::Store(_)) => None,
        }
    }

    #[tokio::test]
    async fn a_full_page_asks_for_one_more_row_and_returns_a_cursor_after_its_last_session() {
        let mut ports = MockPorts::new();
        expect_caller(&mut ports);
        ports
            .sessions
            .expect_find_with_page()
            .withf(|_, _, query| {
                query.limit == 3
                    && query.after.is_none()
                    && query.active
                        == Some(ActiveFilter {
                            now: t0(),
                            idle_since: None,
                        })
            })
            .times(1)
            .returning(|_, _, _| Ok((Some(session_of(alice_id(), 2)), alices(1..=3))));

        let page = ports
            .app()
            .list_sessions(
                "access",
                &client(),
                SessionListing {
                    page_size: PageSize::new(2).unwrap(),
                    ..SessionListing::default()
                },
            )
            .await
            .unwrap();

        assert_eq!(page.sessions.len(), 2);
        assert!(page.sessions[1].is_current);
        assert!(!page.sessions[0].is_current);
        assert_eq!(
            page.next_cursor,
            Some(SessionCursor::after(&session_of(alice_id(), 2)))
        );
    }

    #[tokio::test]
    async fn the_last_page_has_no_cursor() {
        let mut ports = MockPorts::new();
        expect_caller(&mut ports);
        expect_read(&mut ports, Some(session_of(alice_id(), 2)), alices(1..=1));
        let page = ports
            .app()
            .list_sessions("access", &client(), SessionListing::default())
            .await
            .unwrap();
        assert_eq!(page.sessions.len(), 1);
        assert_eq!(page.next_cursor, None);
    }

    #[tokio::test]
    async fn listing_everything_sends_no_active_filter_and_the_cursor() {
        let mut ports = MockPorts::new();
        expect_caller(&mut ports);
        let cursor = SessionCursor::after(&session_of(alice_id(), 9));
        ports
            .sessions
            .expect_find_with_page()
            .withf(move |_, _, query| query.active.is_none() && query.after == Some(cursor))
            .times(1)
            .returning(|_, _, _| Ok((Some(session_of(alice_id(), 2)), Vec::new())));
        let page = ports
            .app()
            .list_sessions(
                "access",
                &client(),
                SessionListing {
                    active_only: false,
                    after: Some(cursor),
                    ..SessionListing::default()
                },
            )
            .await
            .unwrap();
        assert!(page.sessions.is_empty());
    }

    #[tokio::test]
    async fn with_an_idle_timeout_the_filter_excludes_idle_sessions() {
        let mut ports = MockPorts::new();
        ports.policy = SessionPolicy {
            idle_timeout: Some(TimeDelta::minutes(30)),
            ..SessionPolicy::default()
        };
        expect_caller(&mut ports);
        ports
            .sessions
            .expect_find_with_page()
            .withf(|_, _, query| {
                query.active.and_then(|filter| filter.idle_since)
                    == Some(t0() - TimeDelta::minutes(30))
            })
            .times(1)
            .returning(|_, _, _| Ok((Some(session_of(alice_id(), 2)), Vec::new())));
        ports
            .app()
            .list_sessions("access", &client(), SessionListing::default())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn the_touch_is_recorded_and_the_page_shows_the_caller_as_touched() {
        let mut ports = MockPorts::new();
        ports.now = at(61);
        expect_caller(&mut ports);
        expect_read(&mut ports, Some(session_of(alice_id(), 2)), alices(1..=3));
        ports
            .sessions
            .expect_record_activity()
            .withf(|session| {
                session.id() == session_id(2) && session.state().last_activity_at == at(61)
            })
            .times(1)
            .returning(|_| Ok(true));
        ports.sessions.expect_find().never();

        let page = ports
            .app()
            .list_sessions("access", &client(), SessionListing::default())
            .await
            .unwrap();

        let caller = page.sessions.iter().find(|view| view.is_current).unwrap();
        assert_eq!(caller.session.id(), session_id(2));
        assert_eq!(caller.session.state().last_activity_at, at(61));
    }

    #[tokio::test]
    async fn a_revoked_caller_gets_no_page() {
        let mut ports = MockPorts::new();
        expect_caller(&mut ports);
        let mut revoked = session_of(alice_id(), 2);
        revoked.revoke(RevocationReason::Logout, t0()).unwrap();
        expect_read(&mut ports, Some(revoked), alices(1..=3));

        assert!(matches!(
            refusal(ports, "access").await,
            Some(AuthenticateError::SessionRevoked)
        ));
    }

    #[tokio::test]
    async fn a_caller_whose_session_is_gone_is_unauthorized() {
        let mut ports = MockPorts::new();
        expect_caller(&mut ports);
        expect_read(&mut ports, None, alices(1..=3));

        assert!(matches!(
            refusal(ports, "access").await,
            Some(AuthenticateError::Unauthorized)
        ));
    }

    #[tokio::test]
    async fn an_invalid_token_reads_nothing() {
        let mut ports = MockPorts::new();
        ports
            .access_tokens
            .expect_verify()
            .returning(|_| Err(InvalidAccessToken));
        ports.sessions.expect_find_with_page().never();

        assert!(matches!(
            refusal(ports, "forged").await,
            Some(AuthenticateError::Unauthorized)
        ));
    }
}
