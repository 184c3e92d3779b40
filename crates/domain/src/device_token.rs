//! Device tokens (OWASP's "device cookies"): a long-lived credential a client receives on a
//! successful login and presents with its next ones, so that the login throttle can tell the
//! account's own devices from everyone else. Renewed on every successful login.

use chrono::{DateTime, TimeDelta, Utc};

use crate::{DeviceTokenId, TokenHash, UserId, time::add_saturating};

/// A device token as stored: only the SHA-256 of its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceToken {
    /// Identity, kept across renewals.
    pub id: DeviceTokenId,
    /// The account it was issued for; it means nothing for any other.
    pub user_id: UserId,
    /// SHA-256 of the current value.
    pub hash: TokenHash,
    /// First issue.
    pub created_at: DateTime<Utc>,
    /// Last successful login with it (its last renewal).
    pub last_used_at: DateTime<Utc>,
    /// When it stops counting as the account's device.
    pub expires_at: DateTime<Utc>,
}

impl DeviceToken {
    /// A new token for `user_id`, valid for `lifetime`.
    pub fn issue(
        id: DeviceTokenId,
        user_id: UserId,
        hash: TokenHash,
        now: DateTime<Utc>,
        lifetime: TimeDelta,
    ) -> Self {
        Self {
            id,
            user_id,
            hash,
            created_at: now,
            last_used_at: now,
            expires_at: add_saturating(now, lifetime),
        }
    }

    /// Whether this token vouches for a login to `user_id` at `now`.
    pub fn vouches_for(&self, user_id: UserId, now: DateTime<Utc>) -> bool {
        self.user_id == user_id && now < self.expires_at
    }

    /// The same device after another successful login: a new value (`hash`), a new lifetime.
    #[must_use]
    pub fn renewed(self, hash: TokenHash, now: DateTime<Utc>, lifetime: TimeDelta) -> Self {
        Self {
            hash,
            last_used_at: now,
            expires_at: add_saturating(now, lifetime),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn token() -> DeviceToken {
        DeviceToken::issue(
            DeviceTokenId::from_uuid(Uuid::from_u128(1)),
            UserId::from_uuid(Uuid::from_u128(2)),
            TokenHash::from_bytes([1; 32]),
            t0(),
            TimeDelta::days(365),
        )
    }

    #[test]
    fn a_token_vouches_only_for_its_own_account_and_only_until_it_expires() {
        let owner = UserId::from_uuid(Uuid::from_u128(2));
        let stranger = UserId::from_uuid(Uuid::from_u128(3));
        assert!(token().vouches_for(owner, t0() + TimeDelta::days(364)));
        assert!(!token().vouches_for(stranger, t0()));
        assert!(!token().vouches_for(owner, t0() + TimeDelta::days(365)));
    }

    #[test]
    fn a_renewal_keeps_the_identity_and_replaces_value_and_lifetime() {
        let later = t0() + TimeDelta::days(100);
        let renewed = token().renewed(TokenHash::from_bytes([9; 32]), later, TimeDelta::days(365));
        assert_eq!(renewed.id, token().id);
        assert_eq!(renewed.created_at, t0());
        assert_eq!(renewed.last_used_at, later);
        assert_eq!(renewed.hash, TokenHash::from_bytes([9; 32]));
        assert_eq!(renewed.expires_at, later + TimeDelta::days(365));
    }
}
