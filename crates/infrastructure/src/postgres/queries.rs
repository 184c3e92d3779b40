//! The hot read statements of the session store and its cleanup batch, public so that plan
//! tests (`EXPLAIN`) and benchmarks inspect exactly what the adapter runs.

use crate::session_record::SESSION_COLUMNS;

/// The user's active sessions that the session limit counts (`$1` user, `$2` now).
pub const ACTIVE_SESSIONS_OF_USER: &str = "SELECT id, is_trusted, last_activity_at, expires_at \
     FROM sessions WHERE user_id = $1 AND is_revoked = FALSE AND expires_at > $2";

/// The settings of the cleanup's own connection (startup options), for its batches alone:
/// - a batch's commit does not wait for the WAL flush: a crash may undo the last batches,
///   whose sessions had ended anyway and are deleted by the next cleanup;
/// - a batch runs its generic plan. Postgres would otherwise plan every batch again (a
///   custom plan, chosen because the generic one's estimate for `LIMIT $3` is thirty times
///   the batch): a good part of a batch's time. Both plans walk the same index;
///   the plan test checks the generic one.
///
/// With them on the connection, each batch is one statement in its own transaction: one
/// round trip, where `BEGIN` with `SET LOCAL`, the statement and `COMMIT` took three.
pub const CLEANUP_CONNECTION_SETTINGS: [(&str, &str); 2] = [
    ("synchronous_commit", "off"),
    ("plan_cache_mode", "force_generic_plan"),
];

/// Settings of the throttle's own connections, which count and take back login attempts:
/// a commit answers without waiting for its WAL flush. Every login from one network updates
/// that network's row twice (the reservation, and its taking back once the password was
/// right), so the row's lock is held from one commit to the next; waiting for the disk there
/// serialises the logins of a network behind one another's flushes. A database crash can
/// lose the last few hundred milliseconds of counts, which gives an attacker nothing they
/// can aim at.
pub const THROTTLE_CONNECTION_SETTINGS: [(&str, &str); 1] = [("synchronous_commit", "off")];

/// A cleanup batch over one end-time column (`$1` from, `$2` before, `$3` the batch size),
/// answering how many sessions it deleted and the latest end time among them. It walks the
/// column's index from `$1`, where the previous batch ended (the entries of the sessions
/// earlier batches deleted stay in the index until vacuum; walking from the start, each
/// batch would step over all of them), and stops after one batch. The delete then fetches
/// the chosen rows by their physical address (a TID scan: no second index lookup per row);
/// a row updated in between has moved, fails the recheck and is left for the next run.
macro_rules! delete_ended_sessions {
    ($filter:literal, $end:literal) => {
        concat!(
            "WITH deleted AS (DELETE FROM sessions WHERE ctid = ANY(ARRAY(",
            "SELECT ctid FROM sessions WHERE ",
            $filter,
            $end,
            " >= $1 AND ",
            $end,
            " < $2 ",
            "ORDER BY ",
            $end,
            " LIMIT $3)) RETURNING ",
            $end,
            " AS ended_at) ",
            "SELECT count(*), max(ended_at) FROM deleted"
        )
    };
}

/// A cleanup batch of expired sessions (`expires_at`; see `delete_ended_sessions!`).
pub const DELETE_EXPIRED_SESSIONS: &str = delete_ended_sessions!("", "expires_at");

/// A cleanup batch of revoked sessions (`revoked_at`, its partial index; see
/// `delete_ended_sessions!`).
pub const DELETE_REVOKED_SESSIONS: &str = delete_ended_sessions!("is_revoked AND ", "revoked_at");

/// One page of a user's sessions, newest first: `$1` user, `$2` limit, `$3` now and `$4`
/// idle cutoff (active-only), `$5`/`$6` the cursor's `created_at`/`id` (later pages).
///
/// Four fixed statements (active or not × first page or not), so each gets a good prepared
/// plan; the active filter matches `idx_sessions_user_active` exactly.
pub fn session_page(active_only: bool, after_cursor: bool) -> String {
    let active = if active_only {
        "AND is_revoked = FALSE AND expires_at > $3 \
         AND ($4::timestamptz IS NULL OR last_activity_at > $4)"
    } else {
        "AND $3::timestamptz IS NULL AND $4::timestamptz IS NULL"
    };
    let after = if after_cursor {
        "AND (created_at, id) < ($5, $6)"
    } else {
        "AND $5::timestamptz IS NULL AND $6::uuid IS NULL"
    };
    format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = $1 {active} {after} \
         ORDER BY created_at DESC, id DESC LIMIT $2"
    )
}

/// The audit trail's search statement for `search`, with its parameters in the order of the
/// conditions given (`user_id`, `session_id`, the types, the network, `since`, `until`, the
/// cursor, then the limit).
pub fn event_search(search: &sessions_application::ports::EventSearch) -> String {
    super::events::search_statement(search).into_sql()
}
