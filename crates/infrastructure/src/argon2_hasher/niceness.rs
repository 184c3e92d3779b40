//! The scheduling priority a hashing thread runs a hash at: a known client's at the normal
//! priority, anyone else's at the lowest (niceness 19), so that when requests and hashes
//! compete for the cores, a flood of unknown clients' hashes gives way to requests, while a
//! known client's login keeps its pace. On a machine with cores to spare a lowered hash
//! runs as fast as any.
//! Linux keeps a niceness per thread; each thread remembers the one it last set, so a run
//! of hashes of one priority sets it once.

use std::cell::Cell;

use sessions_application::ports::HashPriority;
use thread_priority::{ThreadPriority, ThreadPriorityValue, set_current_thread_priority};

/// The crossplatform priority that Linux maps to niceness 0 for normal threads.
const NORMAL: u8 = 48;

/// The crossplatform priority that Linux maps to niceness 19 (the lowest) for normal threads.
const LOWERED: u8 = 0;

thread_local! {
    /// The priority this thread last set, if any.
    static CURRENT: Cell<Option<u8>> = const { Cell::new(None) };
}

/// Runs the calling hashing thread at the priority hashes of `priority` get. A failure
/// (a system that does not allow it) only leaves the thread as it was.
pub(super) fn adopt(priority: HashPriority) {
    let wanted = match priority {
        HashPriority::Known => NORMAL,
        HashPriority::Unknown => LOWERED,
    };
    if CURRENT.get() == Some(wanted) {
        return;
    }
    let set = ThreadPriorityValue::try_from(wanted).and_then(|value| {
        set_current_thread_priority(ThreadPriority::Crossplatform(value))
            .map_err(|error| format!("{error:?}"))
    });
    match set {
        Ok(()) => CURRENT.set(Some(wanted)),
        Err(error) => tracing::debug!(%error, "hashing thread keeps its priority"),
    }
}
