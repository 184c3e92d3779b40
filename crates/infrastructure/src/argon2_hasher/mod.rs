//! Adapter: argon2id password hashing at OWASP parameters, off the async executor and with
//! bounded concurrency: hashes queue for N threads of their own (one per core), known
//! clients' hashes ahead of everyone else's, and a hash that would wait longer than a budget
//! is refused at once (see `queue`); unknown clients' hashes run at a lowered scheduling
//! priority (see `niceness`). A thread takes the next hash as soon as it finishes one,
//! without going back through the async side (in a login storm the cores never idle between
//! hashes). Each thread's memory buffer (19 MiB) is allocated on first use and reused for
//! every later hash: memory stays bounded at N buffers however hard logins arrive, and no
//! hash pays for a fresh allocation. Nothing is hashed at startup.

mod niceness;
mod phc;
mod queue;
#[cfg(test)]
mod tests;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use argon2::{Block, Params};
use async_trait::async_trait;
use rayon::ThreadPoolBuilder;
use sessions_application::ports::{HashPriority, HashingError, PasswordHasher};
use sessions_domain::{Password, PasswordHash};
use tokio::sync::oneshot;

use phc::{OUTPUT_LEN, dummy_phc, failure, matches, new_phc};
use queue::HashQueue;

/// Argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Argon2Cost {
    /// Memory in KiB (OWASP: 19 MiB).
    pub memory_kib: u32,
    /// Iterations (OWASP: 2).
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for Argon2Cost {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Hashes with argon2id on threads of its own; at most one hash per thread runs at once.
#[derive(Clone)]
pub struct Argon2Hasher {
    params: Params,
    /// The hashing threads and the lines of hashes waiting for them.
    queue: Arc<HashQueue>,
    /// Memory buffers of idle threads (at most one per thread exists).
    buffers: Arc<Mutex<Vec<Vec<Block>>>>,
    dummy_hash: Arc<str>,
}

impl std::fmt::Debug for Argon2Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Argon2Hasher").finish_non_exhaustive()
    }
}

impl Argon2Hasher {
    /// A hasher with `cost`, running at most `threads` hashes at once for any client, each
    /// on a thread of its own, plus one for known clients only, and refusing a hash that
    /// would wait (and run) longer than `max_wait`.
    ///
    /// # Errors
    /// [`HashingError`] for parameters argon2 rejects, or when the threads cannot start.
    pub fn new(cost: Argon2Cost, threads: usize, max_wait: Duration) -> Result<Self, HashingError> {
        let params = Params::new(
            cost.memory_kib,
            cost.iterations,
            cost.parallelism,
            Some(OUTPUT_LEN),
        )
        .map_err(failure)?;
        let pool = |count: usize, name: &'static str| {
            ThreadPoolBuilder::new()
                .num_threads(count)
                .thread_name(move |index| format!("{name}-{index}"))
                // rayon's default aborts the process; the caller gets an error instead.
                .panic_handler(|_| tracing::error!("a password hash panicked"))
                .build()
                .map_err(failure)
        };
        let shared = pool(threads.max(1), "argon2")?;
        let reserved = pool(1, "argon2-known")?;
        Ok(Self {
            dummy_hash: dummy_phc(&params)?.into(),
            params,
            queue: Arc::new(HashQueue::new(shared, reserved, max_wait)),
            buffers: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// Queues `work` with `priority` and waits for its result. A hash whose caller hung up
    /// while it queued is skipped, and one already running finishes with its buffer.
    async fn run<T: Send + 'static>(
        &self,
        priority: HashPriority,
        work: impl FnOnce(&Params, &mut Vec<Block>) -> Result<T, HashingError> + Send + 'static,
    ) -> Result<T, HashingError> {
        let buffers = Arc::clone(&self.buffers);
        let params = self.params.clone();
        let (done, outcome) = oneshot::channel();
        self.queue.submit(priority, move || {
            if done.is_closed() {
                return false;
            }
            let result = with_buffer(&buffers, |memory| work(&params, memory));
            // A caller that hung up mid-hash no longer waits for the result.
            drop(done.send(result));
            true
        })?;
        outcome.await.map_err(failure)?
    }
}

/// Runs `work` with a buffer from `buffers` (a new one when none is free), then gives it back.
fn with_buffer<T>(
    buffers: &Mutex<Vec<Vec<Block>>>,
    work: impl FnOnce(&mut Vec<Block>) -> Result<T, HashingError>,
) -> Result<T, HashingError> {
    let mut memory = buffers.lock().map_err(failure)?.pop().unwrap_or_default();
    let result = work(&mut memory);
    buffers.lock().map_err(failure)?.push(memory);
    result
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    fn admits(&self, priority: HashPriority) -> Result<(), HashingError> {
        self.queue.admits(priority)
    }

    async fn hash(
        &self,
        password: &Password,
        priority: HashPriority,
    ) -> Result<PasswordHash, HashingError> {
        let password = password.expose().to_owned();
        self.run(priority, move |params, memory| {
            new_phc(params, password.as_bytes(), memory).map(PasswordHash::new)
        })
        .await
    }

    async fn verify(
        &self,
        candidate: &str,
        hash: &PasswordHash,
        priority: HashPriority,
    ) -> Result<bool, HashingError> {
        let (candidate, phc) = (candidate.to_owned(), hash.as_str().to_owned());
        self.run(priority, move |_, memory| {
            matches(candidate.as_bytes(), &phc, memory)
        })
        .await
    }

    async fn verify_dummy(
        &self,
        candidate: &str,
        priority: HashPriority,
    ) -> Result<(), HashingError> {
        let (candidate, phc) = (candidate.to_owned(), self.dummy_hash.clone());
        self.run(priority, move |_, memory| {
            matches(candidate.as_bytes(), &phc, memory).map(drop)
        })
        .await
    }
}
