-- Security notifications by webhook, from a transactional outbox: a trigger on the audit
-- trail records one delivery per subscribed endpoint in the very transaction that records
-- the event, so a notification exists exactly when its change committed. Deliveries go
-- with their event (a user's erasure, the audit retention) and with their endpoint.
-- `login_locked_out` joins the trail: a sign-in budget spent, naming no session, and no
-- account when a network's budget was. SQLite cannot change a table's checks, so the events
-- table is rebuilt with its rows (and its indexes and reference trigger).

CREATE TABLE session_events_locked_out (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id       TEXT,
    user_id          TEXT,
    event_type       TEXT NOT NULL CHECK (event_type IN (
        'session_created', 'session_revoked', 'ip_changed', 'suspicious_activity',
        'provider_accessed', 'session_trusted', 'session_untrusted', 'refresh_token_reuse',
        'refresh_replayed', 'login_failed', 'login_locked_out', 'password_changed',
        'user_deleted'
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
    CHECK ((session_id IS NULL) = (event_type IN (
        'login_failed', 'login_locked_out', 'password_changed', 'user_deleted'))),
    CHECK (user_id IS NOT NULL OR event_type IN ('login_failed', 'login_locked_out'))
);
INSERT INTO session_events_locked_out SELECT * FROM session_events;
DROP TABLE session_events;
ALTER TABLE session_events_locked_out RENAME TO session_events;
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

CREATE TABLE webhook_endpoints (
    id                     TEXT PRIMARY KEY,
    url                    TEXT NOT NULL CHECK (length(url) <= 2048),
    description            TEXT CHECK (length(description) <= 500),
    -- The audit-trail types it receives, as a JSON array.
    event_types            TEXT NOT NULL,
    secret_sealed          BLOB NOT NULL,
    previous_secret_sealed BLOB,
    previous_secret_until  INTEGER,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id         INTEGER NOT NULL REFERENCES session_events (id) ON DELETE CASCADE,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at       INTEGER NOT NULL,
    retry_from       INTEGER NOT NULL,
    next_attempt_at  INTEGER NOT NULL,
    locked_until     INTEGER,
    last_status_code INTEGER,
    last_error       TEXT CHECK (length(last_error) <= 500),
    delivered_at     INTEGER
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);
CREATE INDEX ix_webhook_deliveries_event ON webhook_deliveries (event_id);

CREATE TRIGGER session_events_enqueue_webhooks
AFTER INSERT ON session_events
BEGIN
    INSERT INTO webhook_deliveries (id, endpoint_id, event_id, created_at, retry_from,
                                    next_attempt_at)
    SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
                 || substr(hex(randomblob(2)), 2) || '-'
                 || substr('89ab', 1 + abs(random() % 4), 1) || substr(hex(randomblob(2)), 2)
                 || '-' || hex(randomblob(6))),
           w.id, NEW.id, NEW.occurred_at, NEW.occurred_at, NEW.occurred_at
    FROM webhook_endpoints w
    WHERE EXISTS (SELECT 1 FROM json_each(w.event_types) WHERE value = NEW.event_type);
END;
