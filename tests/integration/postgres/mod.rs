//! Postgres-specific checks: the schema as specified, query plans, cleanup at volume, and the
//! set-based cascade from sessions to their tokens and events.

mod cleanup_at_volume;
mod query_plans;
mod schema;
mod session_cascade;
