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

/// An address as a 16-byte key that sorts as addresses do, IPv4 mapped into IPv6
/// (`::ffff:a.b.c.d`), so that every network is one range of keys.
pub(super) fn ip_key(ip: IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// The first and last keys of `network`'s addresses.
pub(super) fn ip_key_range(network: ipnetwork::IpNetwork) -> ([u8; 16], [u8; 16]) {
    let (first, prefix) = match network {
        ipnetwork::IpNetwork::V4(v4) => (ip_key(IpAddr::V4(v4.network())), v4.prefix() + 96),
        ipnetwork::IpNetwork::V6(v6) => (ip_key(IpAddr::V6(v6.network())), v6.prefix()),
    };
    let host_bits = u128::MAX.checked_shr(u32::from(prefix)).unwrap_or(0);
    let first = u128::from_be_bytes(first) & !host_bits;
    ((first).to_be_bytes(), (first | host_bits).to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_is_the_range_of_its_addresses_keys() {
        let (first, last) = ip_key_range("198.51.100.0/24".parse().unwrap());
        for inside in ["198.51.100.0", "198.51.100.7", "198.51.100.255"] {
            let key = ip_key(inside.parse().unwrap());
            assert!(first <= key && key <= last, "{inside}");
        }
        for outside in ["198.51.99.255", "198.51.101.0", "::1", "2001:db8::1"] {
            let key = ip_key(outside.parse().unwrap());
            assert!(key < first || last < key, "{outside}");
        }
        let (first, last) = ip_key_range("2001:db8::/32".parse().unwrap());
        assert!(first <= ip_key("2001:db8:ffff::1".parse().unwrap()));
        assert!(ip_key("2001:db8:ffff::1".parse().unwrap()) <= last);
        assert!(ip_key("2001:db9::".parse().unwrap()) > last);
        let (first, last) = ip_key_range("0.0.0.0/0".parse().unwrap());
        assert!(first <= ip_key("8.8.8.8".parse().unwrap()));
        assert!(ip_key("8.8.8.8".parse().unwrap()) <= last);
        let (first, last) = ip_key_range("203.0.113.9/32".parse().unwrap());
        assert_eq!(first, last);
    }
}
