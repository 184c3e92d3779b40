//! The login rate limit: N attempts per minute per client IP and per account (GCRA: the
//! first N of a minute pass, then one every 60/N seconds).

use std::{
    net::IpAddr,
    num::NonZeroU32,
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

/// Checks between two prunings of idle keys.
const PRUNE_EVERY: u32 = 1024;

/// Per-IP and per-account login limiters.
#[derive(Debug)]
pub struct LoginRateLimiter {
    limiters: Option<(
        DefaultKeyedRateLimiter<IpAddr>,
        DefaultKeyedRateLimiter<String>,
    )>,
    checks: AtomicU32,
}

impl LoginRateLimiter {
    /// `per_minute` attempts per key; `0` disables limiting.
    pub fn new(per_minute: u32) -> Self {
        let limiters = NonZeroU32::new(per_minute).map(|n| {
            let quota = Quota::per_minute(n);
            (RateLimiter::keyed(quota), RateLimiter::keyed(quota))
        });
        Self {
            limiters,
            checks: AtomicU32::new(0),
        }
    }

    /// Records an attempt from `ip` for `account`; `Err(retry_after)` when either is over.
    pub fn check(&self, ip: IpAddr, account: &str) -> Result<(), Duration> {
        let Some((by_ip, by_account)) = &self.limiters else {
            return Ok(());
        };
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(PRUNE_EVERY)
        {
            by_ip.retain_recent();
            by_account.retain_recent();
        }
        let now = DefaultClock::default().now();
        let ip_verdict = by_ip.check_key(&ip);
        let account_verdict = by_account.check_key(&account.trim().to_lowercase());
        match (ip_verdict, account_verdict) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(limited), _) | (_, Err(limited)) => Err(limited.wait_time_from(now)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([203, 0, 113, last])
    }

    #[test]
    fn the_first_n_attempts_of_a_minute_pass_and_the_next_is_limited() {
        let limiter = LoginRateLimiter::new(3);
        for n in 0..3 {
            assert!(limiter.check(ip(n), "alice@example.com").is_ok());
        }
        let retry_after = limiter.check(ip(9), "ALICE@example.com").unwrap_err();
        assert!(retry_after > Duration::ZERO && retry_after <= Duration::from_secs(20));
    }

    #[test]
    fn one_ip_is_limited_across_accounts() {
        let limiter = LoginRateLimiter::new(2);
        assert!(limiter.check(ip(1), "a@example.com").is_ok());
        assert!(limiter.check(ip(1), "b@example.com").is_ok());
        assert!(limiter.check(ip(1), "c@example.com").is_err());
        assert!(limiter.check(ip(2), "c@example.com").is_ok());
    }

    #[test]
    fn zero_disables_the_limit() {
        let limiter = LoginRateLimiter::new(0);
        for _ in 0..100 {
            assert!(limiter.check(ip(1), "a@example.com").is_ok());
        }
    }
}
