//! Statements written once for both storage adapters: the SQL both dialects accept
//! (`$1` is Postgres's first parameter and, as a named parameter, SQLite's first too).

/// The lookup of presented refresh tokens with their sessions, for tokens matching
/// `$condition` on `token_hash`. The token's columns are renamed in a derived table, so the
/// session's columns keep their plain names.
macro_rules! tokens_with_sessions {
    ($condition:literal) => {
        concat!(
            "SELECT token_id, token_hash, token_issued_at, token_used_at, token_successor_id, \
             token_used_by_ip, token_used_by_browser, token_used_by_os, ",
            crate::session_record::session_columns!(),
            " FROM (SELECT id AS token_id, session_id AS token_session_id, token_hash, \
               issued_at AS token_issued_at, used_at AS token_used_at, \
               successor_id AS token_successor_id, used_by_ip AS token_used_by_ip, \
               used_by_browser AS token_used_by_browser, used_by_os AS token_used_by_os \
               FROM refresh_tokens WHERE ",
            $condition,
            ") AS token JOIN sessions ON sessions.id = token.token_session_id"
        )
    };
}
pub(crate) use tokens_with_sessions;
