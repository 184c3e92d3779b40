//! Use case: the owner marks a session's device trusted, or removes the mark.

use sessions_domain::{SessionId, SessionInactive, UserId};

use crate::{
    Application, Caller, SessionView,
    mutation::{Change, MutationError},
    ports::StoreError,
};

/// Why the trusted mark could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// No such session, or not the caller's.
    #[error("session not found")]
    NotFound,
    /// Only active sessions can be trusted or untrusted.
    #[error(transparent)]
    SessionInactive(#[from] SessionInactive),
    /// Too many concurrent writers on the session.
    #[error("session contended")]
    Contended,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<MutationError> for TrustError {
    fn from(error: MutationError) -> Self {
        match error {
            MutationError::NotFound => Self::NotFound,
            MutationError::Contended => Self::Contended,
            MutationError::Store(error) => Self::Store(error),
        }
    }
}

impl Application {
    /// Sets the trusted mark of `session_id` (owned by `user_id`) to `trusted`.
    ///
    /// # Errors
    /// See [`TrustError`].
    #[tracing::instrument(skip_all, fields(%session_id, trusted))]
    pub async fn set_trusted(
        &self,
        user_id: UserId,
        current: Option<SessionId>,
        session_id: SessionId,
        trusted: bool,
        caller: &Caller,
    ) -> Result<SessionView, TrustError> {
        let (session, now) = self
            .mutate_session(
                session_id,
                caller.actor,
                caller.client.as_ref(),
                |session, now| {
                    if session.user_id() != user_id {
                        return Err(TrustError::NotFound);
                    }
                    let event = if trusted {
                        session.trust(now, &self.policy)?
                    } else {
                        session.untrust(now, &self.policy)?
                    };
                    Ok(match event {
                        Some(event) => Change::state(now, vec![event]),
                        None => Change::none(now),
                    })
                },
            )
            .await?;
        Ok(self.view(session, current, now))
    }
}

#[cfg(test)]
mod tests {
    use sessions_domain::{RevocationReason, SessionEventKind};

    use super::*;
    use crate::use_cases::test_support::caller;
    use crate::use_cases::test_support::{
        MockPorts, alice_id, at, mallory_id, session_id, session_of,
    };

    #[tokio::test]
    async fn trusting_an_active_session_stores_the_mark_and_its_event() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(session_of(alice_id(), 1))));
        ports
            .sessions
            .expect_save()
            .withf(|session, events| {
                session.state().is_trusted && events[0].kind == SessionEventKind::Trusted
            })
            .times(1)
            .returning(|_, _| Ok(()));
        let view = ports
            .app()
            .set_trusted(alice_id(), None, session_id(1), true, &caller())
            .await
            .unwrap();
        assert!(view.session.state().is_trusted);
    }

    #[tokio::test]
    async fn untrusting_an_untrusted_session_writes_nothing() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(session_of(alice_id(), 1))));
        ports.sessions.expect_save().never();
        let view = ports
            .app()
            .set_trusted(alice_id(), None, session_id(1), false, &caller())
            .await
            .unwrap();
        assert!(!view.session.state().is_trusted);
    }

    #[tokio::test]
    async fn a_revoked_session_cannot_be_trusted() {
        let mut ports = MockPorts::new();
        let mut session = session_of(alice_id(), 1);
        session.revoke(RevocationReason::Logout, at(0)).unwrap();
        ports
            .sessions
            .expect_find()
            .returning(move |_| Ok(Some(session.clone())));
        ports.sessions.expect_save().never();
        let result = ports
            .app()
            .set_trusted(alice_id(), None, session_id(1), true, &caller())
            .await;
        assert!(matches!(result, Err(TrustError::SessionInactive(_))));
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
            .set_trusted(alice_id(), None, session_id(1), true, &caller())
            .await;
        assert!(matches!(result, Err(TrustError::NotFound)));
    }
}
