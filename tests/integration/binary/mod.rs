//! The `sessions` binary as operators run it: persistence across restarts, graceful
//! shutdown, and the README walkthrough.

mod connection_limits;
mod readme_walkthrough;
mod restart;
mod shutdown;
mod startup_errors;
