//! Use case: log out everywhere else — revoke every session of the user but the current.

use sessions_domain::{RevocationReason, SessionId, UserId};

use crate::{Application, Caller, ports::StoreError, telemetry};

/// Why the sessions could not be revoked.
#[derive(Debug, thiserror::Error)]
pub enum RevokeOtherSessionsError {
    /// The store failed; nothing was revoked.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Revokes every active session of `user_id` except `current`, with reason
    /// `logout_all`, in one statement. Returns how many were revoked.
    ///
    /// # Errors
    /// See [`RevokeOtherSessionsError`].
    #[tracing::instrument(skip_all, fields(%user_id))]
    pub async fn revoke_other_sessions(
        &self,
        user_id: UserId,
        current: SessionId,
        caller: &Caller,
    ) -> Result<u64, RevokeOtherSessionsError> {
        let now = self.ports.clock.now();
        let revoked = self
            .ports
            .storage
            .sessions
            .revoke_all_for_user(
                user_id,
                Some(current),
                RevocationReason::LogoutAll,
                now,
                &self.cause_of(caller),
            )
            .await?;
        telemetry::revocations(RevocationReason::LogoutAll, revoked);
        Ok(revoked)
    }
}

#[cfg(test)]
mod tests {
    use mockall::predicate::eq;

    use super::*;
    use crate::use_cases::test_support::caller;
    use crate::use_cases::test_support::{MockPorts, alice_id, session_id, t0};
    use mockall::predicate::function;
    use sessions_domain::{Actor, Cause};

    #[tokio::test]
    async fn every_other_session_is_revoked_with_logout_all_in_one_call() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_revoke_all_for_user()
            .with(
                eq(alice_id()),
                eq(Some(session_id(1))),
                eq(RevocationReason::LogoutAll),
                eq(t0()),
                function(|cause: &Cause| cause.actor == Actor::session(session_id(1))),
            )
            .times(1)
            .returning(|_, _, _, _, _| Ok(4));
        let revoked = ports
            .app()
            .revoke_other_sessions(alice_id(), session_id(1), &caller())
            .await
            .unwrap();
        assert_eq!(revoked, 4);
    }

    #[tokio::test]
    async fn a_store_failure_is_reported() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_revoke_all_for_user()
            .returning(|_, _, _, _, _| Err(StoreError::new(std::io::Error::other("down"))));
        let result = ports
            .app()
            .revoke_other_sessions(alice_id(), session_id(1), &caller())
            .await;
        assert!(matches!(result, Err(RevokeOtherSessionsError::Store(_))));
    }
}
