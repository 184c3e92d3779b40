//! Use case: an administrator revokes every session of a user.

use sessions_domain::{RevocationReason, UserId};

use crate::{Application, Caller, ports::StoreError, telemetry};

/// Why the sessions could not be revoked.
#[derive(Debug, thiserror::Error)]
pub enum AdminRevokeUserSessionsError {
    /// No such user.
    #[error("user not found")]
    UserNotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Revokes every active session of `user_id` with `reason` (default `admin`). Returns how
    /// many were revoked.
    ///
    /// # Errors
    /// See [`AdminRevokeUserSessionsError`].
    #[tracing::instrument(skip_all, fields(%user_id))]
    pub async fn admin_revoke_user_sessions(
        &self,
        user_id: UserId,
        reason: Option<RevocationReason>,
        caller: &Caller,
    ) -> Result<u64, AdminRevokeUserSessionsError> {
        self.ports
            .storage
            .users
            .find_by_id(user_id)
            .await?
            .ok_or(AdminRevokeUserSessionsError::UserNotFound)?;
        let now = self.ports.clock.now();
        let reason = reason.unwrap_or(RevocationReason::Admin);
        let revoked = self
            .ports
            .storage
            .sessions
            .revoke_all_for_user(user_id, None, reason, now, &self.cause_of(caller))
            .await?;
        telemetry::revocations(reason, revoked);
        Ok(revoked)
    }
}

#[cfg(test)]
mod tests {
    use mockall::predicate::eq;

    use super::*;
    use crate::use_cases::test_support::admin_caller;
    use crate::use_cases::test_support::{MockPorts, alice, alice_id, t0};
    use mockall::predicate::function;
    use sessions_domain::{Actor, Cause};

    #[tokio::test]
    async fn without_a_reason_every_session_is_revoked_as_admin() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_find_by_id()
            .returning(|_| Ok(Some(alice())));
        ports
            .sessions
            .expect_revoke_all_for_user()
            .with(
                eq(alice_id()),
                eq(None),
                eq(RevocationReason::Admin),
                eq(t0()),
                function(|cause: &Cause| cause.actor == Actor::Admin),
            )
            .times(1)
            .returning(|_, _, _, _, _| Ok(3));
        let revoked = ports
            .app()
            .admin_revoke_user_sessions(alice_id(), None, &admin_caller())
            .await
            .unwrap();
        assert_eq!(revoked, 3);
    }

    #[tokio::test]
    async fn a_given_reason_is_recorded() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_find_by_id()
            .returning(|_| Ok(Some(alice())));
        ports
            .sessions
            .expect_revoke_all_for_user()
            .with(
                eq(alice_id()),
                eq(None),
                eq(RevocationReason::SuspiciousActivity),
                eq(t0()),
                function(|cause: &Cause| cause.actor == Actor::Admin),
            )
            .times(1)
            .returning(|_, _, _, _, _| Ok(1));
        ports
            .app()
            .admin_revoke_user_sessions(
                alice_id(),
                Some(RevocationReason::SuspiciousActivity),
                &admin_caller(),
            )
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_unknown_user_is_not_found() {
        let mut ports = MockPorts::new();
        ports.users.expect_find_by_id().returning(|_| Ok(None));
        ports.sessions.expect_revoke_all_for_user().never();
        let result = ports
            .app()
            .admin_revoke_user_sessions(alice_id(), None, &admin_caller())
            .await;
        assert!(matches!(
            result,
            Err(AdminRevokeUserSessionsError::UserNotFound)
        ));
    }
}
