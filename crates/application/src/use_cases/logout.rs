//! Use case: log out — revoke the caller's current session.

use sessions_domain::{RevocationReason, SessionId};

use crate::{Application, Caller, ports::StoreError};

use super::RevokeSessionError;

/// Why a logout failed.
#[derive(Debug, thiserror::Error)]
pub enum LogoutError {
    /// Too many concurrent writers on the session.
    #[error("session contended")]
    Contended,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Revokes the current session with reason `logout`. A session that is already revoked
    /// or gone counts as logged out.
    ///
    /// # Errors
    /// See [`LogoutError`].
    #[tracing::instrument(skip_all, fields(%session_id))]
    pub async fn logout(&self, session_id: SessionId, caller: &Caller) -> Result<(), LogoutError> {
        match self
            .revoke_one(session_id, None, RevocationReason::Logout, caller)
            .await
        {
            Ok(()) | Err(RevokeSessionError::NotFound) => Ok(()),
            Err(RevokeSessionError::Contended) => Err(LogoutError::Contended),
            Err(RevokeSessionError::Store(error)) => Err(LogoutError::Store(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::use_cases::test_support::caller;
    use crate::use_cases::test_support::{MockPorts, alice_id, session_id, session_of};

    #[tokio::test]
    async fn logout_revokes_the_current_session_with_reason_logout() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(session_of(alice_id(), 1))));
        ports
            .sessions
            .expect_save_revocation()
            .withf(|session, _| {
                session.state().revocation.map(|r| r.reason) == Some(RevocationReason::Logout)
            })
            .times(1)
            .returning(|_, _| Ok(true));
        ports.app().logout(session_id(1), &caller()).await.unwrap();
    }

    #[tokio::test]
    async fn logging_out_of_a_vanished_session_succeeds() {
        let mut ports = MockPorts::new();
        ports.sessions.expect_find().returning(|_| Ok(None));
        ports.app().logout(session_id(1), &caller()).await.unwrap();
    }

    #[tokio::test]
    async fn a_store_failure_is_reported() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_find()
            .returning(|_| Err(StoreError::new(std::io::Error::other("down"))));
        let result = ports.app().logout(session_id(1), &caller()).await;
        assert!(matches!(result, Err(LogoutError::Store(_))));
    }
}
