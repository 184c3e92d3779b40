//! The hot read statements of the session store and its cleanup batch, public so that plan
//! tests (`EXPLAIN`) and benchmarks inspect exactly what the adapter runs.

use crate::session_columns::SESSION_COLUMNS;

/// The user's active sessions that the session limit counts (`$1` user, `$2` now).
pub const ACTIVE_SESSIONS_OF_USER: &str = "SELECT id, is_trusted, last_activity_at, expires_at \
     FROM sessions WHERE user_id = $1 AND is_revoked = FALSE AND expires_at > $2";

/// The settings of the cleanup's own connection (startup options), for its batches alone:
/// - a batch's commit does not wait for the WAL flush: a crash may undo the last batches,
///   whose sessions had ended anyway and are deleted by the next cleanup;
/// - a batch runs its generic plan. Postgres would otherwise plan every batch again (a
///   custom plan, chosen because the generic one's estimate for `LIMIT $3` is thirty times
///   the batch): about a fifth of a 1,000-row batch's time. Both plans walk the same index;
///   the plan test checks the generic one.
///
/// With them on the connection, each batch is one statement in its own transaction: one
/// round trip, where `BEGIN` with `SET LOCAL`, the statement and `COMMIT` took three.
pub const CLEANUP_CONNECTION_SETTINGS: [(&str, &str); 2] = [
    ("synchronous_commit", "off"),
    ("plan_cache_mode", "force_generic_plan"),
];

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

/// The names a page statement gives its six parameters: placeholders in a statement of its
/// own, the request's columns in a batched one.
struct PageParameters {
    user_id: &'static str,
    limit: &'static str,
    now: &'static str,
    idle_since: &'static str,
    after_created_at: &'static str,
    after_id: &'static str,
}

/// `$1`…`$6`, for [`session_page`].
const PLACEHOLDERS: PageParameters = PageParameters {
    user_id: "$1",
    limit: "$2",
    now: "$3",
    idle_since: "$4",
    after_created_at: "$5",
    after_id: "$6",
};

/// The columns of one request of [`sessions_with_pages`].
const REQUEST_COLUMNS: PageParameters = PageParameters {
    user_id: "request.user_id",
    limit: "request.page_limit",
    now: "request.now",
    idle_since: "request.idle_since",
    after_created_at: "request.after_created_at",
    after_id: "request.after_id",
};

/// One page of a user's sessions, newest first: `$1` user, `$2` limit, `$3` now and `$4`
/// idle cutoff (active-only), `$5`/`$6` the cursor's `created_at`/`id` (later pages).
///
/// Four fixed statements (active or not × first page or not), so each gets a good prepared
/// plan; the active filter matches `idx_sessions_user_active` exactly.
pub fn session_page(active_only: bool, after_cursor: bool) -> String {
    page(active_only, after_cursor, &PLACEHOLDERS)
}

/// Sessions with pages, for a batch of users' own listings of one shape: `$1`…`$7` are
/// arrays with one element per request — the looked-up session's id, then [`session_page`]'s
/// six parameters in its order. Each request's session (marked `looked_up`) and page follow
/// one another, tagged with `request_number`, the request's 1-based position in the arrays.
pub fn sessions_with_pages(active_only: bool, after_cursor: bool) -> String {
    let lookup_or_page = lookup_with_page(
        &page(active_only, after_cursor, &REQUEST_COLUMNS),
        "request.lookup_id",
    );
    format!(
        "SELECT request.request_number, lookup_or_page.* \
         FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::timestamptz[], \
                     $5::timestamptz[], $6::timestamptz[], $7::uuid[]) \
              WITH ORDINALITY AS request(lookup_id, user_id, page_limit, now, idle_since, \
                                         after_created_at, after_id, request_number) \
         CROSS JOIN LATERAL ({lookup_or_page}) AS lookup_or_page"
    )
}

/// [`session_page`] with its parameters named by `parameters`.
fn page(active_only: bool, after_cursor: bool, parameters: &PageParameters) -> String {
    let PageParameters {
        user_id,
        limit,
        now,
        idle_since,
        after_created_at,
        after_id,
    } = parameters;
    let active = if active_only {
        format!(
            "AND is_revoked = FALSE AND expires_at > {now} \
             AND ({idle_since}::timestamptz IS NULL OR last_activity_at > {idle_since})"
        )
    } else {
        format!("AND {now}::timestamptz IS NULL AND {idle_since}::timestamptz IS NULL")
    };
    let after = if after_cursor {
        format!("AND (created_at, id) < ({after_created_at}, {after_id})")
    } else {
        format!("AND {after_created_at}::timestamptz IS NULL AND {after_id}::uuid IS NULL")
    };
    format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = {user_id} {active} {after} \
         ORDER BY created_at DESC, id DESC LIMIT {limit}"
    )
}

/// The session whose id is `id_parameter` (marked `looked_up`), followed by the rows of
/// `page`: the read of a user's own listing in one round trip.
fn lookup_with_page(page: &str, id_parameter: &str) -> String {
    format!(
        "SELECT * FROM (SELECT {SESSION_COLUMNS}, TRUE AS looked_up FROM sessions \
         WHERE id = {id_parameter}) AS lookup \
         UNION ALL SELECT *, FALSE AS looked_up FROM ({page}) AS page"
    )
}
