-- The audit trail outlives sessions: deleting sessions (cleanup, a user's deletion) deletes
-- their refresh tokens only; events have a retention of their own, enforced in batches by
-- the cleanup along their time. A user's deletion erases their events and leaves one
-- `user_deleted` record without personal data, which belongs to no session.
-- SQLite cannot drop a foreign key, so the events table is rebuilt with its rows; a trigger
-- keeps the reference check (an event names an existing session when it names one)
-- without the cascade.

CREATE TABLE session_events_kept (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT,
    user_id     TEXT NOT NULL,
    event_type  TEXT NOT NULL CHECK (event_type IN (
        'session_created', 'session_revoked', 'ip_changed', 'suspicious_activity',
        'provider_accessed', 'session_trusted', 'session_untrusted', 'refresh_token_reuse',
        'refresh_replayed', 'user_deleted'
    )),
    occurred_at INTEGER NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    CHECK ((session_id IS NULL) = (event_type = 'user_deleted'))
);
INSERT INTO session_events_kept (id, session_id, user_id, event_type, occurred_at, data)
SELECT id, session_id, user_id, event_type, occurred_at, data FROM session_events;
DROP TABLE session_events;
ALTER TABLE session_events_kept RENAME TO session_events;
CREATE INDEX ix_session_events_session_id ON session_events (session_id, id);
CREATE INDEX ix_session_events_occurred_at ON session_events (occurred_at);
CREATE INDEX ix_session_events_user_id ON session_events (user_id);

CREATE TRIGGER session_events_reference_sessions
BEFORE INSERT ON session_events
WHEN NEW.session_id IS NOT NULL
 AND NOT EXISTS (SELECT 1 FROM sessions WHERE id = NEW.session_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed');
END;
