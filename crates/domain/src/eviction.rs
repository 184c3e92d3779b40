//! The session-limit rule: which sessions make room for a new one.

use chrono::{DateTime, Utc};

use crate::{SessionId, SessionLimit, SessionPolicy};

/// What the limit rule needs to know of each non-revoked session of the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvictionCandidate {
    /// The session.
    pub id: SessionId,
    /// Trusted sessions are evicted only after every untrusted one.
    pub is_trusted: bool,
    /// Least-recently-active sessions go first.
    pub last_activity_at: DateTime<Utc>,
    /// Expired sessions do not count against the limit.
    pub expires_at: DateTime<Utc>,
}

/// Chooses the sessions to revoke so that one new session fits under `limit`: the
/// least-recently-active untrusted sessions first, then trusted ones. Sessions that are no
/// longer active (expired or idle) neither count nor get evicted.
pub fn choose_evictions(
    candidates: &[EvictionCandidate],
    limit: SessionLimit,
    now: DateTime<Utc>,
    policy: &SessionPolicy,
) -> Vec<SessionId> {
    let SessionLimit::AtMost(limit) = limit else {
        return Vec::new();
    };
    let mut active: Vec<&EvictionCandidate> = candidates
        .iter()
        .filter(|c| now < c.expires_at)
        .filter(|c| {
            policy
                .idle_timeout
                .is_none_or(|idle| now - c.last_activity_at < idle)
        })
        .collect();
    let keep = usize::try_from(limit.get() - 1).unwrap_or(usize::MAX);
    let excess = active.len().saturating_sub(keep);
    active.sort_by_key(|c| (c.is_trusted, c.last_activity_at, c.id));
    active.into_iter().take(excess).map(|c| c.id).collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use uuid::Uuid;

    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn candidate(n: u128, trusted: bool, last_activity: i64) -> EvictionCandidate {
        EvictionCandidate {
            id: SessionId::from_uuid(Uuid::from_u128(n)),
            is_trusted: trusted,
            last_activity_at: at(last_activity),
            expires_at: at(10_000),
        }
    }

    fn id(n: u128) -> SessionId {
        SessionId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn nothing_is_evicted_below_the_limit() {
        let sessions = [candidate(1, false, 1), candidate(2, false, 2)];
        let evicted = choose_evictions(
            &sessions,
            SessionLimit::new(3).unwrap(),
            at(100),
            &SessionPolicy::default(),
        );
        assert!(evicted.is_empty());
    }

    #[test]
    fn the_least_recently_active_untrusted_session_is_evicted_first() {
        let sessions = [
            candidate(1, true, 1),
            candidate(2, false, 30),
            candidate(3, false, 20),
        ];
        let evicted = choose_evictions(
            &sessions,
            SessionLimit::new(3).unwrap(),
            at(100),
            &SessionPolicy::default(),
        );
        assert_eq!(evicted, [id(3)]);
    }

    #[test]
    fn trusted_sessions_go_only_after_every_untrusted_one() {
        let sessions = [
            candidate(1, true, 1),
            candidate(2, true, 2),
            candidate(3, false, 50),
        ];
        let evicted = choose_evictions(
            &sessions,
            SessionLimit::new(2).unwrap(),
            at(100),
            &SessionPolicy::default(),
        );
        assert_eq!(evicted, [id(3), id(1)]);
    }

    #[test]
    fn enough_sessions_are_evicted_to_free_one_slot_when_far_over_the_limit() {
        let sessions: Vec<_> = (1..=5_u8)
            .map(|n| candidate(n.into(), false, 10 - i64::from(n)))
            .collect();
        let evicted = choose_evictions(
            &sessions,
            SessionLimit::new(2).unwrap(),
            at(100),
            &SessionPolicy::default(),
        );
        assert_eq!(evicted, [id(5), id(4), id(3), id(2)]);
    }

    #[test]
    fn a_limit_of_one_evicts_every_other_session() {
        let sessions = [candidate(1, true, 1), candidate(2, false, 2)];
        let evicted = choose_evictions(
            &sessions,
            SessionLimit::new(1).unwrap(),
            at(100),
            &SessionPolicy::default(),
        );
        assert_eq!(evicted, [id(2), id(1)]);
    }

    #[test]
    fn unlimited_never_evicts() {
        let sessions: Vec<_> = (1..=50).map(|n| candidate(n, false, 1)).collect();
        let evicted = choose_evictions(
            &sessions,
            SessionLimit::Unlimited,
            at(100),
            &SessionPolicy::default(),
        );
        assert!(evicted.is_empty());
    }

    #[test]
    fn expired_and_idle_sessions_neither_count_nor_get_evicted() {
        let mut expired = candidate(1, false, 1);
        expired.expires_at = at(100);
        let idle = candidate(2, false, 0);
        let live = candidate(3, false, 90);
        let policy = SessionPolicy {
            idle_timeout: Some(TimeDelta::seconds(60)),
            ..SessionPolicy::default()
        };
        let evicted = choose_evictions(
            &[expired, idle, live],
            SessionLimit::new(2).unwrap(),
            at(100),
            &policy,
        );
        assert!(evicted.is_empty());
    }
}
