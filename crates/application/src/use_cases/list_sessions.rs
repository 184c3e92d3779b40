//! Use case: a user lists their sessions, newest first, one keyset page at a time.

use sessions_domain::{SessionId, UserId};

use crate::{
    Application, PageSize, SessionCursor, SessionPage,
    ports::{ActiveFilter, SessionQuery, StoreError},
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
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// One page of `user_id`'s sessions; `current` is marked `is_current`.
    ///
    /// # Errors
    /// See [`ListSessionsError`].
    #[tracing::instrument(skip_all, fields(%user_id))]
    pub async fn list_sessions(
        &self,
        user_id: UserId,
        current: Option<SessionId>,
        listing: SessionListing,
    ) -> Result<SessionPage, ListSessionsError> {
        Ok(self.session_page(user_id, current, listing).await?)
    }

    /// Reads one page, fetching one row more than asked to know whether another follows.
    pub(crate) async fn session_page(
        &self,
        user_id: UserId,
        current: Option<SessionId>,
        listing: SessionListing,
    ) -> Result<SessionPage, StoreError> {
        let now = self.ports.clock.now();
        let active = listing.active_only.then(|| ActiveFilter {
            now,
            idle_since: self.policy.idle_timeout.map(|idle| now - idle),
        });
        let page_size = listing.page_size.get();
        let mut sessions = self
            .ports
            .sessions
            .list_for_user(
                user_id,
                SessionQuery {
                    active,
                    after: listing.after,
                    limit: page_size + 1,
                },
            )
            .await?;
        let has_more = sessions.len() > page_size as usize;
        sessions.truncate(page_size as usize);
        let next_cursor = if has_more {
            sessions.last().map(SessionCursor::after)
        } else {
            None
        };
        Ok(SessionPage {
            sessions: sessions
                .into_iter()
                .map(|session| self.view(session, current, now))
                .collect(),
            next_cursor,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use sessions_domain::SessionPolicy;

    use super::*;
    use crate::use_cases::test_support::{MockPorts, alice_id, session_id, session_of, t0};

    #[tokio::test]
    async fn a_full_page_asks_for_one_more_row_and_returns_a_cursor_after_its_last_session() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_list_for_user()
            .withf(|user, query| {
                *user == alice_id()
                    && query.limit == 3
                    && query.after.is_none()
                    && query.active
                        == Some(ActiveFilter {
                            now: t0(),
                            idle_since: None,
                        })
            })
            .times(1)
            .returning(|_, _| Ok((1..=3).map(|n| session_of(alice_id(), n)).collect()));

        let page = ports
            .app()
            .list_sessions(
                alice_id(),
                Some(session_id(2)),
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
        ports
            .sessions
            .expect_list_for_user()
            .returning(|_, _| Ok(vec![session_of(alice_id(), 1)]));
        let page = ports
            .app()
            .list_sessions(alice_id(), None, SessionListing::default())
            .await
            .unwrap();
        assert_eq!(page.next_cursor, None);
    }

    #[tokio::test]
    async fn listing_everything_sends_no_active_filter_and_the_cursor() {
        let mut ports = MockPorts::new();
        let cursor = SessionCursor::after(&session_of(alice_id(), 9));
        ports
            .sessions
            .expect_list_for_user()
            .withf(move |_, query| query.active.is_none() && query.after == Some(cursor))
            .times(1)
            .returning(|_, _| Ok(Vec::new()));
        ports
            .app()
            .list_sessions(
                alice_id(),
                None,
                SessionListing {
                    active_only: false,
                    after: Some(cursor),
                    ..SessionListing::default()
                },
            )
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn with_an_idle_timeout_the_filter_excludes_idle_sessions() {
        let mut ports = MockPorts::new();
        ports.policy = SessionPolicy {
            idle_timeout: Some(TimeDelta::minutes(30)),
            ..SessionPolicy::default()
        };
        ports
            .sessions
            .expect_list_for_user()
            .withf(|_, query| {
                query.active.and_then(|filter| filter.idle_since)
                    == Some(t0() - TimeDelta::minutes(30))
            })
            .times(1)
            .returning(|_, _| Ok(Vec::new()));
        ports
            .app()
            .list_sessions(alice_id(), None, SessionListing::default())
            .await
            .unwrap();
    }
}
