//! Use case: an administrator lists any user's sessions.

use sessions_domain::UserId;

use crate::{Application, SessionPage, ports::StoreError};

use super::SessionListing;

/// Why the sessions could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum AdminListSessionsError {
    /// No such user.
    #[error("user not found")]
    UserNotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// One page of `user_id`'s sessions, for an administrator.
    ///
    /// # Errors
    /// See [`AdminListSessionsError`].
    #[tracing::instrument(skip_all, fields(%user_id))]
    pub async fn admin_list_sessions(
        &self,
        user_id: UserId,
        listing: SessionListing,
    ) -> Result<SessionPage, AdminListSessionsError> {
        self.ports
            .storage
            .users
            .find_by_id(user_id)
            .await?
            .ok_or(AdminListSessionsError::UserNotFound)?;
        Ok(self.session_page(user_id, listing).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::use_cases::test_support::{MockPorts, alice, alice_id, session_of};

    #[tokio::test]
    async fn an_existing_users_sessions_are_listed_none_marked_current() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_find_by_id()
            .returning(|_| Ok(Some(alice())));
        ports
            .sessions
            .expect_list_for_user()
            .withf(|user, _| *user == alice_id())
            .times(1)
            .returning(|_, _| Ok(vec![session_of(alice_id(), 1)]));
        let page = ports
            .app()
            .admin_list_sessions(alice_id(), SessionListing::default())
            .await
            .unwrap();
        assert!(!page.sessions[0].is_current);
    }

    #[tokio::test]
    async fn an_unknown_user_is_not_found() {
        let mut ports = MockPorts::new();
        ports.users.expect_find_by_id().returning(|_| Ok(None));
        ports.sessions.expect_list_for_user().never();
        let result = ports
            .app()
            .admin_list_sessions(alice_id(), SessionListing::default())
            .await;
        assert!(matches!(result, Err(AdminListSessionsError::UserNotFound)));
    }
}
