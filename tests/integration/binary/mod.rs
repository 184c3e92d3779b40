//! The `sessions` binary as operators run it: persistence across restarts and crashes,
//! graceful shutdown, and the README walkthrough.

mod connection_limits;
mod crash;
mod maximum_settings;
mod metrics;
mod readme_walkthrough;
mod restart;
mod secrets;
mod shutdown;
mod startup_errors;
