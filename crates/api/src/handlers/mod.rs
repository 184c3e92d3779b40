//! HTTP handlers, one file per group of routes.

pub mod admin_events;
pub mod admin_incidents;
pub mod admin_sessions;
pub mod admin_users;
pub mod admin_webhooks;
pub mod auth;
pub mod events;
pub mod health;
pub mod introspect;
pub mod keys;
pub mod sessions;
pub mod users;
