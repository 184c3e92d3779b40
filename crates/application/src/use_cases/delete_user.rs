//! Use case: an administrator deletes a user; their sessions, tokens and events go with them.

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
    /// Deletes `user_id` (cascading to everything of theirs).
    ///
    /// # Errors
    /// See [`DeleteUserError`].
    #[tracing::instrument(skip_all, fields(%user_id))]
    pub async fn delete_user(&self, user_id: UserId) -> Result<(), DeleteUserError> {
        if self.ports.storage.users.delete(user_id).await? {
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
    use crate::use_cases::test_support::{MockPorts, alice_id};

    #[tokio::test]
    async fn an_existing_user_is_deleted() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_delete()
            .with(eq(alice_id()))
            .times(1)
            .returning(|_| Ok(true));
        ports.app().delete_user(alice_id()).await.unwrap();
    }

    #[tokio::test]
    async fn an_unknown_user_is_not_found() {
        let mut ports = MockPorts::new();
        ports.users.expect_delete().returning(|_| Ok(false));
        let result = ports.app().delete_user(alice_id()).await;
        assert!(matches!(result, Err(DeleteUserError::UserNotFound)));
    }
}
