//! Use case: change the password; every other session of the user ends.

use sessions_domain::{InvalidPassword, Password, RevocationReason, SessionId, UserId};

use crate::{
    Application,
    ports::{HashingError, StoreError},
    telemetry,
};

/// A password change request.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordChange {
    /// The current password, as proof.
    pub current_password: String,
    /// The new password.
    pub new_password: String,
}

/// Why the password was not changed.
#[derive(Debug, thiserror::Error)]
pub enum ChangePasswordError {
    /// The current password is wrong.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The new password breaks the password policy.
    #[error(transparent)]
    InvalidPassword(#[from] InvalidPassword),
    /// The user no longer exists.
    #[error("user not found")]
    UserNotFound,
    /// Hashing failed.
    #[error(transparent)]
    Hashing(#[from] HashingError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Replaces the password of `user_id` and revokes every other session with reason
    /// `password_changed`. Returns how many sessions were revoked.
    ///
    /// # Errors
    /// See [`ChangePasswordError`].
    #[tracing::instrument(skip_all, fields(%user_id))]
    pub async fn change_password(
        &self,
        user_id: UserId,
        current_session: SessionId,
        change: PasswordChange,
    ) -> Result<u64, ChangePasswordError> {
        let new_password = Password::new(change.new_password)?;
        let user = self
            .ports
            .users
            .find_by_id(user_id)
            .await?
            .ok_or(ChangePasswordError::UserNotFound)?;
        let passwords = &self.ports.passwords;
        if !passwords
            .verify(&change.current_password, &user.password_hash)
            .await?
        {
            return Err(ChangePasswordError::InvalidCredentials);
        }
        let hash = passwords.hash(&new_password).await?;
        let now = self.ports.clock.now();
        if !self
            .ports
            .users
            .update_password(user_id, &hash, now)
            .await?
        {
            return Err(ChangePasswordError::UserNotFound);
        }
        let revoked = self
            .ports
            .sessions
            .revoke_all_for_user(
                user_id,
                Some(current_session),
                RevocationReason::PasswordChanged,
                now,
            )
            .await?;
        telemetry::revocations(RevocationReason::PasswordChanged, revoked);
        tracing::info!(revoked, "password changed");
        Ok(revoked)
    }
}

#[cfg(test)]
mod tests {
    use mockall::{Sequence, predicate::eq};
    use sessions_domain::PasswordHash;

    use super::*;
    use crate::use_cases::test_support::{MockPorts, alice, alice_id, session_id, t0};

    fn change(current: &str, new: &str) -> PasswordChange {
        PasswordChange {
            current_password: current.into(),
            new_password: new.into(),
        }
    }

    #[tokio::test]
    async fn the_new_hash_is_stored_before_every_other_session_is_revoked() {
        let mut ports = MockPorts::new();
        let mut order = Sequence::new();
        ports
            .users
            .expect_find_by_id()
            .with(eq(alice_id()))
            .returning(|_| Ok(Some(alice())));
        ports
            .passwords
            .expect_verify()
            .withf(|candidate, _| candidate == "old password 123")
            .returning(|_, _| Ok(true));
        ports
            .passwords
            .expect_hash()
            .withf(|password| password.expose() == "new password 456")
            .returning(|_| Ok(PasswordHash::new("$argon2id$new".into())));
        ports
            .users
            .expect_update_password()
            .withf(|id, hash, now| {
                *id == alice_id() && hash.as_str() == "$argon2id$new" && *now == t0()
            })
            .times(1)
            .in_sequence(&mut order)
            .returning(|_, _, _| Ok(true));
        ports
            .sessions
            .expect_revoke_all_for_user()
            .with(
                eq(alice_id()),
                eq(Some(session_id(1))),
                eq(RevocationReason::PasswordChanged),
                eq(t0()),
            )
            .times(1)
            .in_sequence(&mut order)
            .returning(|_, _, _, _| Ok(2));

        let revoked = ports
            .app()
            .change_password(
                alice_id(),
                session_id(1),
                change("old password 123", "new password 456"),
            )
            .await
            .unwrap();

        assert_eq!(revoked, 2);
    }

    #[tokio::test]
    async fn a_wrong_current_password_changes_nothing() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_find_by_id()
            .returning(|_| Ok(Some(alice())));
        ports.passwords.expect_verify().returning(|_, _| Ok(false));
        ports.users.expect_update_password().never();
        ports.sessions.expect_revoke_all_for_user().never();
        let result = ports
            .app()
            .change_password(
                alice_id(),
                session_id(1),
                change("wrong password!", "new password 456"),
            )
            .await;
        assert!(matches!(
            result,
            Err(ChangePasswordError::InvalidCredentials)
        ));
    }

    #[tokio::test]
    async fn a_too_short_new_password_is_rejected_before_anything_else() {
        let ports = MockPorts::new();
        let result = ports
            .app()
            .change_password(
                alice_id(),
                session_id(1),
                change("old password 123", "short"),
            )
            .await;
        assert!(matches!(
            result,
            Err(ChangePasswordError::InvalidPassword(
                InvalidPassword::TooShort
            ))
        ));
    }

    #[tokio::test]
    async fn a_deleted_user_is_not_found() {
        let mut ports = MockPorts::new();
        ports.users.expect_find_by_id().returning(|_| Ok(None));
        let result = ports
            .app()
            .change_password(
                alice_id(),
                session_id(1),
                change("old password 123", "new password 456"),
            )
            .await;
        assert!(matches!(result, Err(ChangePasswordError::UserNotFound)));
    }
}
