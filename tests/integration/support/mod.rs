//! Shared helpers of the integration suite.

pub mod app;
pub mod binary;
pub mod chrome;
pub mod fixtures;
pub mod form_client;
pub mod postgres;
pub mod race;
pub mod receiver;
pub mod server;
pub mod store;
