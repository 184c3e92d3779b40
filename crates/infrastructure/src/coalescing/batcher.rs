//! The batcher: runs requests of one kind in batches, each batch one round trip. While
//! earlier batches are in flight, requests that arrive queue up and leave together as one
//! statement (SQLite's rotations: one transaction). Nothing waits for a timer: when a slot is
//! free, whatever has queued leaves at once — a request alone, at low load. Each request is
//! still issued after it was made, so it sees every write committed before (a revocation is
//! effective immediately).

use std::{collections::HashMap, fmt, future::Future, hash::Hash, sync::Arc};

use sessions_application::ports::StoreError;
use tokio::sync::{Semaphore, mpsc, oneshot};

/// Batches in flight at once, per batched statement. Few, so that requests arriving
/// meanwhile queue up into large batches (more slots are fewer, smaller batches: more round
/// trips); two, so that one slow statement (or a commit waiting for the disk) does not hold
/// up every request.
pub(crate) const BATCH_SLOTS: usize = 2;

/// The most requests in one batch.
pub(crate) const BATCH_SIZE: usize = 128;

/// One queued request and where its answer goes.
type Pending<Q, A> = (Q, oneshot::Sender<Result<A, StoreError>>);

/// Runs requests of type `Q` in batches, answering each with an `A` (see the module
/// documentation).
pub(crate) struct Batcher<Q, A> {
    queue: mpsc::UnboundedSender<Pending<Q, A>>,
}

impl<Q, A> Clone for Batcher<Q, A> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
        }
    }
}

impl<Q, A> fmt::Debug for Batcher<Q, A> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("Batcher").finish_non_exhaustive()
    }
}

impl<Q, A> Batcher<Q, A>
where
    Q: Send + 'static,
    A: Send + 'static,
{
    /// Starts the dispatcher on the current Tokio runtime: at most `slots` batches in flight,
    /// each of at most `max_batch` requests, run by `run_batch`, which answers every request
    /// in the order given. The dispatcher stops when the last clone of the batcher is dropped.
    pub fn spawn<F, Fut>(slots: usize, max_batch: usize, run_batch: F) -> Self
    where
        F: Fn(Vec<Q>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<A>, StoreError>> + Send + 'static,
    {
        let (queue, requests) = mpsc::unbounded_channel();
        tokio::spawn(dispatch(requests, slots, max_batch, Arc::new(run_batch)));
        Self { queue }
    }

    /// Runs `request` with whatever else is queued, and returns its answer.
    ///
    /// # Errors
    /// The batch failed (every request of that batch gets the same cause), or the dispatcher
    /// is gone.
    pub async fn run(&self, request: Q) -> Result<A, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((request, reply))
            .map_err(|_| StoreError::new(DispatcherGone))?;
        answer.await.map_err(|_| StoreError::new(DispatcherGone))?
    }
}

/// Reads by key in batches: `read_many` returns the rows found, each with its key; a key
/// without a row is answered `None`.
pub(crate) fn keyed_reads<K, V, F, Fut>(
    slots: usize,
    max_batch: usize,
    read_many: F,
) -> Batcher<K, Option<V>>
where
    K: Eq + Hash + Clone + Send + Sync + 'static,
    V: Clone + Send + 'static,
    F: Fn(Vec<K>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<(K, V)>, StoreError>> + Send + 'static,
{
    let read_many = Arc::new(read_many);
    Batcher::spawn(slots, max_batch, move |keys: Vec<K>| {
        let rows = read_many(keys.clone());
        async move {
            let rows: HashMap<K, V> = rows.await?.into_iter().collect();
            Ok(keys.iter().map(|key| rows.get(key).cloned()).collect())
        }
    })
}

/// Takes whatever has queued each time a slot frees, and runs it as one batch.
async fn dispatch<Q, A, F, Fut>(
    mut requests: mpsc::UnboundedReceiver<Pending<Q, A>>,
    slots: usize,
    max_batch: usize,
    run_batch: Arc<F>,
) where
    Q: Send + 'static,
    A: Send + 'static,
    F: Fn(Vec<Q>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<A>, StoreError>> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(slots));
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let mut batch = Vec::with_capacity(max_batch);
        if requests.recv_many(&mut batch, max_batch).await == 0 {
            return;
        }
        let (batch, replies): (Vec<Q>, Vec<_>) = batch.into_iter().unzip();
        let outcome = run_batch(batch);
        tokio::spawn(async move {
            let outcome = outcome.await;
            drop(slot);
            answer(replies, outcome);
        });
    }
}

/// Sends each request its answer (or the batch's failure).
fn answer<A>(
    replies: Vec<oneshot::Sender<Result<A, StoreError>>>,
    outcome: Result<Vec<A>, StoreError>,
) {
    let cause = match outcome {
        Ok(answers) if answers.len() == replies.len() => {
            for (reply, answer) in replies.into_iter().zip(answers) {
                // A requester that gave up (its client went away) no longer listens.
                let _ = reply.send(Ok(answer));
            }
            return;
        }
        Ok(answers) => StoreError::new(MiscountedAnswers {
            requests: replies.len(),
            answers: answers.len(),
        }),
        Err(error) => error,
    };
    let cause = Arc::new(cause);
    for reply in replies {
        let _ = reply.send(Err(StoreError::new(BatchFailed(Arc::clone(&cause)))));
    }
}

/// The dispatcher task ended (the runtime is shutting down).
#[derive(Debug, thiserror::Error)]
#[error("the batcher's dispatcher is gone")]
struct DispatcherGone;

/// A batch was answered with a different number of answers than it had requests.
#[derive(Debug, thiserror::Error)]
#[error("a batch of {requests} requests got {answers} answers")]
struct MiscountedAnswers {
    requests: usize,
    answers: usize,
}

/// The batch a request was part of failed; the source is the shared cause.
#[derive(Debug, thiserror::Error)]
#[error("batched request failed")]
struct BatchFailed(#[source] Arc<StoreError>);

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// Every batch of keys a test store was asked for, in order.
    type AskedBatches = Arc<Mutex<Vec<Vec<u32>>>>;

    /// A store of `key * 10` for even keys, recording every batch it is asked for.
    fn recording_batcher(
        slots: usize,
        gate: Arc<tokio::sync::Notify>,
    ) -> (Batcher<u32, Option<u32>>, AskedBatches) {
        let asked = AskedBatches::default();
        let recorded = Arc::clone(&asked);
        let reads = keyed_reads(slots, 100, move |keys: Vec<u32>| {
            recorded.lock().unwrap().push(keys.clone());
            let gate = Arc::clone(&gate);
            async move {
                gate.notified().await;
                Ok(keys
                    .into_iter()
                    .filter(|key| key % 2 == 0)
                    .map(|key| (key, key * 10))
                    .collect())
            }
        });
        (reads, asked)
    }

    #[tokio::test]
    async fn reads_queued_behind_a_busy_slot_leave_as_one_batch() {
        let gate = Arc::new(tokio::sync::Notify::new());
        let (reads, asked) = recording_batcher(1, Arc::clone(&gate));
        let first = tokio::spawn({
            let reads = reads.clone();
            async move { reads.run(2).await }
        });
        while asked.lock().unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
        let queued: Vec<_> = [3, 4, 4, 6]
            .into_iter()
            .map(|key| {
                let reads = reads.clone();
                tokio::spawn(async move { reads.run(key).await })
            })
            .collect();
        tokio::task::yield_now().await;
        gate.notify_one();
        assert_eq!(first.await.unwrap().unwrap(), Some(20));
        gate.notify_one();
        let mut answers = Vec::new();
        for read in queued {
            answers.push(read.await.unwrap().unwrap());
        }
        assert_eq!(answers, [None, Some(40), Some(40), Some(60)]);
        assert_eq!(*asked.lock().unwrap(), [vec![2], vec![3, 4, 4, 6]]);
    }

    #[tokio::test]
    async fn a_read_alone_leaves_at_once() {
        let gate = Arc::new(tokio::sync::Notify::new());
        gate.notify_one();
        let (reads, asked) = recording_batcher(1, gate);
        assert_eq!(reads.run(8).await.unwrap(), Some(80));
        assert_eq!(*asked.lock().unwrap(), [vec![8]]);
    }

    #[tokio::test]
    async fn every_read_of_a_failed_batch_gets_the_cause() {
        let reads: Batcher<u32, Option<u32>> = keyed_reads(1, 100, |_keys| async {
            Err(StoreError::new(std::io::Error::other("connection reset")))
        });
        let (one, two) = tokio::join!(reads.run(1), reads.run(2));
        for outcome in [one, two] {
            let error = outcome.unwrap_err();
            let chain = format!("{error:?}");
            assert!(chain.contains("connection reset"), "{chain}");
        }
    }

    #[tokio::test]
    async fn a_batch_answered_short_fails_every_request_in_it() {
        let batcher: Batcher<u32, u32> = Batcher::spawn(1, 100, |_batch| async { Ok(vec![1]) });
        let (one, two) = tokio::join!(batcher.run(1), batcher.run(2));
        for outcome in [one, two] {
            let chain = format!("{:?}", outcome.unwrap_err());
            assert!(chain.contains("requests: 2, answers: 1"), "{chain}");
        }
    }
}
