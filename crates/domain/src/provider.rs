//! Data providers a session accessed (the financial-data origin of this service).

use std::fmt;

/// A provider slug: `^[a-z0-9][a-z0-9_-]{0,63}$`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProviderSlug(String);

/// Why a string is not a provider slug.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("provider must match ^[a-z0-9][a-z0-9_-]{{0,63}}$")]
pub struct InvalidProviderSlug;

impl ProviderSlug {
    /// Most characters a slug may have.
    pub const MAX_LEN: usize = 64;

    /// Validates a slug.
    ///
    /// # Errors
    /// [`InvalidProviderSlug`] unless it is 1–64 characters of `[a-z0-9_-]` starting with a
    /// letter or digit.
    pub fn parse(raw: &str) -> Result<Self, InvalidProviderSlug> {
        let bytes = raw.as_bytes();
        let starts_well = bytes
            .first()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let rest_ok = bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_' || *b == b'-');
        if starts_well && rest_ok && bytes.len() <= Self::MAX_LEN {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidProviderSlug)
        }
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProviderSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Distinct provider slugs in first-access order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderSet(Vec<ProviderSlug>);

impl ProviderSet {
    /// Builds a set from stored slugs, dropping repeats but keeping first-seen order.
    pub fn from_slugs(slugs: impl IntoIterator<Item = ProviderSlug>) -> Self {
        let mut set = Self::default();
        for slug in slugs {
            set.insert(slug);
        }
        set
    }

    /// Adds a slug unless present; returns whether it was added.
    pub fn insert(&mut self, slug: ProviderSlug) -> bool {
        if self.0.contains(&slug) {
            false
        } else {
            self.0.push(slug);
            true
        }
    }

    /// Whether the set holds the slug.
    pub fn contains(&self, slug: &ProviderSlug) -> bool {
        self.0.contains(slug)
    }

    /// The slugs in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &ProviderSlug> {
        self.0.iter()
    }

    /// Number of distinct slugs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no provider was accessed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_slugs_are_accepted() {
        for raw in ["plaid", "0bank", "my_bank-2", &"a".repeat(64)] {
            assert!(ProviderSlug::parse(raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn invalid_slugs_are_rejected() {
        for raw in [
            "",
            "-bank",
            "_bank",
            "Bank",
            "bank!",
            "bänk",
            "my bank",
            &"a".repeat(65),
        ] {
            assert_eq!(ProviderSlug::parse(raw), Err(InvalidProviderSlug), "{raw}");
        }
    }

    #[test]
    fn a_provider_set_keeps_each_slug_once_in_first_seen_order() {
        let slug = |s| ProviderSlug::parse(s).unwrap();
        let mut set = ProviderSet::from_slugs([slug("b"), slug("a"), slug("b")]);
        assert!(!set.insert(slug("a")));
        assert!(set.insert(slug("c")));
        let order: Vec<_> = set.iter().map(ProviderSlug::as_str).collect();
        assert_eq!(order, ["b", "a", "c"]);
    }
}
