//! The raw `User-Agent` header as stored on a session.

/// A user-agent header, truncated to its first [`UserAgent::MAX_CHARS`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UserAgent(String);

impl UserAgent {
    /// Most characters kept from the header.
    pub const MAX_CHARS: usize = 512;

    /// Keeps the first 512 characters of a header; `None` for an absent or blank header.
    pub fn from_header(raw: &str) -> Option<Self> {
        if raw.trim().is_empty() {
            return None;
        }
        let end = raw
            .char_indices()
            .nth(Self::MAX_CHARS)
            .map_or(raw.len(), |(index, _)| index);
        Some(Self(raw[..end].to_owned()))
    }

    /// The (possibly truncated) header text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_header_keeps_its_first_512_characters() {
        let raw = "ü".repeat(10_000);
        let agent = UserAgent::from_header(&raw).unwrap();
        assert_eq!(agent.as_str().chars().count(), 512);
    }

    #[test]
    fn a_short_header_is_kept_whole() {
        assert_eq!(
            UserAgent::from_header("curl/8.5.0").unwrap().as_str(),
            "curl/8.5.0"
        );
    }

    #[test]
    fn a_blank_header_is_no_user_agent() {
        assert_eq!(UserAgent::from_header("   "), None);
        assert_eq!(UserAgent::from_header(""), None);
    }
}
