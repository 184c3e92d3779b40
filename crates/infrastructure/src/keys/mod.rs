//! Adapter: the key ring. It makes key generations — an ES256 key that signs access tokens
//! and an HMAC key that derives refresh-token successors — seals them with the deployment's
//! master key for the store, and opens those the application hands it. With what it holds it
//! signs access tokens (JWT with a `kid`) with the generation signing at their issue time,
//! verifies them by their `kid`, and derives a refresh token's successor with the key of the
//! generation that signed at the rotation's time, so that every instance derives the same.
//! The keys of a deployment from before generations ([`LegacyKeys`]) still verify and derive
//! what they made.

mod claims;
mod es256;
mod legacy;
mod master_key;
mod verified;

use std::sync::{Arc, PoisonError, RwLock};

use chrono::{DateTime, Utc};
use hmac::Hmac;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use sessions_application::{
    AccessClaims, SecretToken,
    ports::{
        AccessTokenCodec, InvalidAccessToken, KeyRing, KeyRingError, PublicSigningKey,
        SealedKeyGeneration, TokenCodecError, TokenSecrets,
    },
};
use sessions_domain::{KeyGeneration, KeyLifetime, KeySchedule, TokenHash};
use sha2::Sha256;

pub use claims::TokenIssuer;
pub use legacy::LegacyKeys;
pub use master_key::{InvalidMasterKey, MasterKey};

use crate::token_secrets::{hmac_key, keyed_successor, random_token, token_hash};
use verified::VerifiedTokens;

/// Bytes of a refresh-successor key.
const REFRESH_KEY_LEN: usize = 32;

/// One generation, opened.
struct OpenGeneration {
    lifetime: KeyLifetime,
    public: PublicSigningKey,
    signing: EncodingKey,
    verifying: DecodingKey,
    refresh: Hmac<Sha256>,
}

/// What the ring holds at one moment.
#[derive(Default)]
struct Held {
    generations: Vec<OpenGeneration>,
    lifetimes: Vec<KeyLifetime>,
}

impl Held {
    /// The generation signing at `at`.
    fn signing_at(&self, at: DateTime<Utc>) -> Option<&OpenGeneration> {
        let signing = KeySchedule::signing(&self.lifetimes, at)?.generation;
        self.generations
            .iter()
            .find(|generation| generation.lifetime.generation == signing)
    }
}

/// The key ring: a [`KeyRing`], and the [`AccessTokenCodec`] and [`TokenSecrets`] that use
/// what it holds.
pub struct SigningKeyRing {
    master: Arc<MasterKey>,
    issuer: TokenIssuer,
    validation: Validation,
    legacy: LegacyKeys,
    legacy_validation: Validation,
    held: RwLock<Arc<Held>>,
    verified: VerifiedTokens,
}

impl std::fmt::Debug for SigningKeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyRing")
            .field("issuer", &self.issuer)
            .field("legacy", &self.legacy)
            .finish_non_exhaustive()
    }
}

/// The context a generation's key is sealed in: it opens as that generation's, for that
/// purpose, only.
fn sealing_context(generation: KeyGeneration, purpose: &str) -> String {
    format!("sessions key generation {} {purpose}", generation.get())
}

impl SigningKeyRing {
    /// A ring that seals with `master`, signs as `issuer`, and still accepts what the
    /// `legacy` keys made. It holds nothing until the application hands it generations.
    pub fn new(master: Arc<MasterKey>, issuer: TokenIssuer, legacy: LegacyKeys) -> Self {
        let validation = issuer.validation(Algorithm::ES256, issuer.audience.as_deref());
        // Tokens from before the upgrade carry no audience.
        let legacy_validation = issuer.validation(Algorithm::HS256, None);
        Self {
            master,
            issuer,
            validation,
            legacy,
            legacy_validation,
            held: RwLock::default(),
            verified: VerifiedTokens::new(),
        }
    }

    fn held(&self) -> Arc<Held> {
        Arc::clone(&self.held.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn open(&self, sealed: &SealedKeyGeneration) -> Result<OpenGeneration, KeyRingError> {
        let generation = sealed.lifetime.generation;
        let pkcs8 = self
            .master
            .open(
                &sealed.sealed_signing_key,
                &sealing_context(generation, "signing"),
            )
            .map_err(|_| KeyRingError::WrongMasterKey)?;
        let refresh = self
            .master
            .open(
                &sealed.sealed_refresh_key,
                &sealing_context(generation, "refresh"),
            )
            .map_err(|_| KeyRingError::WrongMasterKey)?;
        let public = es256::public_of(&pkcs8)?;
        if public != sealed.public_key {
            return Err(KeyRingError::Failed(format!(
                "generation {}: the stored public key is not the private key's",
                generation.get()
            )));
        }
        let verifying = DecodingKey::from_ec_components(&public.x, &public.y)
            .map_err(|error| KeyRingError::Failed(error.to_string()))?;
        Ok(OpenGeneration {
            lifetime: sealed.lifetime,
            signing: EncodingKey::from_ec_der(&pkcs8),
            verifying,
            refresh: hmac_key(&refresh),
            public,
        })
    }

    /// Checks a token's signature and claims, by its `kid` (or, without one, as a legacy
    /// HS256 token).
    fn verify_signed(&self, token: &str) -> Result<AccessClaims, InvalidAccessToken> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| InvalidAccessToken)?;
        let held = self.held();
        let (key, validation) = match (header.alg, header.kid) {
            (Algorithm::ES256, Some(kid)) => {
                let generation = held
                    .generations
                    .iter()
                    .find(|generation| generation.public.kid == kid)
                    .ok_or(InvalidAccessToken)?;
                (&generation.verifying, &self.validation)
            }
            (Algorithm::HS256, None) => (
                self.legacy.access.as_ref().ok_or(InvalidAccessToken)?,
                &self.legacy_validation,
            ),
            _ => return Err(InvalidAccessToken),
        };
        jsonwebtoken::decode::<claims::Claims>(token, key, validation)
            .map_err(|_| InvalidAccessToken)?
            .claims
            .try_into()
    }
}

impl KeyRing for SigningKeyRing {
    fn create(&self, lifetime: KeyLifetime) -> Result<SealedKeyGeneration, KeyRingError> {
        let signing = es256::generate()?;
        let mut refresh = [0_u8; REFRESH_KEY_LEN];
        rand::rng().fill_bytes(&mut refresh);
        let sealing_failed = |_| KeyRingError::Failed("cannot seal a new key".into());
        Ok(SealedKeyGeneration {
            lifetime,
            sealed_signing_key: self
                .master
                .seal(
                    &signing.pkcs8,
                    &sealing_context(lifetime.generation, "signing"),
                )
                .map_err(sealing_failed)?,
            sealed_refresh_key: self
                .master
                .seal(&refresh, &sealing_context(lifetime.generation, "refresh"))
                .map_err(sealing_failed)?,
            public_key: signing.public,
        })
    }

    fn hold(&self, generations: &[SealedKeyGeneration]) -> Result<(), KeyRingError> {
        let opened = generations
            .iter()
            .map(|generation| self.open(generation))
            .collect::<Result<Vec<_>, _>>()?;
        let held = Held {
            lifetimes: opened
                .iter()
                .map(|generation| generation.lifetime)
                .collect(),
            generations: opened,
        };
        let kids = |held: &Held| -> Vec<String> {
            held.generations
                .iter()
                .map(|generation| generation.public.kid.clone())
                .collect()
        };
        let mut current = self.held.write().unwrap_or_else(PoisonError::into_inner);
        if kids(&current) != kids(&held) {
            // A generation left: what it verified must be verified again (and fail).
            self.verified.clear();
        }
        *current = Arc::new(held);
        Ok(())
    }

    fn public_keys(&self) -> Vec<PublicSigningKey> {
        self.held()
            .generations
            .iter()
            .map(|generation| generation.public.clone())
            .collect()
    }
}

impl AccessTokenCodec for SigningKeyRing {
    fn issue(&self, claims: &AccessClaims) -> Result<String, TokenCodecError> {
        let held = self.held();
        let generation = held
            .signing_at(claims.issued_at)
            .ok_or_else(|| TokenCodecError("no signing key generation is held".into()))?;
        let header = Header {
            kid: Some(generation.public.kid.clone()),
            ..Header::new(Algorithm::ES256)
        };
        jsonwebtoken::encode(&header, &self.issuer.claims(claims), &generation.signing)
            .map_err(|error| TokenCodecError(error.to_string()))
    }

    fn verify(&self, token: &str) -> Result<AccessClaims, InvalidAccessToken> {
        self.verified
            .get_or_verify(token, || self.verify_signed(token))
    }
}

impl TokenSecrets for SigningKeyRing {
    fn generate(&self) -> SecretToken {
        random_token()
    }

    fn successor_of(&self, presented: &SecretToken, rotated_at: DateTime<Utc>) -> SecretToken {
        let held = self.held();
        let key = held
            .signing_at(rotated_at)
            .map(|generation| &generation.refresh)
            .or(self.legacy.refresh.as_ref())
            // A rotation before the first generation, by a deployment without a former key.
            .or_else(|| {
                held.generations
                    .first()
                    .map(|generation| &generation.refresh)
            });
        if let Some(key) = key {
            keyed_successor(key, presented)
        } else {
            // Unreachable once started (the first generation is held before serving);
            // a random successor is safe, only a replay of it would not match.
            tracing::error!("no refresh key is held: a random successor instead");
            random_token()
        }
    }

    fn hash(&self, secret: &SecretToken) -> TokenHash {
        token_hash(secret)
    }
}

#[cfg(test)]
mod tests;
