//! Use case: a user lists their own sessions, newest first, one keyset page at a time.

use chrono::{DateTime, Utc};
use sessions_domain::{Session, SessionId, UserId, sub_saturating};

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
    /// One page of the sessions of `current`'s owner, `current` marked `is_current` and
    /// shown as the caller's authentication left it.
    ///
    /// # Errors
    /// See [`ListSessionsError`].
    #[tracing::instrument(skip_all, fields(session_id = %current.id()))]
    pub async fn list_sessions(
        &self,
        current: &Session,
        listing: SessionListing,
    ) -> Result<SessionPage, ListSessionsError> {
        let now = self.ports.clock.now();
        let mut sessions = self
            .ports
            .storage
            .sessions
            .list_for_user(current.user_id(), self.session_query(listing, now))
            .await?;
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
            .storage
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
                idle_since: self
                    .policy
                    .idle_timeout
                    .map(|idle| sub_saturating(now, idle)),
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
mod tests;
