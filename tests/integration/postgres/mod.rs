//! Postgres-specific checks: the schema as specified, query plans, and cleanup at volume.

mod cleanup_at_volume;
mod query_plans;
mod schema;
