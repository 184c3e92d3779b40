//! SQLite's column encodings: UUIDs and addresses as text, timestamps as microseconds,
//! provider sets as JSON arrays.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::CorruptRow;

pub(super) fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

pub(super) fn corrupt(table: &'static str, detail: impl Into<String>) -> CorruptRow {
    CorruptRow {
        table,
        detail: detail.into(),
    }
}

pub(super) fn time(table: &'static str, micros: i64) -> Result<DateTime<Utc>, CorruptRow> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| corrupt(table, "timestamp out of range"))
}

pub(super) fn uuid(table: &'static str, text: &str) -> Result<Uuid, CorruptRow> {
    Uuid::parse_str(text).map_err(|_| corrupt(table, format!("uuid {text:?}")))
}

pub(super) fn ip(text: &str) -> Result<IpAddr, CorruptRow> {
    text.parse()
        .map_err(|_| corrupt("sessions", format!("ip {text:?}")))
}

/// The JSON text stored for a provider set.
pub(super) fn providers_json(providers: &[String]) -> String {
    serde_json::Value::from(providers.to_vec()).to_string()
}
