//! The hashing queue: jobs wait in two lines for a fixed set of threads, the known clients'
//! line served first; one more thread serves the known clients' line alone, so that a known
//! client never waits behind unknown clients' hashes in progress (which run at the lowest
//! scheduling priority and may be slow to finish when the cores are busy). A job that would
//! wait longer than the budget is refused at once instead of joining the queue. The wait is
//! estimated from the jobs ahead and the recent hashing time of their kind, so it follows
//! the machine's speed.

use std::{
    collections::VecDeque,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use rayon::ThreadPool;
use sessions_application::ports::{HashPriority, HashingError};

use super::niceness;

/// A queued job.
type Job = Box<dyn FnOnce() + Send>;

/// The two lines of waiting jobs.
#[derive(Default)]
struct Lines {
    known: VecDeque<Job>,
    unknown: VecDeque<Job>,
}

/// Per priority: jobs waiting (not yet taken by a thread), and the moving average of one
/// job's running time in microseconds (0 until the first job).
#[derive(Default)]
struct LineStats {
    waiting: AtomicUsize,
    average_micros: AtomicU64,
}

/// What the queue shares with its threads.
struct Shared {
    lines: Mutex<Lines>,
    known: LineStats,
    unknown: LineStats,
}

/// Jobs in two priorities for a pool of threads, plus one thread for the known ones, with a
/// bound on the wait.
pub(super) struct HashQueue {
    threads: Arc<ThreadPool>,
    reserved: ThreadPool,
    shared: Arc<Shared>,
    max_wait: Duration,
}

impl HashQueue {
    /// A queue in front of `threads`, with `reserved` (one thread) for known clients alone,
    /// refusing jobs that would wait longer than `max_wait`.
    pub fn new(threads: ThreadPool, reserved: ThreadPool, max_wait: Duration) -> Self {
        Self {
            threads: Arc::new(threads),
            reserved,
            shared: Arc::new(Shared {
                lines: Mutex::new(Lines::default()),
                known: LineStats::default(),
                unknown: LineStats::default(),
            }),
            max_wait,
        }
    }

    /// The shared thread pool, for tests that wait for whatever runs.
    #[cfg(test)]
    pub fn threads(&self) -> &ThreadPool {
        &self.threads
    }

    /// About how long a job of `priority` queued now would wait before a thread takes it:
    /// the jobs ahead of it, shared among the threads that serve it. (Its own running time
    /// does not count: on a machine where one hash takes longer than the budget, a job
    /// alone must still run.)
    fn expected_wait(&self, priority: HashPriority) -> Duration {
        let shared_threads = self.threads.current_num_threads().max(1);
        let known = self.shared.known.waiting.load(Ordering::Relaxed);
        let (ahead, threads, stats) = match priority {
            HashPriority::Known => (known, shared_threads + 1, &self.shared.known),
            HashPriority::Unknown => (
                known + self.shared.unknown.waiting.load(Ordering::Relaxed),
                shared_threads,
                &self.shared.unknown,
            ),
        };
        let ahead = u64::try_from(ahead).unwrap_or(u64::MAX);
        let threads = u64::try_from(threads).unwrap_or(u64::MAX);
        let average = stats.average_micros.load(Ordering::Relaxed);
        Duration::from_micros(average.saturating_mul(ahead) / threads)
    }

    /// Whether a job of `priority` would be queued now.
    pub fn admits(&self, priority: HashPriority) -> Result<(), HashingError> {
        let wait = self.expected_wait(priority);
        if wait > self.max_wait {
            Err(HashingError::Overloaded { retry_after: wait })
        } else {
            Ok(())
        }
    }

    /// Queues `job` with `priority`, unless the wait would be too long. A shared thread
    /// takes the first known job waiting, else the first unknown one, as soon as it is free;
    /// the reserved thread takes known jobs only. The job answers whether it hashed (a job
    /// whose caller has gone skips its work, and its time says nothing of a hash's).
    pub fn submit(
        &self,
        priority: HashPriority,
        job: impl FnOnce() -> bool + Send + 'static,
    ) -> Result<(), HashingError> {
        self.admits(priority)?;
        let timed = {
            let shared = Arc::clone(&self.shared);
            move || {
                niceness::adopt(priority);
                let started = Instant::now();
                if job() {
                    shared.stats(priority).record(started.elapsed());
                }
            }
        };
        {
            let mut lines = self.shared.lock();
            match priority {
                HashPriority::Known => lines.known.push_back(Box::new(timed)),
                HashPriority::Unknown => lines.unknown.push_back(Box::new(timed)),
            }
            self.shared
                .stats(priority)
                .waiting
                .fetch_add(1, Ordering::Relaxed);
        }
        // One pass of a thread per job: each takes whichever job is first in line then. A
        // known job gets a pass of the reserved thread too; the pass that comes second
        // finds its job taken and takes the next one, or none.
        let shared = Arc::clone(&self.shared);
        self.threads.spawn_fifo(move || {
            if let Some(job) = shared.next(true) {
                job();
            }
        });
        if priority == HashPriority::Known {
            let shared = Arc::clone(&self.shared);
            self.reserved.spawn_fifo(move || {
                if let Some(job) = shared.next(false) {
                    job();
                }
            });
        }
        Ok(())
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Lines> {
        // A job panicking never holds this lock: the lines stay consistent.
        self.lines.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stats(&self, priority: HashPriority) -> &LineStats {
        match priority {
            HashPriority::Known => &self.known,
            HashPriority::Unknown => &self.unknown,
        }
    }

    /// The first known job waiting, else (if `or_unknown`) the first unknown one.
    fn next(&self, or_unknown: bool) -> Option<Job> {
        let mut lines = self.lock();
        if let Some(job) = lines.known.pop_front() {
            self.known.waiting.fetch_sub(1, Ordering::Relaxed);
            return Some(job);
        }
        if !or_unknown {
            return None;
        }
        let job = lines.unknown.pop_front()?;
        self.unknown.waiting.fetch_sub(1, Ordering::Relaxed);
        Some(job)
    }
}

impl LineStats {
    /// Folds one job's running time into the average (each new one weighs an eighth).
    fn record(&self, took: Duration) {
        let sample = u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1);
        let _ = self
            .average_micros
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |average| {
                Some(if average == 0 {
                    sample
                } else {
                    average - average / 8 + sample / 8
                })
            });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use rayon::ThreadPoolBuilder;

    use super::*;

    fn pool(threads: usize) -> ThreadPool {
        ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    fn queue(max_wait: Duration) -> HashQueue {
        HashQueue::new(pool(1), pool(1), max_wait)
    }

    /// Occupies a thread with a job of `priority` until the returned sender is dropped or
    /// sent to.
    fn block(queue: &HashQueue, priority: HashPriority) -> mpsc::Sender<()> {
        let (release, held) = mpsc::channel::<()>();
        let (started, running) = mpsc::channel();
        queue
            .submit(priority, move || {
                started.send(()).unwrap();
                held.recv().is_ok()
            })
            .unwrap();
        running.recv().unwrap();
        release
    }

    #[test]
    fn a_known_job_runs_while_unknown_ones_hold_every_shared_thread() {
        let queue = queue(Duration::from_secs(60));
        let _release = block(&queue, HashPriority::Unknown);
        let (ran, known) = mpsc::channel();
        queue
            .submit(HashPriority::Known, move || ran.send(()).is_ok())
            .unwrap();
        known
            .recv_timeout(Duration::from_secs(5))
            .expect("the known job ran on the reserved thread");
    }

    /// Occupies the reserved thread until the returned sender is dropped or sent to.
    fn block_reserved(queue: &HashQueue) -> mpsc::Sender<()> {
        let (release, held) = mpsc::channel::<()>();
        let (started, running) = mpsc::channel();
        queue.reserved.spawn_fifo(move || {
            started.send(()).unwrap();
            let _ = held.recv();
        });
        running.recv().unwrap();
        release
    }

    #[test]
    fn known_jobs_run_before_unknown_ones_that_queued_earlier() {
        let queue = queue(Duration::from_secs(60));
        let release_reserved = block_reserved(&queue);
        let release_shared = block(&queue, HashPriority::Unknown);
        let (ran, order) = mpsc::channel();
        for (name, priority) in [
            ("unknown 1", HashPriority::Unknown),
            ("unknown 2", HashPriority::Unknown),
            ("known", HashPriority::Known),
        ] {
            let ran = ran.clone();
            queue
                .submit(priority, move || ran.send(name).is_ok())
                .unwrap();
        }
        release_shared.send(()).unwrap();
        let order: Vec<_> = (0..3).map(|_| order.recv().unwrap()).collect();
        assert_eq!(order, ["known", "unknown 1", "unknown 2"]);
        drop(release_reserved);
    }

    #[test]
    fn a_job_alone_is_admitted_even_when_one_job_takes_longer_than_the_budget() {
        let queue = queue(Duration::from_millis(20));
        queue
            .submit(HashPriority::Unknown, || {
                std::thread::sleep(Duration::from_millis(60));
                true
            })
            .unwrap();
        queue.threads().broadcast(|_| ());
        assert!(queue.admits(HashPriority::Unknown).is_ok());
        assert!(queue.submit(HashPriority::Unknown, || true).is_ok());
    }

    #[test]
    fn past_the_wait_budget_unknown_jobs_are_refused_and_known_ones_still_queue() {
        let queue = queue(Duration::from_millis(100));
        // The first unknown job sets its average: about 40 ms; one thread serves unknown jobs,
        // so the third waiting job would wait about 120 ms.
        queue
            .submit(HashPriority::Unknown, || {
                std::thread::sleep(Duration::from_millis(40));
                true
            })
            .unwrap();
        queue.threads().broadcast(|_| ());
        let release = block(&queue, HashPriority::Unknown);
        let mut refused = None;
        for _ in 0..10 {
            match queue.submit(HashPriority::Unknown, || true) {
                Ok(()) => {}
                Err(error) => {
                    refused = Some(error);
                    break;
                }
            }
        }
        let Some(HashingError::Overloaded { retry_after }) = refused else {
            panic!("an unknown job was never refused: {refused:?}");
        };
        assert!(retry_after > Duration::from_millis(100));
        assert!(queue.admits(HashPriority::Known).is_ok());
        assert!(queue.submit(HashPriority::Known, || true).is_ok());
        drop(release);
    }
}
