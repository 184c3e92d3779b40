//! How two client addresses relate: same network (IPv4 /24, IPv6 /64) or a new one.

use std::net::IpAddr;

/// Relation between a session's previous client address and a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkRelation {
    /// Same IPv4 /24 or IPv6 /64 (e.g. a DHCP renewal or privacy-address rotation).
    SameNetwork,
    /// Anything else, including a switch between IPv4 and IPv6.
    NewNetwork,
}

/// Classifies `to` relative to `from`. IPv4-mapped IPv6 addresses count as IPv4.
pub fn network_relation(from: IpAddr, to: IpAddr) -> NetworkRelation {
    let same = match (from.to_canonical(), to.to_canonical()) {
        (IpAddr::V4(a), IpAddr::V4(b)) => a.octets()[..3] == b.octets()[..3],
        (IpAddr::V6(a), IpAddr::V6(b)) => a.octets()[..8] == b.octets()[..8],
        _ => false,
    };
    if same {
        NetworkRelation::SameNetwork
    } else {
        NetworkRelation::NewNetwork
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relation(from: &str, to: &str) -> NetworkRelation {
        network_relation(from.parse().unwrap(), to.parse().unwrap())
    }

    #[test]
    fn ipv4_addresses_in_one_slash_24_are_the_same_network() {
        assert_eq!(
            relation("203.0.113.1", "203.0.113.254"),
            NetworkRelation::SameNetwork
        );
    }

    #[test]
    fn ipv4_addresses_across_a_slash_24_boundary_are_a_new_network() {
        assert_eq!(
            relation("203.0.113.255", "203.0.114.0"),
            NetworkRelation::NewNetwork
        );
    }

    #[test]
    fn ipv6_addresses_in_one_slash_64_are_the_same_network() {
        assert_eq!(
            relation("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff"),
            NetworkRelation::SameNetwork
        );
    }

    #[test]
    fn ipv6_addresses_across_a_slash_64_boundary_are_a_new_network() {
        assert_eq!(
            relation("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:3::"),
            NetworkRelation::NewNetwork
        );
    }

    #[test]
    fn an_ipv4_mapped_ipv6_address_is_compared_as_ipv4() {
        assert_eq!(
            relation("::ffff:203.0.113.7", "203.0.113.9"),
            NetworkRelation::SameNetwork
        );
        assert_eq!(
            relation("::ffff:203.0.113.7", "198.51.100.7"),
            NetworkRelation::NewNetwork
        );
    }

    #[test]
    fn switching_between_ipv4_and_ipv6_is_a_new_network() {
        assert_eq!(
            relation("203.0.113.7", "2001:db8::1"),
            NetworkRelation::NewNetwork
        );
    }
}
