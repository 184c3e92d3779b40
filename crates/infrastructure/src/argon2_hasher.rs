//! Adapter: argon2id password hashing at OWASP parameters, off the async executor and with
//! bounded concurrency: hashes queue for N threads of their own (one per core), and a thread
//! takes the next one as soon as it finishes one, without going back through the async side
//! (in a login storm the cores never idle between hashes). Each thread's memory buffer
//! (19 MiB) is allocated on first use and reused for every later hash: memory stays bounded
//! at N buffers however hard logins arrive, and no hash pays for a fresh allocation.
//! Nothing is hashed at startup.

use std::sync::{Arc, Mutex};

use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::{Output, ParamsString, PasswordHash as PhcHash, SaltString, rand_core::OsRng},
};
use async_trait::async_trait;
use rayon::{ThreadPool, ThreadPoolBuilder};
use sessions_application::ports::{HashingError, PasswordHasher};
use sessions_domain::{Password, PasswordHash};
use tokio::sync::oneshot;

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
    /// The hashing threads, taking queued hashes in order.
    threads: Arc<ThreadPool>,
    /// Memory buffers of idle threads (at most one per thread exists).
    buffers: Arc<Mutex<Vec<Vec<Block>>>>,
    dummy_hash: Arc<str>,
}

impl std::fmt::Debug for Argon2Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Argon2Hasher").finish_non_exhaustive()
    }
}

fn failure(error: impl std::fmt::Display) -> HashingError {
    HashingError(error.to_string())
}

/// Output length of new hashes, in bytes.
const OUTPUT_LEN: usize = 32;

/// Computes `password`'s argon2 hash with `params` and `salt` into `out`, in `memory`
/// (grown when the parameters need more).
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    memory: &mut Vec<Block>,
) -> Result<(), HashingError> {
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
        .map_err(failure)
}

/// A PHC string with `params` that no password matches (its output is zeros): verifying
/// against it costs exactly a real verification, without computing anything at startup.
fn dummy_phc(params: &Params) -> Result<String, HashingError> {
    let salt = SaltString::from_b64("c2Vzc2lvbnMtZHVtbXktc2FsdA").map_err(failure)?;
    let phc = PhcHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(failure)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&[0_u8; OUTPUT_LEN]).map_err(failure)?),
    };
    Ok(phc.to_string())
}

/// A new PHC string for `password` with a fresh salt.
fn new_phc(
    params: &Params,
    password: &[u8],
    memory: &mut Vec<Block>,
) -> Result<String, HashingError> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0_u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(failure)?;
    let mut out = [0_u8; OUTPUT_LEN];
    compute(
        Algorithm::Argon2id,
        Version::V0x13,
        params.clone(),
        password,
        salt_bytes,
        &mut out,
        memory,
    )?;
    let phc = PhcHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(failure)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(failure)?),
    };
    Ok(phc.to_string())
}

/// Whether `candidate` matches the PHC string `phc` (whatever parameters it was made with).
fn matches(candidate: &[u8], phc: &str, memory: &mut Vec<Block>) -> Result<bool, HashingError> {
    let parsed = PhcHash::new(phc).map_err(failure)?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(failure)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(failure)?
        .unwrap_or_default();
    let expected = parsed
        .hash
        .ok_or_else(|| failure("stored hash has no output"))?;
    let params = Params::try_from(&parsed).map_err(failure)?;
    let mut salt_bytes = [0_u8; 64];
    let salt = parsed
        .salt
        .ok_or_else(|| failure("stored hash has no salt"))?
        .decode_b64(&mut salt_bytes)
        .map_err(failure)?;
    let mut out = vec![0_u8; expected.len()];
    compute(
        algorithm, version, params, candidate, salt, &mut out, memory,
    )?;
    // Output's equality is constant-time.
    Ok(Output::new(&out).map_err(failure)? == expected)
}

impl Argon2Hasher {
    /// A hasher with `cost`, running at most `threads` hashes at once, each on a thread of
    /// its own.
    ///
    /// # Errors
    /// [`HashingError`] for parameters argon2 rejects, or when the threads cannot start.
    pub fn new(cost: Argon2Cost, threads: usize) -> Result<Self, HashingError> {
        let params = Params::new(
            cost.memory_kib,
            cost.iterations,
            cost.parallelism,
            Some(OUTPUT_LEN),
        )
        .map_err(failure)?;
        let pool = ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(|index| format!("argon2-{index}"))
            // rayon's default aborts the process; the caller gets an error instead.
            .panic_handler(|_| tracing::error!("a password hash panicked"))
            .build()
            .map_err(failure)?;
        Ok(Self {
            dummy_hash: dummy_phc(&params)?.into(),
            params,
            threads: Arc::new(pool),
            buffers: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// Queues `work` for the hashing threads and waits for its result. A thread takes the
    /// next queued hash as soon as it finishes one; a hash whose caller hung up while it
    /// queued is skipped, and one already running finishes with its buffer.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Params, &mut Vec<Block>) -> Result<T, HashingError> + Send + 'static,
    ) -> Result<T, HashingError> {
        let buffers = Arc::clone(&self.buffers);
        let params = self.params.clone();
        let (done, outcome) = oneshot::channel();
        self.threads.spawn_fifo(move || {
            if done.is_closed() {
                return;
            }
            let result = with_buffer(&buffers, |memory| work(&params, memory));
            // A caller that hung up mid-hash no longer waits for the result.
            drop(done.send(result));
        });
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
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashingError> {
        let password = password.expose().to_owned();
        self.run(move |params, memory| {
            new_phc(params, password.as_bytes(), memory).map(PasswordHash::new)
        })
        .await
    }

    async fn verify(&self, candidate: &str, hash: &PasswordHash) -> Result<bool, HashingError> {
        let (candidate, phc) = (candidate.to_owned(), hash.as_str().to_owned());
        self.run(move |_, memory| matches(candidate.as_bytes(), &phc, memory))
            .await
    }

    async fn verify_dummy(&self, candidate: &str) -> Result<(), HashingError> {
        let (candidate, phc) = (candidate.to_owned(), self.dummy_hash.clone());
        self.run(move |_, memory| matches(candidate.as_bytes(), &phc, memory).map(drop))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap_cost() -> Argon2Cost {
        Argon2Cost {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }

    fn cheap() -> Argon2Hasher {
        Argon2Hasher::new(cheap_cost(), 2).unwrap()
    }

    #[tokio::test]
    async fn a_hashed_password_verifies_and_another_does_not() {
        let hasher = cheap();
        let password = Password::new("correct horse battery".into()).unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(hasher.verify("correct horse battery", &hash).await.unwrap());
        assert!(!hasher.verify("wrong horse battery", &hash).await.unwrap());
    }

    #[tokio::test]
    async fn the_default_cost_is_owasps() {
        let cost = Argon2Cost::default();
        assert!(cost.memory_kib >= 19 * 1024 && cost.iterations >= 2);
    }

    #[tokio::test]
    async fn hashes_made_by_the_reference_crate_verify_and_ours_verify_there() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let hasher = cheap();
        let reference = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(64, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let theirs = reference
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(
            hasher
                .verify("correct horse battery", &PasswordHash::new(theirs))
                .await
                .unwrap()
        );
        let ours = hasher
            .hash(&Password::new("correct horse battery".into()).unwrap())
            .await
            .unwrap();
        let parsed = PhcHash::new(ours.as_str()).unwrap();
        assert!(
            reference
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_is_an_error_not_a_match() {
        let hasher = cheap();
        let result = hasher
            .verify("anything", &PasswordHash::new("not a phc string".into()))
            .await;
        assert!(result.is_err());
    }

    #[tokio::test]
    async fn the_dummy_verification_succeeds_without_matching_anything() {
        let hasher = cheap();
        assert!(hasher.verify_dummy("whatever").await.is_ok());
        let dummy = PasswordHash::new(hasher.dummy_hash.to_string());
        assert!(!hasher.verify("whatever", &dummy).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn memory_buffers_are_reused_never_more_than_one_per_thread() {
        let hasher = cheap();
        assert!(
            hasher.buffers.lock().unwrap().is_empty(),
            "nothing allocated up front"
        );
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let hasher = hasher.clone();
                tokio::spawn(async move {
                    let password = Password::new("correct horse battery".into()).unwrap();
                    hasher.hash(&password).await.unwrap();
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let buffers = hasher.buffers.lock().unwrap().len();
        assert!(
            (1..=2).contains(&buffers),
            "{buffers} buffers for 2 threads"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_hanging_up_mid_hash_never_add_buffers() {
        let cost = Argon2Cost {
            memory_kib: 4096,
            iterations: 1,
            parallelism: 1,
        };
        let hasher = Argon2Hasher::new(cost, 2).unwrap();
        let password = Password::new("correct horse battery".into()).unwrap();
        for _ in 0..10 {
            // Two callers give up long before their hashes finish…
            for _ in 0..2 {
                let hash = hasher.hash(&password);
                let gave_up = tokio::time::timeout(std::time::Duration::from_micros(50), hash);
                assert!(gave_up.await.is_err());
            }
            // …and two more wait for theirs.
            let (first, second) = tokio::join!(hasher.hash(&password), hasher.hash(&password));
            first.unwrap();
            second.unwrap();
        }
        // Whatever still runs for the callers that hung up finishes with its buffer.
        let threads = Arc::clone(&hasher.threads);
        tokio::task::spawn_blocking(move || threads.broadcast(|_| ()))
            .await
            .unwrap();
        let buffers = hasher.buffers.lock().unwrap().len();
        assert!(
            (1..=2).contains(&buffers),
            "{buffers} buffers for 2 threads"
        );
    }

    #[tokio::test]
    async fn a_hash_whose_caller_hung_up_while_it_queued_is_skipped() {
        let hasher = Argon2Hasher::new(cheap_cost(), 1).unwrap();
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, running) = oneshot::channel();
        // The one thread waits for `release`: what follows queues behind it.
        let blocker = {
            let hasher = hasher.clone();
            tokio::spawn(async move {
                hasher
                    .run(move |_, _| {
                        started.send(()).unwrap();
                        held.recv().map_err(failure)
                    })
                    .await
            })
        };
        running.await.unwrap();
        let computed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = |computed: &Arc<std::sync::atomic::AtomicUsize>| {
            let computed = Arc::clone(computed);
            move |_: &Params, _: &mut Vec<Block>| {
                computed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(())
            }
        };
        for _ in 0..3 {
            let queued = hasher.run(count(&computed));
            let gave_up = tokio::time::timeout(std::time::Duration::from_millis(1), queued);
            assert!(gave_up.await.is_err());
        }
        release.send(()).unwrap();
        blocker.await.unwrap().unwrap();
        hasher.run(count(&computed)).await.unwrap();
        assert_eq!(computed.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
