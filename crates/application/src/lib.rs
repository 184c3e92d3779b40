//! `sessions-application`: the use cases of the session service and the ports they drive.
//!
//! Inbound adapters (HTTP, CLI) call [`Application`]'s use-case methods; outbound adapters
//! (storage, crypto, clock, parsers) implement the traits in [`ports`]. With the `mock`
//! feature every port has a mockall mock (`ports::MockUserRepository`, …).

mod application;
mod client;
pub mod event_data;
mod mutation;
mod pagination;
pub mod ports;
mod service;
mod telemetry;
mod throttle;
mod tokens;
pub mod use_cases;
mod view;

pub use application::{Application, Ports};
pub use client::{Caller, ClientContext};
pub use pagination::{InvalidCursor, InvalidPageSize, PageSize, SessionCursor, SessionPage};
#[cfg(feature = "mock")]
pub use service::MockSessionService;
pub use service::SessionService;
pub use tokens::{AccessClaims, SecretToken, TokenPair};
pub use view::SessionView;
