//! Use case: a user reads one of their sessions.

use sessions_domain::{Session, SessionId, UserId};

use crate::{Application, SessionView, ports::StoreError};

/// Why the session could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GetSessionError {
    /// No such session, or not the caller's.
    #[error("session not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// The session `session_id` if it belongs to `user_id`.
    ///
    /// # Errors
    /// See [`GetSessionError`]; another user's session is [`GetSessionError::NotFound`].
    #[tracing::instrument(skip_all, fields(%session_id))]
    pub async fn get_session(
        &self,
        user_id: UserId,
        current: Option<SessionId>,
        session_id: SessionId,
    ) -> Result<SessionView, GetSessionError> {
        let session = self
            .find_owned_session(user_id, session_id)
            .await?
            .ok_or(GetSessionError::NotFound)?;
        Ok(self.view(session, current, self.ports.clock.now()))
    }

    /// The session if it exists and belongs to `user_id`; `None` otherwise, so that other
    /// users' sessions are indistinguishable from missing ones.
    pub(crate) async fn find_owned_session(
        &self,
        user_id: UserId,
        session_id: SessionId,
    ) -> Result<Option<Session>, StoreError> {
        Ok(self
            .ports
            .storage
            .sessions
            .find(session_id)
            .await?
            .filter(|session| session.user_id() == user_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::use_cases::test_support::{MockPorts, alice_id, mallory_id, session_id, session_of};

    #[tokio::test]
    async fn an_own_session_is_returned_marked_current_and_active() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_find()
            .withf(|id| *id == session_id(1))
            .times(1)
            .returning(|_| Ok(Some(session_of(alice_id(), 1))));
        let view = ports
            .app()
            .get_session(alice_id(), Some(session_id(1)), session_id(1))
            .await
            .unwrap();
        assert!(view.is_current && view.is_active);
    }

    #[tokio::test]
    async fn another_users_session_is_not_found() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(session_of(mallory_id(), 1))));
        let result = ports
            .app()
            .get_session(alice_id(), None, session_id(1))
            .await;
        assert!(matches!(result, Err(GetSessionError::NotFound)));
    }
}
