//! The HTTP API end to end: the real server on a random port, a real client, Postgres (and
//! SQLite where the store is involved).

mod abuse;
mod admin;
mod auth;
mod enrichment;
mod headers;
mod introspect;
mod malformed;
mod operations;
mod sessions;
