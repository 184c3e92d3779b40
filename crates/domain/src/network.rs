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

/// Whether `ip` is an address of the public internet: not loopback, private, shared
/// (carrier-grade NAT), link-local (cloud metadata services among them), unique-local,
/// documentation, multicast, broadcast or unspecified. An IPv4-mapped IPv6 address is judged
/// as its IPv4 address.
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8
                || first == 0x0064 && v6.segments()[1] == 0xff9b)
        }
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

    #[test]
    fn only_addresses_of_the_public_internet_are_public() {
        for public in ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public_address(public.parse().unwrap()), "{public}");
        }
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.7",
            "192.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "fc00::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public_address(internal.parse().unwrap()), "{internal}");
        }
    }
}
