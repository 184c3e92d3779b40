//! Extractors whose rejections are problem+json responses.

mod auth;
mod client;
mod json;
mod path;
mod query;

pub use auth::{AdminCaller, CurrentSession, IntrospectionCaller, MetricsCaller};
pub use client::ClientInfo;
pub use json::{ApiJson, OptionalJson};
pub use path::ApiPath;
pub use query::ApiQuery;
