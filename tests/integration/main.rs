//! The integration suite: one test binary. Storage adapters run against a real Postgres
//! (one testcontainers container per run, a fresh database per test).

// This whole crate is test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod postgres;
mod storage;
mod support;
