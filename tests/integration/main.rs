//! The integration suite: one test binary. Storage adapters run against a real Postgres
//! (one testcontainers container per run, a fresh database per test); the HTTP API is
//! exercised end to end against the real server on a random port.

// This whole crate is test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod binary;
mod browser;
mod postgres;
mod storage;
mod support;
