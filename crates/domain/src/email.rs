//! A syntactically valid, normalised e-mail address.

use std::fmt;

/// An e-mail address: trimmed, lower-cased (addresses are unique case-insensitively) and
/// checked for a plausible `local@domain.tld` shape.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Why a string is not an acceptable e-mail address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a valid e-mail address")]
pub struct InvalidEmail;

impl Email {
    /// Longest address accepted (RFC 5321 path limit).
    pub const MAX_LEN: usize = 254;

    /// Parses and normalises an address.
    ///
    /// # Errors
    /// [`InvalidEmail`] when the text is not `local@domain` with a dotted domain, contains
    /// whitespace or control characters, or is longer than [`Email::MAX_LEN`].
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let normalised = raw.trim().to_lowercase();
        let (local, domain) = normalised.split_once('@').ok_or(InvalidEmail)?;
        let well_formed = normalised.len() <= Self::MAX_LEN
            && !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !normalised
                .chars()
                .any(|c| c.is_whitespace() || c.is_control());
        if well_formed {
            Ok(Self(normalised))
        } else {
            Err(InvalidEmail)
        }
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_trimmed_and_lower_cased() {
        let email = Email::parse("  Alice@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "alice@example.com");
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for raw in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "alice@localhost",
            "a b@example.com",
            "alice@@example.com",
            "alice@example..com",
            "alice@.example.com",
        ] {
            assert_eq!(Email::parse(raw), Err(InvalidEmail), "{raw:?}");
        }
    }

    #[test]
    fn an_address_longer_than_254_characters_is_rejected() {
        let raw = format!("a@{}.com", "b".repeat(260));
        assert_eq!(Email::parse(&raw), Err(InvalidEmail));
    }
}
