//! Response bodies shared by several handlers.

mod session;
mod token_pair;

pub use session::{SessionBody, SessionPageBody};
pub use token_pair::TokenPairBody;
