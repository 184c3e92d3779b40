//! The deployment's master key: 256 bits that seal (AES-256-GCM) the private keys the store
//! holds, so that a copy of the database reveals no key. Every instance on one database has
//! the same one.

use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use ring::{
    aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey},
    hmac,
    rand::{SecureRandom, SystemRandom},
};

/// Bytes of a master key.
const KEY_LEN: usize = 32;

/// A master key: the sealing key, and the same bits as the key of the keys derived from it.
pub struct MasterKey {
    sealing: LessSafeKey,
    deriving: hmac::Key,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

/// Text that is not a 256-bit key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "a master key is 256 bits: 64 hex digits, or 43 characters of base64url (44 of base64); \
     `openssl rand -base64 32` makes one"
)]
pub struct InvalidMasterKey;

/// A sealed value that does not open with this key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("sealed with another key, or altered")]
pub struct Unsealable;

impl MasterKey {
    /// A new random key, and its text form (base64url) to keep.
    ///
    /// # Errors
    /// [`InvalidMasterKey`] only if the system has no randomness.
    pub fn generate() -> Result<(Self, String), InvalidMasterKey> {
        let mut bytes = [0_u8; KEY_LEN];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| InvalidMasterKey)?;
        let text = URL_SAFE_NO_PAD.encode(bytes);
        Ok((Self::from_bytes(&bytes)?, text))
    }

    /// Reads a key written as hex, base64url or base64.
    ///
    /// # Errors
    /// [`InvalidMasterKey`] for anything that is not 256 bits in one of those forms.
    pub fn parse(text: &str) -> Result<Self, InvalidMasterKey> {
        let text = text.trim();
        let bytes = if text.len() == 2 * KEY_LEN {
            hex(text)
        } else {
            URL_SAFE_NO_PAD
                .decode(text)
                .or_else(|_| STANDARD.decode(text))
                .ok()
        };
        Self::from_bytes(&bytes.ok_or(InvalidMasterKey)?)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, InvalidMasterKey> {
        if bytes.len() != KEY_LEN {
            return Err(InvalidMasterKey);
        }
        let key = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| InvalidMasterKey)?;
        Ok(Self {
            sealing: LessSafeKey::new(key),
            deriving: hmac::Key::new(hmac::HMAC_SHA256, bytes),
        })
    }

    /// A 256-bit key for `purpose`, the same on every instance with this master key and
    /// independent of the keys for other purposes (HMAC-SHA256 of the purpose, a PRF keyed
    /// by uniformly random bits), so that a key derived for one use reveals nothing of
    /// this one or of the others.
    pub fn derive(&self, purpose: &str) -> [u8; KEY_LEN] {
        let tag = hmac::sign(&self.deriving, format!("sessions/{purpose}").as_bytes());
        let mut key = [0_u8; KEY_LEN];
        key.copy_from_slice(tag.as_ref());
        key
    }

    /// `plain` sealed, bound to `context` (it opens only with the same context): a random
    /// nonce, then the ciphertext and its tag.
    ///
    /// # Errors
    /// [`Unsealable`] only if the system has no randomness.
    pub fn seal(&self, plain: &[u8], context: &str) -> Result<Vec<u8>, Unsealable> {
        let mut nonce = [0_u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| Unsealable)?;
        let mut sealed = plain.to_vec();
        self.sealing
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| Unsealable)?;
        let mut out = nonce.to_vec();
        out.append(&mut sealed);
        Ok(out)
    }

    /// Opens what [`MasterKey::seal`] sealed with `context`.
    ///
    /// # Errors
    /// [`Unsealable`] when it was sealed with another key or context, or altered.
    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>, Unsealable> {
        if sealed.len() < NONCE_LEN {
            return Err(Unsealable);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| Unsealable)?;
        let mut in_out = ciphertext.to_vec();
        let plain = self
            .sealing
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut in_out)
            .map_err(|_| Unsealable)?;
        Ok(plain.to_vec())
    }
}

fn hex(text: &str) -> Option<Vec<u8>> {
    (0..text.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(text.get(index..index + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_the_same_key_and_context_only() {
        let (key, text) = MasterKey::generate().unwrap();
        let sealed = key.seal(b"private key", "generation 1").unwrap();
        assert_ne!(&sealed[NONCE_LEN..NONCE_LEN + 11], b"private key");
        assert_eq!(key.open(&sealed, "generation 1").unwrap(), b"private key");
        assert_eq!(key.open(&sealed, "generation 2"), Err(Unsealable));
        let same = MasterKey::parse(&text).unwrap();
        assert_eq!(same.open(&sealed, "generation 1").unwrap(), b"private key");
        let (other, _) = MasterKey::generate().unwrap();
        assert_eq!(other.open(&sealed, "generation 1"), Err(Unsealable));
    }

    #[test]
    fn a_derived_key_is_the_same_for_the_same_master_key_and_purpose_only() {
        let (key, text) = MasterKey::generate().unwrap();
        let (other, _) = MasterKey::generate().unwrap();
        let csrf = key.derive("csrf");
        assert_eq!(MasterKey::parse(&text).unwrap().derive("csrf"), csrf);
        assert_ne!(key.derive("other"), csrf);
        assert_ne!(other.derive("csrf"), csrf);
    }

    #[test]
    fn a_key_is_read_from_hex_base64url_and_base64_and_nothing_shorter() {
        let hex_key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        assert!(MasterKey::parse(hex_key).is_ok());
        assert!(MasterKey::parse(&URL_SAFE_NO_PAD.encode([7_u8; 32])).is_ok());
        assert!(MasterKey::parse(&STANDARD.encode([7_u8; 32])).is_ok());
        for bad in ["", "short", &STANDARD.encode([7_u8; 16]), &"zz".repeat(32)] {
            assert_eq!(
                MasterKey::parse(bad).unwrap_err(),
                InvalidMasterKey,
                "{bad}"
            );
        }
    }
}
