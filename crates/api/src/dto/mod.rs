//! Response bodies shared by several handlers, and request-field schemas.

mod event;
pub mod schemas;
mod session;
mod timestamp;
mod token_pair;

pub use event::{EventBody, EventPageBody};
pub use session::{SessionBody, SessionPageBody};
pub use timestamp::{optional_rfc3339, rfc3339};
pub use token_pair::{LoginBody, TokenPairBody};
