//! The `sessions` binary as operators run it: persistence across restarts and crashes,
//! several instances on one database, the upgrade from the former signing secret,
//! graceful shutdown, and the README walkthrough.

mod connection_limits;
mod crash;
mod instances;
mod key_upgrade;
mod maximum_settings;
mod metrics;
mod readme_walkthrough;
mod resource_server_example;
mod restart;
mod secrets;
mod shutdown;
mod startup_errors;
mod webhooks;
