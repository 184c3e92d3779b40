//! Ports: the key generations every instance shares through the store, and the key ring
//! that makes, opens and holds them (the same adapter signs and verifies access tokens and
//! derives refresh-token successors with what it holds).

use async_trait::async_trait;
use sessions_domain::KeyLifetime;

use super::StoreError;

/// The public half of a generation's signing key (ES256, P-256), as a JWK publishes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicSigningKey {
    /// Key id: the JWK thumbprint (RFC 7638) of the key.
    pub kid: String,
    /// The curve point's x coordinate, base64url.
    pub x: String,
    /// Its y coordinate, base64url.
    pub y: String,
}

/// A key generation as the store holds it: the private keys sealed with the deployment's
/// master key, so that the store alone reveals no key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedKeyGeneration {
    /// Its number and times.
    pub lifetime: KeyLifetime,
    /// Its signing key's public half.
    pub public_key: PublicSigningKey,
    /// The access-token signing key, sealed.
    pub sealed_signing_key: Vec<u8>,
    /// The refresh-successor key, sealed.
    pub sealed_refresh_key: Vec<u8>,
}

/// The store's key generations.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Every stored generation, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn key_generations(&self) -> Result<Vec<SealedKeyGeneration>, StoreError>;

    /// Stores `generation` unless one of its number exists — another instance rotated at
    /// the same moment — and then retires the previous one at its activation. Whether this
    /// call stored it.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn add_key_generation(
        &self,
        generation: &SealedKeyGeneration,
    ) -> Result<bool, StoreError>;
}

/// Why the key ring could not make or open keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyRingError {
    /// A stored key does not open with this master key: it is not the one that sealed it.
    #[error(
        "the master key does not open the signing keys in the store: it is not the one that \
         sealed them (every instance on one database needs the same SESSIONS_MASTER_KEY)"
    )]
    WrongMasterKey,
    /// Making or reading a key failed.
    #[error("signing keys: {0}")]
    Failed(String),
}

/// Makes, opens and holds the key generations the instance signs and verifies with.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait KeyRing: Send + Sync {
    /// New keys for `lifetime`, sealed for the store.
    ///
    /// # Errors
    /// [`KeyRingError::Failed`] when no key can be made.
    fn create(&self, lifetime: KeyLifetime) -> Result<SealedKeyGeneration, KeyRingError>;

    /// Opens `generations` and signs and verifies with them from now on, in place of those
    /// held before.
    ///
    /// # Errors
    /// [`KeyRingError::WrongMasterKey`] when a generation does not open; then the ring keeps
    /// what it held.
    fn hold(&self, generations: &[SealedKeyGeneration]) -> Result<(), KeyRingError>;

    /// The public keys of the generations held, oldest first.
    fn public_keys(&self) -> Vec<PublicSigningKey>;
}
