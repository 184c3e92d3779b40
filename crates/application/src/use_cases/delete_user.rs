//! Use case: an administrator deletes a user; their sessions, tokens and events go with them,
//! and one `user_deleted` record without personal data stays in the audit trail.

use sessions_domain::UserId;

use crate::{Application, Caller, ports::StoreError};

/// Why the user could not be deleted.
#[derive(Debug, thiserror::Error)]
pub enum DeleteUserError {
    /// No such user.
    #[error("user not found")]
    UserNotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Deletes `user_id` and everything of theirs, recording the deletion.
    ///
    /// # Errors
    /// See [`DeleteUserError`].
    #[tracing::instrument(skip_all, fields(%user_id))]
    pub async fn delete_user(
        &self,
        user_id: UserId,
        caller: &Caller,
    ) -> Result<(), DeleteUserError> {
        let now = self.ports.clock.now();
        let cause = self.cause_of(caller);
        if self
            .ports
            .storage
            .users
            .delete(user_id, now, &cause)
            .await?
        {
            tracing::info!("user deleted");
            Ok(())
        } else {
            Err(DeleteUserError::UserNotFound)
        }
    }
}

#[cfg(test)]
mod tests {
    use mockall::predicate::eq;

    use super::*;
    use crate::use_cases::test_support::admin_caller;
    use crate::use_cases::test_support::{MockPorts, alice_id, t0};
    use mockall::predicate::function;
    use sessions_domain::{Actor, Cause};

    #[tokio::test]
    async fn an_existing_user_is_deleted() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_delete()
            .with(
                eq(alice_id()),
                eq(t0()),
                function(|cause: &Cause| cause.actor == Actor::Admin),
            )
            .times(1)
            .returning(|_, _, _| Ok(true));
        ports
            .app()
            .delete_user(alice_id(), &admin_caller())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_unknown_user_is_not_found() {
        let mut ports = MockPorts::new();
        ports.users.expect_delete().returning(|_, _, _| Ok(false));
        let result = ports.app().delete_user(alice_id(), &admin_caller()).await;
        assert!(matches!(result, Err(DeleteUserError::UserNotFound)));
    }
}
