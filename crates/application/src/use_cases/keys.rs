//! Use cases: the deployment's key generations — kept current on every instance, rotated on
//! an operator's demand, listed.

use chrono::{DateTime, Utc};
use sessions_domain::{KeyLifetime, KeySchedule};

use crate::{
    Application,
    ports::{KeyRingError, PublicSigningKey, SealedKeyGeneration, StoreError},
};

/// Why the keys could not be kept, rotated or listed.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    /// The key ring could not make or open a key.
    #[error(transparent)]
    Ring(#[from] KeyRingError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a generation is in its life at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// Published, not signing yet.
    Pending,
    /// Signing new tokens.
    Signing,
    /// Retired, still verifying what it signed.
    Verifying,
    /// Past its afterlife: neither signs nor verifies.
    Expired,
}

impl KeyState {
    /// Stable `snake_case` name, as the API and the command line show it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Signing => "signing",
            Self::Verifying => "verifying",
            Self::Expired => "expired",
        }
    }
}

/// A generation as operators see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyGenerationView {
    /// Its number and times.
    pub lifetime: KeyLifetime,
    /// Its signing key's id.
    pub kid: String,
    /// When the next generation replaces it, if one exists.
    pub retires_at: Option<DateTime<Utc>>,
    /// Where it is now.
    pub state: KeyState,
}

impl Application {
    /// Creates the next generation when one is due (the first one at the first start), then
    /// holds every published generation. Every instance runs it at its start and then
    /// periodically, more often than a generation's publication lead, so that each knows a
    /// generation before it signs.
    ///
    /// # Errors
    /// See [`KeysError`]; [`KeyRingError::WrongMasterKey`] when this instance's master key
    /// is not the one that sealed the stored keys.
    #[tracing::instrument(skip_all)]
    pub async fn maintain_keys(&self) -> Result<(), KeysError> {
        let now = self.ports.clock.now();
        let mut stored = self.ports.storage.keys.key_generations().await?;
        if let Some(next) = self.policy.keys.due(&lifetimes(&stored), now) {
            self.create_generation(next).await?;
            stored = self.ports.storage.keys.key_generations().await?;
        }
        let all = lifetimes(&stored);
        stored.retain(|generation| {
            self.policy
                .keys
                .is_published(&all, generation.lifetime.generation, now)
        });
        self.ports.key_ring.hold(&stored)?;
        Ok(())
    }

    /// An operator's rotation: a generation that signs one publication lead from now — or,
    /// when one already awaits its activation, that one. Instances rotating at the same
    /// moment make one generation between them.
    ///
    /// # Errors
    /// See [`KeysError`].
    #[tracing::instrument(skip_all)]
    pub async fn rotate_keys(&self) -> Result<KeyGenerationView, KeysError> {
        let now = self.ports.clock.now();
        let stored = self.ports.storage.keys.key_generations().await?;
        if let Some(next) = self.policy.keys.on_demand(&lifetimes(&stored), now) {
            self.create_generation(next).await?;
        }
        self.maintain_keys().await?;
        let views = self.list_keys().await?;
        views
            .into_iter()
            .max_by_key(|view| view.lifetime.generation)
            .ok_or_else(|| KeyRingError::Failed("no key generation after a rotation".into()).into())
    }

    /// Every stored generation, oldest first, with its state now.
    ///
    /// # Errors
    /// See [`KeysError`].
    pub async fn list_keys(&self) -> Result<Vec<KeyGenerationView>, KeysError> {
        let now = self.ports.clock.now();
        let stored = self.ports.storage.keys.key_generations().await?;
        let all = lifetimes(&stored);
        let signing = KeySchedule::signing(&all, now).map(|key| key.generation);
        Ok(stored
            .into_iter()
            .map(|generation| {
                let lifetime = generation.lifetime;
                let state = if lifetime.activates_at > now {
                    KeyState::Pending
                } else if Some(lifetime.generation) == signing {
                    KeyState::Signing
                } else if self
                    .policy
                    .keys
                    .is_published(&all, lifetime.generation, now)
                {
                    KeyState::Verifying
                } else {
                    KeyState::Expired
                };
                KeyGenerationView {
                    retires_at: KeySchedule::retires_at(&all, lifetime.generation),
                    kid: generation.public_key.kid,
                    lifetime,
                    state,
                }
            })
            .collect())
    }

    /// The public keys that verify access tokens now or soon, for the JWKS.
    pub fn public_keys(&self) -> Vec<PublicSigningKey> {
        self.ports.key_ring.public_keys()
    }

    /// Makes and stores `lifetime`'s keys, unless another instance stored that generation
    /// first.
    async fn create_generation(&self, lifetime: KeyLifetime) -> Result<(), KeysError> {
        let sealed = self.ports.key_ring.create(lifetime)?;
        let stored = self.ports.storage.keys.add_key_generation(&sealed).await?;
        if stored {
            tracing::info!(
                generation = lifetime.generation.get(),
                kid = %sealed.public_key.kid,
                activates_at = %lifetime.activates_at,
                "created a key generation"
            );
        } else {
            tracing::debug!(
                generation = lifetime.generation.get(),
                "another instance created this key generation first"
            );
        }
        Ok(())
    }
}

fn lifetimes(stored: &[SealedKeyGeneration]) -> Vec<KeyLifetime> {
    stored
        .iter()
        .map(|generation| generation.lifetime)
        .collect()
}

#[cfg(test)]
mod tests;
