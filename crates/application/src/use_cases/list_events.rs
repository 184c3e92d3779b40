//! Use case: a user reads the audit trail of one of their sessions.

use sessions_domain::{SessionEvent, SessionId, UserId};

use crate::{Application, ports::StoreError};

/// Why the events could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum ListEventsError {
    /// No such session, or not the caller's.
    #[error("session not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// The events of `session_id` (owned by `user_id`), oldest first.
    ///
    /// # Errors
    /// See [`ListEventsError`].
    #[tracing::instrument(skip_all, fields(%session_id))]
    pub async fn list_events(
        &self,
        user_id: UserId,
        session_id: SessionId,
    ) -> Result<Vec<SessionEvent>, ListEventsError> {
        self.find_owned_session(user_id, session_id)
            .await?
            .ok_or(ListEventsError::NotFound)?;
        Ok(self
            .ports
            .storage
            .events
            .list_for_session(session_id)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use sessions_domain::SessionEventKind;

    use super::*;
    use crate::use_cases::test_support::{
        MockPorts, alice_id, mallory_id, session_id, session_of, t0,
    };

    #[tokio::test]
    async fn the_events_of_an_own_session_are_returned() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(session_of(alice_id(), 1))));
        ports
            .events
            .expect_list_for_session()
            .withf(|id| *id == session_id(1))
            .times(1)
            .returning(|id| {
                Ok(vec![SessionEvent {
                    session_id: id,
                    user_id: alice_id(),
                    at: t0(),
                    kind: SessionEventKind::Created,
                }])
            });
        let events = ports
            .app()
            .list_events(alice_id(), session_id(1))
            .await
            .unwrap();
        assert_eq!(events.len(), 1);
    }

    #[tokio::test]
    async fn another_users_events_are_not_found_and_not_read() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(session_of(mallory_id(), 1))));
        ports.events.expect_list_for_session().never();
        let result = ports.app().list_events(alice_id(), session_id(1)).await;
        assert!(matches!(result, Err(ListEventsError::NotFound)));
    }
}
