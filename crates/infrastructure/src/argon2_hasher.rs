//! Adapter: argon2id password hashing at OWASP parameters, off the async executor and with
//! bounded concurrency (a login storm queues instead of exhausting memory).

use std::sync::Arc;

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{
        PasswordHash as PhcHash, PasswordHasher as _, PasswordVerifier, SaltString,
        rand_core::OsRng,
    },
};
use async_trait::async_trait;
use sessions_application::ports::{HashingError, PasswordHasher};
use sessions_domain::{Password, PasswordHash};
use tokio::sync::Semaphore;

/// Argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Argon2Cost {
    /// Memory in KiB (OWASP: 19 MiB).
    pub memory_kib: u32,
    /// Iterations (OWASP: 2).
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for Argon2Cost {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Hashes with argon2id; at most `max_concurrent` hashes run at once.
#[derive(Clone)]
pub struct Argon2Hasher {
    argon2: Argon2<'static>,
    permits: Arc<Semaphore>,
    dummy_hash: Arc<str>,
}

impl std::fmt::Debug for Argon2Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Argon2Hasher").finish_non_exhaustive()
    }
}

fn failure(error: impl std::fmt::Display) -> HashingError {
    HashingError(error.to_string())
}

impl Argon2Hasher {
    /// A hasher with `cost`, running at most `max_concurrent` hashes at once. Computes the
    /// dummy hash that unknown users are verified against.
    ///
    /// # Errors
    /// [`HashingError`] for parameters argon2 rejects.
    pub fn new(cost: Argon2Cost, max_concurrent: usize) -> Result<Self, HashingError> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(failure)?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        let dummy_hash = argon2
            .hash_password(b"dummy password for unknown users", &salt)
            .map_err(failure)?
            .to_string();
        Ok(Self {
            argon2,
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            dummy_hash: dummy_hash.into(),
        })
    }

    /// Runs `work` on the blocking pool once a hashing permit is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Argon2<'static>) -> Result<T, HashingError> + Send + 'static,
    ) -> Result<T, HashingError> {
        let _permit = self.permits.acquire().await.map_err(failure)?;
        let argon2 = self.argon2.clone();
        tokio::task::spawn_blocking(move || work(&argon2))
            .await
            .map_err(failure)?
    }

    fn check(argon2: &Argon2<'static>, candidate: &str, phc: &str) -> Result<bool, HashingError> {
        let parsed = PhcHash::new(phc).map_err(failure)?;
        Ok(argon2
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok())
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashingError> {
        let password = password.expose().to_owned();
        self.run(move |argon2| {
            let salt = SaltString::generate(&mut OsRng);
            let phc = argon2
                .hash_password(password.as_bytes(), &salt)
                .map_err(failure)?;
            Ok(PasswordHash::new(phc.to_string()))
        })
        .await
    }

    async fn verify(&self, candidate: &str, hash: &PasswordHash) -> Result<bool, HashingError> {
        let (candidate, phc) = (candidate.to_owned(), hash.as_str().to_owned());
        self.run(move |argon2| Self::check(argon2, &candidate, &phc))
            .await
    }

    async fn verify_dummy(&self, candidate: &str) -> Result<(), HashingError> {
        let (candidate, phc) = (candidate.to_owned(), self.dummy_hash.clone());
        self.run(move |argon2| Self::check(argon2, &candidate, &phc).map(drop))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Argon2Hasher {
        let cost = Argon2Cost {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        };
        Argon2Hasher::new(cost, 2).unwrap()
    }

    #[tokio::test]
    async fn a_hashed_password_verifies_and_another_does_not() {
        let hasher = cheap();
        let password = Password::new("correct horse battery".into()).unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(hasher.verify("correct horse battery", &hash).await.unwrap());
        assert!(!hasher.verify("wrong horse battery", &hash).await.unwrap());
    }

    #[tokio::test]
    async fn the_default_cost_is_owasps() {
        let cost = Argon2Cost::default();
        assert!(cost.memory_kib >= 19 * 1024 && cost.iterations >= 2);
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_is_an_error_not_a_match() {
        let hasher = cheap();
        let result = hasher
            .verify("anything", &PasswordHash::new("not a phc string".into()))
            .await;
        assert!(result.is_err());
    }

    #[tokio::test]
    async fn the_dummy_verification_succeeds_without_matching_anything() {
        assert!(cheap().verify_dummy("whatever").await.is_ok());
    }
}
