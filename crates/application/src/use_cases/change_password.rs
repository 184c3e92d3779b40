//! Use case: change the password; every other session of the user ends. A wrong current
//! password is a failed guess: it counts against the session (which is revoked when its
//! budget is spent: a stolen access token is no guessing oracle) and against the account's
//! login budget.

use sessions_domain::{BudgetKey, InvalidPassword, Password, RevocationReason, SessionId, UserId};

use crate::{
    Application,
    mutation::{Change, MutationError},
    ports::{HashPriority, HashingError, StoreError},
    telemetry,
    throttle::ReserveError,
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
    /// The session ran out of attempts and is revoked (`suspicious_activity`).
    #[error("session revoked")]
    SessionRevoked,
    /// The new password breaks the password policy.
    #[error(transparent)]
    InvalidPassword(#[from] InvalidPassword),
    /// The user no longer exists.
    #[error("user not found")]
    UserNotFound,
    /// Too many concurrent writers on the session.
    #[error("session contended")]
    Contended,
    /// Hashing was refused (overloaded) or failed.
    #[error(transparent)]
    Hashing(#[from] HashingError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<MutationError> for ChangePasswordError {
    fn from(error: MutationError) -> Self {
        match error {
            // The session is gone: as good as revoked.
            MutationError::NotFound => Self::SessionRevoked,
            MutationError::Contended => Self::Contended,
            MutationError::Store(error) => Self::Store(error),
        }
    }
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
            .storage
            .users
            .find_by_id(user_id)
            .await?
            .ok_or(ChangePasswordError::UserNotFound)?;
        let passwords = &self.ports.passwords;
        passwords.admits(HashPriority::Known)?;
        let now = self.ports.clock.now();
        let attempt = match self
            .reserve(vec![BudgetKey::PasswordChanges(current_session)], now)
            .await
        {
            Ok(attempt) => attempt,
            Err(ReserveError::Throttled(_)) => {
                return Err(self.revoke_for_guessing(current_session).await);
            }
            Err(ReserveError::Store(error)) => return Err(error.into()),
        };
        match passwords
            .verify(
                &change.current_password,
                &user.password_hash,
                HashPriority::Known,
            )
            .await
        {
            Ok(true) => self.release(attempt).await,
            Ok(false) => {
                let spent = attempt.spent_a_budget();
                attempt.keep();
                self.count_failure(vec![BudgetKey::Account(user.email)], now)
                    .await?;
                return Err(if spent {
                    telemetry::budget_spent("password_changes");
                    self.revoke_for_guessing(current_session).await
                } else {
                    ChangePasswordError::InvalidCredentials
                });
            }
            Err(error) => {
                self.release(attempt).await;
                return Err(error.into());
            }
        }
        let hash = passwords.hash(&new_password, HashPriority::Known).await?;
        if !self
            .ports
            .storage
            .users
            .update_password(user_id, &hash, now)
            .await?
        {
            return Err(ChangePasswordError::UserNotFound);
        }
        let revoked = self
            .ports
            .storage
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

    /// Revokes `session_id` (`suspicious_activity`) for guessing the password; the error to
    /// answer with.
    async fn revoke_for_guessing(&self, session_id: SessionId) -> ChangePasswordError {
        let revoked = self
            .mutate_session(session_id, |session, now| {
                Ok::<_, ChangePasswordError>(
                    match session.revoke(RevocationReason::SuspiciousActivity, now) {
                        Ok(event) => Change::revocation(true, vec![event]),
                        Err(_already_revoked) => Change::none(false),
                    },
                )
            })
            .await;
        match revoked {
            Ok((_, newly)) => {
                if newly {
                    telemetry::revocations(RevocationReason::SuspiciousActivity, 1);
                    tracing::warn!(%session_id, "session revoked for guessing the password");
                }
                ChangePasswordError::SessionRevoked
            }
            Err(error) => error,
        }
    }
}

#[cfg(test)]
mod tests {
    use mockall::{Sequence, predicate::eq};
    use sessions_domain::PasswordHash;

    use super::*;
    use crate::use_cases::test_support::{MockPorts, alice, alice_id, session_id, session_of, t0};

    fn change(current: &str, new: &str) -> PasswordChange {
        PasswordChange {
            current_password: current.into(),
            new_password: new.into(),
        }
    }

    /// Alice exists with password "old password 123", checked as a known client.
    fn given_alice(ports: &mut MockPorts) {
        ports
            .users
            .expect_find_by_id()
            .with(eq(alice_id()))
            .returning(|_| Ok(Some(alice())));
        ports.passwords.expect_admits().returning(|_| Ok(()));
        ports
            .passwords
            .expect_verify()
            .withf(|_, _, priority| *priority == HashPriority::Known)
            .returning(|candidate, _, _| Ok(candidate == "old password 123"));
    }

    #[tokio::test]
    async fn the_new_hash_is_stored_before_every_other_session_is_revoked() {
        let mut ports = MockPorts::new();
        given_alice(&mut ports);
        let counts = ports.with_attempt_counts();
        let mut order = Sequence::new();
        ports
            .passwords
            .expect_hash()
            .withf(|password, _| password.expose() == "new password 456")
            .returning(|_, _| Ok(PasswordHash::new("$argon2id$new".into())));
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
        let spent = counts.lock().unwrap()[&BudgetKey::PasswordChanges(session_id(1))].count;
        assert_eq!(spent, 0, "a success spends nothing");
    }

    #[tokio::test]
    async fn a_wrong_current_password_changes_nothing_and_counts_for_session_and_account() {
        let mut ports = MockPorts::new();
        given_alice(&mut ports);
        let counts = ports.with_attempt_counts();
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
        let counts = counts.lock().unwrap();
        assert_eq!(counts[&BudgetKey::PasswordChanges(session_id(1))].count, 1);
        assert_eq!(counts[&BudgetKey::Account(alice().email)].count, 1);
    }

    #[tokio::test]
    async fn the_fifth_wrong_password_revokes_the_session_for_suspicious_activity() {
        let mut ports = MockPorts::new();
        given_alice(&mut ports);
        ports.with_attempt_counts();
        ports
            .sessions
            .expect_find()
            .with(eq(session_id(1)))
            .returning(|_| Ok(Some(session_of(alice_id(), 1))));
        ports
            .sessions
            .expect_save_revocation()
            .withf(|session, events| {
                session
                    .state()
                    .revocation
                    .map(|revocation| revocation.reason)
                    == Some(RevocationReason::SuspiciousActivity)
                    && events.len() == 1
            })
            .times(1)
            .returning(|_, _| Ok(true));
        ports.users.expect_update_password().never();
        let app = ports.app();
        let guess = || {
            app.change_password(
                alice_id(),
                session_id(1),
                change("wrong password!", "new password 456"),
            )
        };
        for _ in 0..4 {
            assert!(matches!(
                guess().await,
                Err(ChangePasswordError::InvalidCredentials)
            ));
        }

        assert!(matches!(
            guess().await,
            Err(ChangePasswordError::SessionRevoked)
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
