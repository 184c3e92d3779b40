-- Every event says who caused it and from where: the actor (`user` with the session acted
-- through, `admin`, `service`, `system`; `unrecorded` for events older than this column and
-- a row written without one, e.g. by a bulk import),
-- the incident an administrator's revocation belonged to, and the request's client address
-- (text, and as a 16-byte key, IPv4 mapped into IPv6, so that a CIDR is a key range), user
-- agent, device and location. Account events belong to no session: `login_failed` (to no
-- account either when the address tried names none), `password_changed`, `user_deleted`.
-- SQLite cannot change a column's constraints, so the table is rebuilt with its rows.

CREATE TABLE session_events_with_causes (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id       TEXT,
    user_id          TEXT,
    event_type       TEXT NOT NULL CHECK (event_type IN (
        'session_created', 'session_revoked', 'ip_changed', 'suspicious_activity',
        'provider_accessed', 'session_trusted', 'session_untrusted', 'refresh_token_reuse',
        'refresh_replayed', 'login_failed', 'password_changed', 'user_deleted'
    )),
    occurred_at      INTEGER NOT NULL,
    data             TEXT NOT NULL DEFAULT '{}',
    actor            TEXT NOT NULL DEFAULT 'unrecorded'
        CHECK (actor IN ('user', 'admin', 'service', 'system', 'unrecorded')),
    actor_session_id TEXT,
    incident_id      TEXT,
    ip               TEXT,
    ip_key           BLOB CHECK (ip_key IS NULL OR length(ip_key) = 16),
    user_agent       TEXT CHECK (length(user_agent) <= 512),
    device           TEXT,
    location         TEXT,
    CHECK ((session_id IS NULL)
           = (event_type IN ('login_failed', 'password_changed', 'user_deleted'))),
    CHECK (user_id IS NOT NULL OR event_type = 'login_failed')
);
INSERT INTO session_events_with_causes
    (id, session_id, user_id, event_type, occurred_at, data, actor)
SELECT id, session_id, user_id, event_type, occurred_at, data, 'unrecorded'
FROM session_events;
DROP TABLE session_events;
ALTER TABLE session_events_with_causes RENAME TO session_events;
CREATE INDEX ix_session_events_session_id ON session_events (session_id, id);
CREATE INDEX ix_session_events_occurred_at ON session_events (occurred_at);
CREATE INDEX ix_session_events_user_id ON session_events (user_id, id);
CREATE INDEX ix_session_events_type ON session_events (event_type, id);
CREATE INDEX ix_session_events_ip_key ON session_events (ip_key);

CREATE TRIGGER session_events_reference_sessions
BEFORE INSERT ON session_events
WHEN NEW.session_id IS NOT NULL
 AND NOT EXISTS (SELECT 1 FROM sessions WHERE id = NEW.session_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed');
END;
