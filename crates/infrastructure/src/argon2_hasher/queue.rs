//! The hashing queue: jobs wait in two lines, the known clients' line served first, for a
//! fixed set of threads; a job that would wait longer than the budget is refused at once
//! instead of joining the queue. The wait is estimated from the jobs ahead and the recent
//! hashing time, so it follows the machine's speed.

use std::{
    collections::VecDeque,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use rayon::ThreadPool;

use super::niceness;
use sessions_application::ports::{HashPriority, HashingError};

/// A queued job.
type Job = Box<dyn FnOnce() + Send>;

/// The two lines of waiting jobs.
#[derive(Default)]
struct Lines {
    known: VecDeque<Job>,
    unknown: VecDeque<Job>,
}

/// What the queue shares with its threads.
struct Shared {
    lines: Mutex<Lines>,
    /// Jobs waiting in each line (not yet taken by a thread).
    waiting_known: AtomicUsize,
    waiting_unknown: AtomicUsize,
    /// Moving average of one job's running time, in microseconds (0 until the first job).
    average_micros: AtomicU64,
}

/// Jobs for `threads` threads in two priorities, with a bound on the wait.
pub(super) struct HashQueue {
    threads: Arc<ThreadPool>,
    shared: Arc<Shared>,
    max_wait: Duration,
}

impl HashQueue {
    /// A queue in front of `threads`, refusing jobs that would wait longer than `max_wait`.
    pub fn new(threads: ThreadPool, max_wait: Duration) -> Self {
        Self {
            threads: Arc::new(threads),
            shared: Arc::new(Shared {
                lines: Mutex::new(Lines::default()),
                waiting_known: AtomicUsize::new(0),
                waiting_unknown: AtomicUsize::new(0),
                average_micros: AtomicU64::new(0),
            }),
            max_wait,
        }
    }

    /// The thread pool, for tests that wait for whatever runs.
    #[cfg(test)]
    pub fn threads(&self) -> &ThreadPool {
        &self.threads
    }

    /// About how long a job of `priority` queued now would take to finish: the jobs ahead of
    /// it shared among the threads, then its own.
    fn expected_wait(&self, priority: HashPriority) -> Duration {
        let known = self.shared.waiting_known.load(Ordering::Relaxed);
        let ahead = match priority {
            HashPriority::Known => known,
            HashPriority::Unknown => known + self.shared.waiting_unknown.load(Ordering::Relaxed),
        };
        let threads = self.threads.current_num_threads().max(1);
        let rounds = u64::try_from(ahead / threads + 1).unwrap_or(u64::MAX);
        let average = self.shared.average_micros.load(Ordering::Relaxed);
        Duration::from_micros(average.saturating_mul(rounds))
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

    /// Queues `job` with `priority`, unless the wait would be too long. A thread takes the
    /// first known job waiting, else the first unknown one, as soon as it is free. The job
    /// answers whether it hashed (a job whose caller has gone skips its work, and its time
    /// says nothing of a hash's).
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
                    shared.record(started.elapsed());
                }
            }
        };
        {
            let mut lines = self.shared.lock();
            match priority {
                HashPriority::Known => {
                    lines.known.push_back(Box::new(timed));
                    self.shared.waiting_known.fetch_add(1, Ordering::Relaxed);
                }
                HashPriority::Unknown => {
                    lines.unknown.push_back(Box::new(timed));
                    self.shared.waiting_unknown.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        // One pass of a thread per job: each takes whichever job is first in line then.
        let shared = Arc::clone(&self.shared);
        self.threads.spawn_fifo(move || {
            if let Some(job) = shared.next() {
                job();
            }
        });
        Ok(())
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Lines> {
        // A job panicking never holds this lock: the lines stay consistent.
        self.lines.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The first known job waiting, else the first unknown one.
    fn next(&self) -> Option<Job> {
        let mut lines = self.lock();
        if let Some(job) = lines.known.pop_front() {
            self.waiting_known.fetch_sub(1, Ordering::Relaxed);
            return Some(job);
        }
        let job = lines.unknown.pop_front()?;
        self.waiting_unknown.fetch_sub(1, Ordering::Relaxed);
        Some(job)
    }

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

    fn queue(threads: usize, max_wait: Duration) -> HashQueue {
        HashQueue::new(
            ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap(),
            max_wait,
        )
    }

    /// Occupies the queue's only thread until the returned sender is dropped or sent to.
    fn block(queue: &HashQueue) -> mpsc::Sender<()> {
        let (release, held) = mpsc::channel::<()>();
        let (started, running) = mpsc::channel();
        queue
            .submit(HashPriority::Known, move || {
                started.send(()).unwrap();
                held.recv().is_ok()
            })
            .unwrap();
        running.recv().unwrap();
        release
    }

    #[test]
    fn known_jobs_run_before_unknown_ones_that_queued_earlier() {
        let queue = queue(1, Duration::from_secs(60));
        let release = block(&queue);
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
        release.send(()).unwrap();
        let order: Vec<_> = (0..3).map(|_| order.recv().unwrap()).collect();
        assert_eq!(order, ["known", "unknown 1", "unknown 2"]);
    }

    #[test]
    fn past_the_wait_budget_unknown_jobs_are_refused_and_known_ones_still_queue() {
        let queue = queue(1, Duration::from_millis(100));
        // The first job sets the average: about 40 ms.
        queue
            .submit(HashPriority::Unknown, || {
                std::thread::sleep(Duration::from_millis(40));
                true
            })
            .unwrap();
        queue.threads().broadcast(|_| ());
        let release = block(&queue);
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
