//! Webhook adapters: the HTTP sender (Standard Webhooks signatures, the target guard) and
//! the sealing of endpoints' signing secrets with the master key.

mod guard;
mod secrets;
mod sender;
mod signature;

pub use guard::{HostLookup, SystemLookup, TargetGuard};
pub use secrets::SealedWebhookSecrets;
pub use sender::HttpWebhookSender;
pub use signature::sign;
