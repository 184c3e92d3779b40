//! Request coalescing, the one optimisation that changes how the stores talk to their
//! database: concurrent requests of one kind leave as one statement, so that under load the
//! database executes one statement (the sockets carry one exchange, a write commits once)
//! per batch instead of per request. Batched: the session every authenticated request reads
//! (both stores), the refresh token every refresh looks up (Postgres) and refresh rotations
//! (both stores). Each store method has its plain statement; with coalescing on
//! (`SESSIONS_DATABASE_BATCHING`, the default), it hands the request to its store's batches
//! here instead.

mod batcher;
pub(crate) mod postgres;
mod rotation_batch;
pub(crate) mod sqlite;

use batcher::{BATCH_SIZE, BATCH_SLOTS, Batcher, keyed_reads};

/// Whether a store coalesces concurrent requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Batching {
    /// Concurrent requests of one kind leave as one statement (the default).
    #[default]
    On,
    /// Every request is a statement of its own: the plain adapter, to read, debug or
    /// compare.
    Off,
}
