//! Use case: an administrator revokes one session.

use sessions_domain::{RevocationReason, SessionId};

use crate::{Application, Caller, ports::StoreError};

use super::RevokeSessionError;

/// Why the session could not be revoked.
#[derive(Debug, thiserror::Error)]
pub enum AdminRevokeSessionError {
    /// No such session.
    #[error("session not found")]
    NotFound,
    /// Too many concurrent writers on the session.
    #[error("session contended")]
    Contended,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Revokes `session_id` with reason `admin` (idempotent).
    ///
    /// # Errors
    /// See [`AdminRevokeSessionError`].
    #[tracing::instrument(skip_all, fields(%session_id))]
    pub async fn admin_revoke_session(
        &self,
        session_id: SessionId,
        caller: &Caller,
    ) -> Result<(), AdminRevokeSessionError> {
        self.revoke_one(session_id, None, RevocationReason::Admin, caller)
            .await
            .map_err(|error| match error {
                RevokeSessionError::NotFound => AdminRevokeSessionError::NotFound,
                RevokeSessionError::Contended => AdminRevokeSessionError::Contended,
                RevokeSessionError::Store(error) => AdminRevokeSessionError::Store(error),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::use_cases::test_support::admin_caller;
    use crate::use_cases::test_support::{MockPorts, mallory_id, session_id, session_of};

    #[tokio::test]
    async fn any_users_session_is_revoked_with_reason_admin() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(session_of(mallory_id(), 1))));
        ports
            .sessions
            .expect_save_revocation()
            .withf(|session, _| {
                session.state().revocation.map(|r| r.reason) == Some(RevocationReason::Admin)
            })
            .times(1)
            .returning(|_, _| Ok(true));
        ports
            .app()
            .admin_revoke_session(session_id(1), &admin_caller())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_unknown_session_is_not_found() {
        let mut ports = MockPorts::new();
        ports.sessions.expect_find().returning(|_| Ok(None));
        let result = ports
            .app()
            .admin_revoke_session(session_id(1), &admin_caller())
            .await;
        assert!(matches!(result, Err(AdminRevokeSessionError::NotFound)));
    }
}
