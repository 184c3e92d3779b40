//! Prints the median time of one argon2id hash at the service's configured (OWASP)
//! parameters, the baseline of the login benchmark: `argon2-time [hashes]`.

use std::{process::ExitCode, time::Instant};

use sessions_application::ports::PasswordHasher;
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
        Argon2Hasher::new(cost, 1),
        Password::new("benchmark password 123".to_owned()),
    ) else {
        eprintln!("argon2 setup failed");
        return ExitCode::FAILURE;
    };
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        if hasher.hash(&password).await.is_err() {
            eprintln!("hashing failed");
            return ExitCode::FAILURE;
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{{\"median_ms\": {median:.3}, \"memory_kib\": {}, \"iterations\": {}, \"parallelism\": {}}}",
        cost.memory_kib, cost.iterations, cost.parallelism
    );
    ExitCode::SUCCESS
}
