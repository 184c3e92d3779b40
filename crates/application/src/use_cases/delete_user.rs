//! Use case: an administrator deletes a user; their sessions, tokens and events go with them,
//! and one `user_deleted` record without personal data stays in the audit trail.

use sessions_domain::UserId;

use crate::{Application, ports::StoreError};

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
    pub async fn delete_user(&self, user_id: UserId) -> Result<(), DeleteUserError> {
        let now = self.ports.clock.now();
        if self.ports.storage.users.delete(user_id, now).await? {
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
    use crate::use_cases::test_support::{MockPorts, alice_id, t0};

    #[tokio::test]
    async fn an_existing_user_is_deleted() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_delete()
            .with(eq(alice_id()), eq(t0()))
            .times(1)
            .returning(|_, _| Ok(true));
        ports.app().delete_user(alice_id()).await.unwrap();
    }

    #[tokio::test]
    async fn an_unknown_user_is_not_found() {
        let mut ports = MockPorts::new();
        ports.users.expect_delete().returning(|_, _| Ok(false));
        let result = ports.app().delete_user(alice_id()).await;
        assert!(matches!(result, Err(DeleteUserError::UserNotFound)));
    }
}
