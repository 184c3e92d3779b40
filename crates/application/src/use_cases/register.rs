//! Use case: register a user. Registrations are counted per network; an address already
//! registered is refused before any hashing, so duplicates cost an attacker more than us.

use sessions_domain::{
    BudgetKey, Email, InvalidEmail, InvalidPassword, Password, Throttled, ThrottledNetwork, User,
    UserId,
};

use crate::{
    Application, ClientContext,
    ports::{HashPriority, HashingError, InsertUserError, StoreError},
    throttle::ReserveError,
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
    /// The client's network registered too often lately.
    #[error(transparent)]
    Throttled(#[from] Throttled),
    /// Hashing was refused (overloaded) or failed.
    #[error(transparent)]
    Hashing(#[from] HashingError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ReserveError> for RegisterError {
    fn from(error: ReserveError) -> Self {
        match error {
            ReserveError::Throttled(throttled) => Self::Throttled(throttled),
            ReserveError::Store(error) => Self::Store(error),
        }
    }
}

impl Application {
    /// Registers a user with an argon2id-hashed password. Every well-formed registration
    /// counts against the client network's budget, whatever its outcome.
    ///
    /// # Errors
    /// See [`RegisterError`].
    #[tracing::instrument(skip_all, fields(ip = %client.ip))]
    pub async fn register(
        &self,
        registration: Registration,
        client: &ClientContext,
    ) -> Result<User, RegisterError> {
        let email = Email::parse(&registration.email)?;
        let password = Password::new(registration.password)?;
        let passwords = &self.ports.passwords;
        passwords.admits(HashPriority::Unknown)?;
        let now = self.ports.clock.now();
        let network = ThrottledNetwork::of(client.ip);
        // Kept whatever happens next: registrations are counted, not only failures.
        self.reserve(vec![BudgetKey::Registrations(network)], now)
            .await?
            .keep();
        let users = &self.ports.storage.users;
        if users.find_by_email(&email).await?.is_some() {
            return Err(RegisterError::EmailTaken);
        }
        let password_hash = passwords.hash(&password, HashPriority::Unknown).await?;
        let user = User {
            id: UserId::from_uuid(self.ports.ids.next_id()),
            email,
            password_hash,
            max_sessions: None,
            created_at: now,
            updated_at: now,
        };
        users.insert(&user).await.map_err(|error| match error {
            InsertUserError::EmailTaken => RegisterError::EmailTaken,
            InsertUserError::Store(error) => RegisterError::Store(error),
        })?;
        tracing::info!(user_id = %user.id, "user registered");
        Ok(user)
    }
}

#[cfg(test)]
mod tests;
