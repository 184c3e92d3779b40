//! Use case: an administrator sets or clears a user's own session limit.

use sessions_domain::{SessionLimit, SessionLimitTooLarge, UserId};

use crate::{Application, ports::StoreError};

/// Why the limit could not be set.
#[derive(Debug, thiserror::Error)]
pub enum SetSessionLimitError {
    /// No such user.
    #[error("user not found")]
    UserNotFound,
    /// Over the largest limit.
    #[error(transparent)]
    TooLarge(#[from] SessionLimitTooLarge),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Sets `user_id`'s limit (`Some(0)` = unlimited) or clears it (`None` = the configured
    /// default applies). Takes effect at the user's next login.
    ///
    /// # Errors
    /// See [`SetSessionLimitError`].
    #[tracing::instrument(skip_all, fields(%user_id, ?max_sessions))]
    pub async fn set_session_limit(
        &self,
        user_id: UserId,
        max_sessions: Option<u32>,
    ) -> Result<Option<SessionLimit>, SetSessionLimitError> {
        let limit = max_sessions.map(SessionLimit::new).transpose()?;
        let now = self.ports.clock.now();
        if self
            .ports
            .storage
            .users
            .set_max_sessions(user_id, limit, now)
            .await?
        {
            Ok(limit)
        } else {
            Err(SetSessionLimitError::UserNotFound)
        }
    }
}

#[cfg(test)]
mod tests {
    use mockall::predicate::eq;

    use super::*;
    use crate::use_cases::test_support::{MockPorts, alice_id, t0};

    #[tokio::test]
    async fn zero_is_stored_as_unlimited() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_set_max_sessions()
            .with(eq(alice_id()), eq(Some(SessionLimit::Unlimited)), eq(t0()))
            .times(1)
            .returning(|_, _, _| Ok(true));
        let limit = ports
            .app()
            .set_session_limit(alice_id(), Some(0))
            .await
            .unwrap();
        assert_eq!(limit, Some(SessionLimit::Unlimited));
    }

    #[tokio::test]
    async fn null_clears_the_users_own_limit() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_set_max_sessions()
            .with(eq(alice_id()), eq(None), eq(t0()))
            .times(1)
            .returning(|_, _, _| Ok(true));
        assert_eq!(
            ports
                .app()
                .set_session_limit(alice_id(), None)
                .await
                .unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn an_unknown_user_is_not_found() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_set_max_sessions()
            .returning(|_, _, _| Ok(false));
        let result = ports.app().set_session_limit(alice_id(), Some(3)).await;
        assert!(matches!(result, Err(SetSessionLimitError::UserNotFound)));
    }

    #[tokio::test]
    async fn a_limit_past_the_largest_is_refused_before_the_store() {
        let mut ports = MockPorts::new();
        ports.users.expect_set_max_sessions().never();
        let result = ports
            .app()
            .set_session_limit(alice_id(), Some(SessionLimit::MAX_COUNT + 1))
            .await;
        assert!(matches!(result, Err(SetSessionLimitError::TooLarge(_))));
    }
}
