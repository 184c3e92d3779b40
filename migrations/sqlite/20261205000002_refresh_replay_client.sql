-- A grace replay of a refresh token is honoured only for the client that used it: the token
-- remembers that client's address and browser/OS families. Replays are recorded, which
-- widens the event types; SQLite cannot alter a CHECK constraint, so the events table is
-- rebuilt with its rows, index and foreign key as they were.

ALTER TABLE refresh_tokens ADD COLUMN used_by_ip TEXT;
ALTER TABLE refresh_tokens ADD COLUMN used_by_browser TEXT;
ALTER TABLE refresh_tokens ADD COLUMN used_by_os TEXT;

CREATE TABLE session_events_widened (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    event_type  TEXT NOT NULL CHECK (event_type IN (
        'session_created', 'session_revoked', 'ip_changed', 'suspicious_activity',
        'provider_accessed', 'session_trusted', 'session_untrusted', 'refresh_token_reuse',
        'refresh_replayed'
    )),
    occurred_at INTEGER NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO session_events_widened (id, session_id, user_id, event_type, occurred_at, data)
SELECT id, session_id, user_id, event_type, occurred_at, data FROM session_events;
DROP TABLE session_events;
ALTER TABLE session_events_widened RENAME TO session_events;
CREATE INDEX ix_session_events_session_id ON session_events (session_id, id);
