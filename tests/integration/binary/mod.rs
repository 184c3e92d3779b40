//! The `sessions` binary as operators run it: persistence across restarts, graceful
//! shutdown, and the README walkthrough.

mod connection_limits;
mod maximum_settings;
mod metrics;
mod readme_walkthrough;
mod restart;
mod secrets;
mod shutdown;
mod startup_errors;
