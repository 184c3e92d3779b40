//! The Standard Webhooks signature: HMAC-SHA256 over `{id}.{timestamp}.{body}` with the
//! secret's bytes (the base64 after `whsec_`), sent as `v1,<base64>`.

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use sessions_application::SecretToken;
use sha2::Sha256;

/// The `webhook-signature` header's value: one `v1,` signature per secret, space-separated.
/// A secret that is not `whsec_` and base64 signs nothing.
pub fn sign(secrets: &[SecretToken], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .filter_map(|secret| {
            let key = STANDARD
                .decode(secret.expose().strip_prefix("whsec_")?)
                .ok()?;
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
            mac.update(format!("{id}.{timestamp}.").as_bytes());
            mac.update(body);
            Some(format!(
                "v1,{}",
                STANDARD.encode(mac.finalize().into_bytes())
            ))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_webhooks_example_signs_as_specified() {
        // The example of the Standard Webhooks specification and its reference libraries.
        let secret = SecretToken::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into());
        let body = br#"{"test": 2432232314}"#;
        let signature = sign(
            &[secret],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            body,
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn each_secret_adds_a_signature_and_a_malformed_one_none() {
        let secrets = [
            SecretToken::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()),
            SecretToken::new("not a secret".into()),
            SecretToken::new("whsec_c2Vjb25k".into()),
        ];
        let signature = sign(&secrets, "id", 1, b"{}");
        assert_eq!(signature.split(' ').count(), 2);
        assert!(signature.split(' ').all(|part| part.starts_with("v1,")));
    }
}
