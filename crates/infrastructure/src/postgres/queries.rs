//! The hot read statements of the session store, public so that plan tests (`EXPLAIN`) and
//! benchmarks inspect exactly what the adapter runs.

use crate::{session_columns::SESSION_COLUMNS, statements::lookup_with_page};

/// The user's active sessions that the session limit counts (`$1` user, `$2` now).
pub const ACTIVE_SESSIONS_OF_USER: &str = "SELECT id, is_trusted, last_activity_at, expires_at \
     FROM sessions WHERE user_id = $1 AND is_revoked = FALSE AND expires_at > $2";

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

/// Session `$7` (marked `looked_up`) followed by the page [`session_page`] selects with the
/// same parameters: the read of a user's own listing, in one round trip.
pub fn session_with_page(active_only: bool, after_cursor: bool) -> String {
    lookup_with_page(&session_page(active_only, after_cursor), "$7")
}
