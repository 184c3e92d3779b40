//! How both stores key the throttle's attempt counts: the SHA-256 of a budget's scope and
//! subject, so that no e-mail address or client address is kept in the counts table.

use sessions_domain::BudgetKey;
use sha2::{Digest, Sha256};

/// The stored key of `key`'s budget.
pub(crate) fn stored_key(key: &BudgetKey) -> [u8; 32] {
    let mut digest = Sha256::new();
    digest.update(key.scope().as_bytes());
    // The scope is a fixed name without NUL: scope and subject cannot run into each other.
    digest.update([0]);
    digest.update(key.subject().as_bytes());
    digest.finalize().into()
}

/// The keys of `attempts` in a fixed order (by stored key), so that concurrent statements
/// over the same budgets lock their rows in one order and never deadlock; each with its
/// position in `attempts`.
pub(crate) fn in_lock_order<T>(
    attempts: &[(BudgetKey, T)],
) -> Vec<(usize, [u8; 32], &'static str, &T)> {
    let mut keyed: Vec<_> = attempts
        .iter()
        .enumerate()
        .map(|(position, (key, value))| (position, stored_key(key), key.scope(), value))
        .collect();
    keyed.sort_by_key(|(_, stored, _, _)| *stored);
    keyed
}

#[cfg(test)]
mod tests {
    use sessions_domain::{Email, ThrottledNetwork};

    use super::*;

    #[test]
    fn budgets_of_different_scopes_with_the_same_subject_have_different_keys() {
        let network = ThrottledNetwork::of([203, 0, 113, 7].into());
        assert_ne!(
            stored_key(&BudgetKey::NetworkFailures(network.clone())),
            stored_key(&BudgetKey::Registrations(network))
        );
        let account = BudgetKey::Account(Email::parse("a@example.com").unwrap());
        assert_eq!(stored_key(&account), stored_key(&account.clone()));
    }
}
