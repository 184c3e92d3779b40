//! Passwords as typed by users, and their stored hashes. Neither ever prints its content.

use std::fmt;

/// A new password that satisfies the password policy: 12 to 128 characters (characters,
/// not bytes). `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

/// Why a password is not acceptable as a new password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPassword {
    /// Fewer than [`Password::MIN_CHARS`] characters.
    #[error("password must have at least {} characters", Password::MIN_CHARS)]
    TooShort,
    /// More than [`Password::MAX_CHARS`] characters.
    #[error("password must have at most {} characters", Password::MAX_CHARS)]
    TooLong,
}

impl Password {
    /// Fewest characters a password may have.
    pub const MIN_CHARS: usize = 12;
    /// Most characters a password may have.
    pub const MAX_CHARS: usize = 128;

    /// Checks a new password against the policy.
    ///
    /// # Errors
    /// [`InvalidPassword::TooShort`] or [`InvalidPassword::TooLong`] by character count.
    pub fn new(raw: String) -> Result<Self, InvalidPassword> {
        match raw.chars().count() {
            n if n < Self::MIN_CHARS => Err(InvalidPassword::TooShort),
            n if n > Self::MAX_CHARS => Err(InvalidPassword::TooLong),
            _ => Ok(Self(raw)),
        }
    }

    /// The password text, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A password hash in PHC string format, as produced by the password hasher.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string produced by the hasher or read from storage.
    pub fn new(phc: String) -> Self {
        Self(phc)
    }

    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_of_twelve_characters_is_accepted() {
        assert!(Password::new("abcdefghijkl".into()).is_ok());
    }

    #[test]
    fn a_password_of_eleven_characters_is_too_short() {
        assert_eq!(
            Password::new("abcdefghijk".into()),
            Err(InvalidPassword::TooShort)
        );
    }

    #[test]
    fn password_length_counts_characters_not_bytes() {
        // 12 characters, 36 bytes.
        assert!(Password::new("€€€€€€€€€€€€".into()).is_ok());
        // 128 multi-byte characters are fine, 129 are not.
        assert!(Password::new("é".repeat(128)).is_ok());
        assert_eq!(
            Password::new("é".repeat(129)),
            Err(InvalidPassword::TooLong)
        );
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let password = Password::new("correct horse battery".into()).unwrap();
        let hash = PasswordHash::new("$argon2id$v=19$secret".into());
        assert!(!format!("{password:?}{hash:?}").contains("horse"));
        assert!(!format!("{hash:?}").contains("secret"));
    }
}
