//! Adapter: opaque token values — 256 random bits in URL-safe base64, refresh-token
//! successors derived with HMAC-SHA-256 under a server key, stored as SHA-256.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sessions_application::{SecretToken, ports::TokenSecrets};
use sessions_domain::TokenHash;
use sha2::{Digest, Sha256};

/// Makes opaque tokens, and refresh-token successors with a server-side HMAC key.
#[derive(Clone)]
pub struct HmacTokenSecrets {
    key: Hmac<Sha256>,
}

impl std::fmt::Debug for HmacTokenSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacTokenSecrets(<key redacted>)")
    }
}

impl HmacTokenSecrets {
    /// Uses `key` (any length; 32 random bytes recommended) for successor derivation.
    pub fn new(key: &[u8]) -> Self {
        // HMAC accepts keys of any length, so this cannot fail.
        let key = <Hmac<Sha256> as Mac>::new_from_slice(key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        Self { key }
    }
}

impl TokenSecrets for HmacTokenSecrets {
    fn generate(&self) -> SecretToken {
        let mut bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretToken::new(URL_SAFE_NO_PAD.encode(bytes))
    }

    fn successor_of(&self, presented: &SecretToken) -> SecretToken {
        let mut mac = self.key.clone();
        mac.update(presented.expose().as_bytes());
        SecretToken::new(URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    fn hash(&self, secret: &SecretToken) -> TokenHash {
        TokenHash::from_bytes(Sha256::digest(secret.expose().as_bytes()).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_256_bit_and_distinct() {
        let secrets = HmacTokenSecrets::new(b"key");
        let a = secrets.generate();
        let b = secrets.generate();
        assert_eq!(URL_SAFE_NO_PAD.decode(a.expose()).unwrap().len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn the_successor_is_deterministic_and_depends_on_the_key() {
        let token = SecretToken::new("presented".into());
        let one = HmacTokenSecrets::new(b"key one");
        let two = HmacTokenSecrets::new(b"key two");
        assert_eq!(one.successor_of(&token), one.successor_of(&token));
        assert_ne!(one.successor_of(&token), two.successor_of(&token));
        assert_ne!(one.successor_of(&token), token);
    }

    #[test]
    fn the_stored_hash_is_sha256_of_the_value() {
        let secrets = HmacTokenSecrets::new(b"key");
        let hash = secrets.hash(&SecretToken::new("abc".into()));
        assert_eq!(
            hash.as_bytes()[..4],
            [0xba, 0x78, 0x16, 0xbf] // SHA-256("abc") begins ba7816bf
        );
    }
}
