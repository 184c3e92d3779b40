//! Adapter: refresh-token values — 256 random bits in URL-safe base64, successors derived
//! with HMAC-SHA-256 under a server key, stored as SHA-256.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sessions_application::{RefreshSecret, ports::RefreshSecrets};
use sessions_domain::TokenHash;
use sha2::{Digest, Sha256};

/// Makes refresh tokens with a server-side HMAC key.
#[derive(Clone)]
pub struct HmacRefreshSecrets {
    key: Hmac<Sha256>,
}

impl std::fmt::Debug for HmacRefreshSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacRefreshSecrets(<key redacted>)")
    }
}

impl HmacRefreshSecrets {
    /// Uses `key` (any length; 32 random bytes recommended) for successor derivation.
    pub fn new(key: &[u8]) -> Self {
        // HMAC accepts keys of any length, so this cannot fail.
        let key = <Hmac<Sha256> as Mac>::new_from_slice(key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        Self { key }
    }
}

impl RefreshSecrets for HmacRefreshSecrets {
    fn generate(&self) -> RefreshSecret {
        let mut bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        RefreshSecret::new(URL_SAFE_NO_PAD.encode(bytes))
    }

    fn successor_of(&self, presented: &RefreshSecret) -> RefreshSecret {
        let mut mac = self.key.clone();
        mac.update(presented.expose().as_bytes());
        RefreshSecret::new(URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    fn hash(&self, secret: &RefreshSecret) -> TokenHash {
        TokenHash::from_bytes(Sha256::digest(secret.expose().as_bytes()).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_256_bit_and_distinct() {
        let secrets = HmacRefreshSecrets::new(b"key");
        let a = secrets.generate();
        let b = secrets.generate();
        assert_eq!(URL_SAFE_NO_PAD.decode(a.expose()).unwrap().len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn the_successor_is_deterministic_and_depends_on_the_key() {
        let token = RefreshSecret::new("presented".into());
        let one = HmacRefreshSecrets::new(b"key one");
        let two = HmacRefreshSecrets::new(b"key two");
        assert_eq!(one.successor_of(&token), one.successor_of(&token));
        assert_ne!(one.successor_of(&token), two.successor_of(&token));
        assert_ne!(one.successor_of(&token), token);
    }

    #[test]
    fn the_stored_hash_is_sha256_of_the_value() {
        let secrets = HmacRefreshSecrets::new(b"key");
        let hash = secrets.hash(&RefreshSecret::new("abc".into()));
        assert_eq!(
            hash.as_bytes()[..4],
            [0xba, 0x78, 0x16, 0xbf] // SHA-256("abc") begins ba7816bf
        );
    }
}
