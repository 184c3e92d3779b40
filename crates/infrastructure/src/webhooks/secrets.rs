//! Endpoints' signing secrets: 256 random bits, shown once as `whsec_<base64>`, stored only
//! sealed with the master key (AES-256-GCM, as the signing keys).

use std::sync::Arc;

use base64::{Engine, engine::general_purpose::STANDARD};
use rand::RngCore;
use sessions_application::{
    SecretToken,
    ports::{SealedSecret, WebhookSecrets},
};

use crate::MasterKey;

/// What a sealed secret is bound to: a sealed signing key cannot pass for one.
const CONTEXT: &str = "webhook signing secret";

/// Secrets sealed with the master key.
pub struct SealedWebhookSecrets(Arc<MasterKey>);

impl SealedWebhookSecrets {
    /// Secrets sealed with `master`.
    pub fn new(master: Arc<MasterKey>) -> Self {
        Self(master)
    }
}

impl WebhookSecrets for SealedWebhookSecrets {
    fn generate(&self) -> (SecretToken, SealedSecret) {
        let mut bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = format!("whsec_{}", STANDARD.encode(bytes));
        // Sealing fails only when the system's random source does, as generating would.
        let sealed = self.0.seal(secret.as_bytes(), CONTEXT).unwrap_or_default();
        (SecretToken::new(secret), SealedSecret(sealed))
    }

    fn open(&self, sealed: &SealedSecret) -> Option<SecretToken> {
        let plain = self.0.open(&sealed.0, CONTEXT).ok()?;
        String::from_utf8(plain).ok().map(SecretToken::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_opens_with_its_master_key_only() {
        let (master, _) = MasterKey::generate().unwrap();
        let (other, _) = MasterKey::generate().unwrap();
        let secrets = SealedWebhookSecrets::new(Arc::new(master));
        let (secret, sealed) = secrets.generate();
        assert!(secret.expose().starts_with("whsec_"));
        assert_eq!(secret.expose().len(), "whsec_".len() + 44);
        assert!(
            !sealed.0.windows(10).any(|part| secret
                .expose()
                .as_bytes()
                .windows(10)
                .any(|s| s == part))
        );
        assert_eq!(
            secrets.open(&sealed).map(|s| s.expose().to_owned()),
            Some(secret.expose().to_owned())
        );
        assert_eq!(
            SealedWebhookSecrets::new(Arc::new(other)).open(&sealed),
            None
        );
    }
}
