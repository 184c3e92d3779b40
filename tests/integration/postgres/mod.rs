//! Postgres-specific checks: the schema as specified, query plans, cleanup at volume, the
//! set-based cascade from sessions to their tokens and events, and a long outage.

mod cleanup_at_volume;
mod event_plans;
mod outage;
mod query_plans;
mod schema;
mod session_cascade;
