//! Prints the median time of one argon2id hash at the service's configured (OWASP)
//! parameters, the baseline of the login benchmark, and for context the rate of one hash
//! per core at once (cores share memory bandwidth): `argon2-time [hashes]`.

use std::{
    process::ExitCode,
    time::{Duration, Instant},
};

use sessions_application::ports::{HashPriority, PasswordHasher};
use sessions_domain::Password;
use sessions_infrastructure::{Argon2Cost, Argon2Hasher};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(21);
    let cost = Argon2Cost::default();
    let (Ok(hasher), Ok(password)) = (
        Argon2Hasher::new(cost, 1, Duration::MAX),
        Password::new("benchmark password 123".to_owned()),
    ) else {
        eprintln!("argon2 setup failed");
        return ExitCode::FAILURE;
    };
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        if hasher.hash(&password, HashPriority::Known).await.is_err() {
            eprintln!("hashing failed");
            return ExitCode::FAILURE;
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let Some(parallel_per_s) = parallel_rate(cost, &password, rounds).await else {
        eprintln!("parallel hashing failed");
        return ExitCode::FAILURE;
    };
    println!(
        "{{\"median_ms\": {median:.3}, \"parallel_per_s\": {parallel_per_s:.1}, \"memory_kib\": {}, \"iterations\": {}, \"parallelism\": {}}}",
        cost.memory_kib, cost.iterations, cost.parallelism
    );
    ExitCode::SUCCESS
}

/// Hashes per second with one hash per core running at once, `rounds` per core.
async fn parallel_rate(cost: Argon2Cost, password: &Password, rounds: usize) -> Option<f64> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let hasher = Argon2Hasher::new(cost, cores, Duration::MAX).ok()?;
    let started = Instant::now();
    let running: Vec<_> = (0..cores * rounds)
        .map(|_| {
            let hasher = hasher.clone();
            let password = password.clone();
            tokio::spawn(async move { hasher.hash(&password, HashPriority::Known).await })
        })
        .collect();
    for hash in running {
        hash.await.ok()?.ok()?;
    }
    #[allow(clippy::cast_precision_loss)]
    Some((cores * rounds) as f64 / started.elapsed().as_secs_f64())
}
