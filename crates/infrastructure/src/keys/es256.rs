//! ES256 keys (ECDSA on P-256 with SHA-256, RFC 7518): the algorithm that every JOSE library
//! (the `jsonwebtoken` crate, `PyJWT`, jose for Node) and the common API gateways (Kong,
//! Envoy, AWS API Gateway, Apigee) verify; `EdDSA` is still missing from several of them.
//! A key is identified by its JWK thumbprint (RFC 7638).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ring::{
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair},
};
use sessions_application::ports::{KeyRingError, PublicSigningKey};
use sha2::{Digest, Sha256};

/// Bytes of one coordinate of a P-256 point.
const COORDINATE_LEN: usize = 32;

/// A new signing key: the private key as PKCS#8, and its public half.
pub struct NewSigningKey {
    pub pkcs8: Vec<u8>,
    pub public: PublicSigningKey,
}

/// A new random ES256 key.
///
/// # Errors
/// [`KeyRingError::Failed`] only if the system has no randomness.
pub fn generate() -> Result<NewSigningKey, KeyRingError> {
    let random = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &random)
        .map_err(|_| KeyRingError::Failed("cannot generate an ES256 key".into()))?;
    let public = public_of(pkcs8.as_ref())?;
    Ok(NewSigningKey {
        pkcs8: pkcs8.as_ref().to_vec(),
        public,
    })
}

/// The public half of a PKCS#8 ES256 key.
///
/// # Errors
/// [`KeyRingError::Failed`] when the bytes are not such a key.
pub fn public_of(pkcs8: &[u8]) -> Result<PublicSigningKey, KeyRingError> {
    let pair = EcdsaKeyPair::from_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        pkcs8,
        &SystemRandom::new(),
    )
    .map_err(|_| KeyRingError::Failed("not an ES256 key".into()))?;
    // An uncompressed point: 0x04, then x, then y.
    let point = pair.public_key().as_ref();
    let (x, y) = point
        .get(1..)
        .filter(|coordinates| coordinates.len() == 2 * COORDINATE_LEN)
        .map(|coordinates| coordinates.split_at(COORDINATE_LEN))
        .ok_or_else(|| KeyRingError::Failed("unexpected public key".into()))?;
    let x = URL_SAFE_NO_PAD.encode(x);
    let y = URL_SAFE_NO_PAD.encode(y);
    Ok(PublicSigningKey {
        kid: thumbprint(&x, &y),
        x,
        y,
    })
}

/// The JWK thumbprint (RFC 7638): SHA-256 of the key's required members, in lexical order,
/// without whitespace.
fn thumbprint(x: &str, y: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_is_identified_by_its_thumbprint_and_reads_back_the_same() {
        let key = generate().unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(&key.public.x).unwrap().len(), 32);
        assert_eq!(key.public.kid, thumbprint(&key.public.x, &key.public.y));
        assert_eq!(public_of(&key.pkcs8).unwrap(), key.public);
        assert_ne!(generate().unwrap().public.kid, key.public.kid);
    }

    #[test]
    fn the_thumbprint_is_that_of_rfc_7638() {
        // The P-256 key of RFC 7517, appendix A.1; the value jwcrypto computes for it.
        let kid = thumbprint(
            "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
            "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
        );
        assert_eq!(kid, "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s");
    }
}
