//! Coalesces concurrent point reads into one round trip — infrastructure behind the hottest
//! read there is, the session every authenticated request loads. While earlier reads are in
//! flight, reads that arrive queue up and leave together as one statement, so under load the
//! database executes one statement (and the sockets carry one exchange) per batch instead of
//! one per request. Nothing waits for a timer: when a slot is free, whatever has queued
//! leaves at once — a read alone, at low load. Each read is still issued after it was asked
//! for, so it sees every write committed before (a revocation is effective immediately).

use std::{collections::HashMap, fmt, future::Future, hash::Hash, sync::Arc};

use sessions_application::ports::StoreError;
use tokio::sync::{Semaphore, mpsc, oneshot};

/// One queued read: its key and where its answer goes.
type Pending<K, V> = (K, oneshot::Sender<Result<Option<V>, StoreError>>);

/// Reads values by key, batching concurrent reads (see the module documentation).
pub(crate) struct ReadBatcher<K, V> {
    queue: mpsc::UnboundedSender<Pending<K, V>>,
}

impl<K, V> Clone for ReadBatcher<K, V> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
        }
    }
}

impl<K, V> fmt::Debug for ReadBatcher<K, V> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("ReadBatcher")
            .finish_non_exhaustive()
    }
}

impl<K, V> ReadBatcher<K, V>
where
    K: Eq + Hash + Copy + Send + 'static,
    V: Clone + Send + 'static,
{
    /// Starts the dispatcher on the current Tokio runtime: at most `slots` batches in flight,
    /// each of at most `max_batch` keys, read by `read_many` (which returns the rows found,
    /// each with its key). The dispatcher stops when the last clone of the batcher is dropped.
    pub fn spawn<F, Fut>(slots: usize, max_batch: usize, read_many: F) -> Self
    where
        F: Fn(Vec<K>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<(K, V)>, StoreError>> + Send + 'static,
    {
        let (queue, requests) = mpsc::unbounded_channel();
        tokio::spawn(dispatch(requests, slots, max_batch, Arc::new(read_many)));
        Self { queue }
    }

    /// The value stored under `key`, if any.
    ///
    /// # Errors
    /// The batch's read failed (every read of that batch gets the same cause), or the
    /// dispatcher is gone.
    pub async fn read(&self, key: K) -> Result<Option<V>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((key, reply))
            .map_err(|_| StoreError::new(DispatcherGone))?;
        answer.await.map_err(|_| StoreError::new(DispatcherGone))?
    }
}

/// Takes whatever has queued each time a slot frees, and reads it as one batch.
async fn dispatch<K, V, F, Fut>(
    mut requests: mpsc::UnboundedReceiver<Pending<K, V>>,
    slots: usize,
    max_batch: usize,
    read_many: Arc<F>,
) where
    K: Eq + Hash + Copy + Send + 'static,
    V: Clone + Send + 'static,
    F: Fn(Vec<K>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<(K, V)>, StoreError>> + Send + 'static,
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
        let read_many = Arc::clone(&read_many);
        tokio::spawn(async move {
            let keys = batch.iter().map(|(key, _)| *key).collect();
            let outcome = read_many(keys).await;
            drop(slot);
            answer(batch, outcome);
        });
    }
}

/// Sends each queued read its row (or the batch's failure).
fn answer<K, V>(batch: Vec<Pending<K, V>>, outcome: Result<Vec<(K, V)>, StoreError>)
where
    K: Eq + Hash,
    V: Clone,
{
    match outcome {
        Ok(rows) => {
            let rows: HashMap<K, V> = rows.into_iter().collect();
            for (key, reply) in batch {
                // A reader that gave up (its client went away) no longer listens.
                let _ = reply.send(Ok(rows.get(&key).cloned()));
            }
        }
        Err(error) => {
            let cause = Arc::new(error);
            for (_, reply) in batch {
                let _ = reply.send(Err(StoreError::new(BatchFailed(Arc::clone(&cause)))));
            }
        }
    }
}

/// The dispatcher task ended (the runtime is shutting down).
#[derive(Debug, thiserror::Error)]
#[error("the read batcher's dispatcher is gone")]
struct DispatcherGone;

/// The batch a read was part of failed; the source is the shared cause.
#[derive(Debug, thiserror::Error)]
#[error("batched read failed")]
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
    ) -> (ReadBatcher<u32, u32>, AskedBatches) {
        let asked = AskedBatches::default();
        let recorded = Arc::clone(&asked);
        let reads = ReadBatcher::spawn(slots, 100, move |keys: Vec<u32>| {
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
            async move { reads.read(2).await }
        });
        while asked.lock().unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
        let queued: Vec<_> = [3, 4, 4, 6]
            .into_iter()
            .map(|key| {
                let reads = reads.clone();
                tokio::spawn(async move { reads.read(key).await })
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
        assert_eq!(reads.read(8).await.unwrap(), Some(80));
        assert_eq!(*asked.lock().unwrap(), [vec![8]]);
    }

    #[tokio::test]
    async fn every_read_of_a_failed_batch_gets_the_cause() {
        let reads: ReadBatcher<u32, u32> = ReadBatcher::spawn(1, 100, |_keys| async {
            Err(StoreError::new(std::io::Error::other("connection reset")))
        });
        let (one, two) = tokio::join!(reads.read(1), reads.read(2));
        for outcome in [one, two] {
            let error = outcome.unwrap_err();
            let chain = format!("{error:?}");
            assert!(chain.contains("connection reset"), "{chain}");
        }
    }
}
