//! Opaque token values: 256 random bits in URL-safe base64, stored as their SHA-256;
//! refresh-token successors derived with HMAC-SHA-256 under a server key.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sessions_application::SecretToken;
use sessions_domain::TokenHash;
use sha2::{Digest, Sha256};

/// A new 256-bit random token.
pub fn random_token() -> SecretToken {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    SecretToken::new(URL_SAFE_NO_PAD.encode(bytes))
}

/// The successor of `presented` under `key`: the same for the same token and key.
pub fn keyed_successor(key: &Hmac<Sha256>, presented: &SecretToken) -> SecretToken {
    let mut mac = key.clone();
    mac.update(presented.expose().as_bytes());
    SecretToken::new(URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// The SHA-256 a token is stored and looked up under.
pub fn token_hash(secret: &SecretToken) -> TokenHash {
    TokenHash::from_bytes(Sha256::digest(secret.expose().as_bytes()).into())
}

/// An HMAC key of any length.
pub fn hmac_key(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_are_256_bit_and_distinct() {
        let a = random_token();
        let b = random_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(a.expose()).unwrap().len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn the_successor_is_deterministic_and_depends_on_the_key() {
        let token = SecretToken::new("presented".into());
        let one = hmac_key(b"key one");
        let two = hmac_key(b"key two");
        assert_eq!(keyed_successor(&one, &token), keyed_successor(&one, &token));
        assert_ne!(keyed_successor(&one, &token), keyed_successor(&two, &token));
        assert_ne!(keyed_successor(&one, &token), token);
    }

    #[test]
    fn the_stored_hash_is_sha256_of_the_value() {
        let hash = token_hash(&SecretToken::new("abc".into()));
        assert_eq!(
            hash.as_bytes()[..4],
            [0xba, 0x78, 0x16, 0xbf] // SHA-256("abc") begins ba7816bf
        );
    }
}
