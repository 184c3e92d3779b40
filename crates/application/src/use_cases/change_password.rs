//! Use case: change the password; every other session of the user ends. A wrong current
//! password is a failed guess: it counts against the session (which is revoked when its
//! budget is spent: a stolen access token is no guessing oracle) and against the account's
//! login budget.

use sessions_domain::{BudgetKey, InvalidPassword, Password, RevocationReason, SessionId, UserId};

use crate::{
    Application, Caller,
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
        caller: &Caller,
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
                return Err(self.revoke_for_guessing(current_session, caller).await);
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
                    self.revoke_for_guessing(current_session, caller).await
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
        let cause = self.cause_of(caller);
        if !self
            .ports
            .storage
            .users
            .update_password(user_id, &hash, now, &cause)
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
                &cause,
            )
            .await?;
        telemetry::revocations(RevocationReason::PasswordChanged, revoked);
        tracing::info!(revoked, "password changed");
        Ok(revoked)
    }

    /// Revokes `session_id` (`suspicious_activity`) for guessing the password; the error to
    /// answer with.
    async fn revoke_for_guessing(
        &self,
        session_id: SessionId,
        caller: &Caller,
    ) -> ChangePasswordError {
        let revoked = self
            .mutate_session(
                session_id,
                caller.actor,
                caller.client.as_ref(),
                |session, now| {
                    Ok::<_, ChangePasswordError>(
                        match session.revoke(RevocationReason::SuspiciousActivity, now) {
                            Ok(event) => Change::revocation(true, vec![event]),
                            Err(_already_revoked) => Change::none(false),
                        },
                    )
                },
            )
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
mod tests;
