//! Use case: register a user.

use sessions_domain::{Email, InvalidEmail, InvalidPassword, Password, User, UserId};

use crate::{
    Application,
    ports::{HashingError, InsertUserError, StoreError},
};

/// A registration request.
#[derive(Clone, PartialEq, Eq)]
pub struct Registration {
    /// E-mail address as typed.
    pub email: String,
    /// Password as typed.
    pub password: String,
}

/// Why a registration failed.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The address is not a valid e-mail address.
    #[error(transparent)]
    InvalidEmail(#[from] InvalidEmail),
    /// The password breaks the password policy.
    #[error(transparent)]
    InvalidPassword(#[from] InvalidPassword),
    /// The address is already registered.
    #[error("e-mail address already registered")]
    EmailTaken,
    /// Hashing failed.
    #[error(transparent)]
    Hashing(#[from] HashingError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Registers a user with an argon2id-hashed password.
    ///
    /// # Errors
    /// See [`RegisterError`].
    #[tracing::instrument(skip_all)]
    pub async fn register(&self, registration: Registration) -> Result<User, RegisterError> {
        let email = Email::parse(&registration.email)?;
        let password = Password::new(registration.password)?;
        let password_hash = self.ports.passwords.hash(&password).await?;
        let now = self.ports.clock.now();
        let user = User {
            id: UserId::from_uuid(self.ports.ids.next_id()),
            email,
            password_hash,
            max_sessions: None,
            created_at: now,
            updated_at: now,
        };
        self.ports
            .users
            .insert(&user)
            .await
            .map_err(|error| match error {
                InsertUserError::EmailTaken => RegisterError::EmailTaken,
                InsertUserError::Store(error) => RegisterError::Store(error),
            })?;
        tracing::info!(user_id = %user.id, "user registered");
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use sessions_domain::PasswordHash;

    use super::*;
    use crate::use_cases::test_support::{MockPorts, t0, uuid};

    fn registration(email: &str, password: &str) -> Registration {
        Registration {
            email: email.into(),
            password: password.into(),
        }
    }

    #[tokio::test]
    async fn registering_stores_the_user_with_the_hashed_password() {
        let mut ports = MockPorts::new();
        ports
            .passwords
            .expect_hash()
            .withf(|password| password.expose() == "correct horse battery")
            .times(1)
            .returning(|_| Ok(PasswordHash::new("$argon2id$hash".into())));
        ports.ids.expect_next_id().return_const(uuid(7));
        ports
            .users
            .expect_insert()
            .withf(|user| {
                user.email.as_str() == "alice@example.com"
                    && user.password_hash.as_str() == "$argon2id$hash"
                    && user.max_sessions.is_none()
                    && user.created_at == t0()
            })
            .times(1)
            .returning(|_| Ok(()));

        let user = ports
            .app()
            .register(registration("Alice@Example.com", "correct horse battery"))
            .await
            .unwrap();

        assert_eq!(user.id, UserId::from_uuid(uuid(7)));
    }

    #[tokio::test]
    async fn a_taken_address_is_reported_as_such() {
        let mut ports = MockPorts::new();
        ports
            .passwords
            .expect_hash()
            .returning(|_| Ok(PasswordHash::new("h".into())));
        ports.ids.expect_next_id().return_const(uuid(7));
        ports
            .users
            .expect_insert()
            .returning(|_| Err(InsertUserError::EmailTaken));

        let result = ports
            .app()
            .register(registration("alice@example.com", "correct horse battery"))
            .await;

        assert!(matches!(result, Err(RegisterError::EmailTaken)));
    }

    #[tokio::test]
    async fn a_short_password_is_rejected_before_any_hashing_or_storage() {
        let ports = MockPorts::new();
        let result = ports
            .app()
            .register(registration("alice@example.com", "short"))
            .await;
        assert!(matches!(
            result,
            Err(RegisterError::InvalidPassword(InvalidPassword::TooShort))
        ));
    }

    #[tokio::test]
    async fn an_invalid_address_is_rejected_before_any_hashing_or_storage() {
        let ports = MockPorts::new();
        let result = ports
            .app()
            .register(registration("not-an-address", "correct horse battery"))
            .await;
        assert!(matches!(result, Err(RegisterError::InvalidEmail(_))));
    }

    #[tokio::test]
    async fn a_hashing_failure_stores_nothing() {
        let mut ports = MockPorts::new();
        ports
            .passwords
            .expect_hash()
            .returning(|_| Err(HashingError("worker gone".into())));
        let result = ports
            .app()
            .register(registration("alice@example.com", "correct horse battery"))
            .await;
        assert!(matches!(result, Err(RegisterError::Hashing(_))));
    }
}
