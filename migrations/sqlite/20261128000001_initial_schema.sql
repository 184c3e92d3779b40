-- Initial schema of the session service (SQLite, the embedded default). Same tables,
-- columns and index names as Postgres; UUIDs and IP addresses are TEXT, timestamps are
-- INTEGER microseconds since the Unix epoch (exact and ordered), provider sets are JSON
-- arrays. Never edit once landed: add a new migration instead.

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    max_sessions  INTEGER CHECK (max_sessions >= 0),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE sessions (
    id                        TEXT PRIMARY KEY NOT NULL,
    user_id                   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL,
    device_info               TEXT,
    user_agent                TEXT CHECK (length(user_agent) <= 512),
    ip_address                TEXT NOT NULL,
    location                  TEXT,
    last_activity_at          INTEGER NOT NULL,
    expires_at                INTEGER NOT NULL,
    is_revoked                INTEGER NOT NULL DEFAULT 0 CHECK (is_revoked IN (0, 1)),
    revoked_at                INTEGER,
    revoked_reason            TEXT CHECK (revoked_reason IN (
        'logout', 'logout_all', 'user_revoked', 'password_changed',
        'suspicious_activity', 'refresh_token_reuse', 'session_limit', 'admin'
    )),
    is_trusted                INTEGER NOT NULL DEFAULT 0 CHECK (is_trusted IN (0, 1)),
    refresh_token_id          TEXT,
    last_ip_address           TEXT,
    suspicious_activity_count INTEGER NOT NULL DEFAULT 0 CHECK (suspicious_activity_count >= 0),
    last_provider_accessed    TEXT,
    last_provider_sync_at     INTEGER,
    providers_accessed        TEXT NOT NULL DEFAULT '[]',
    version                   INTEGER NOT NULL DEFAULT 0,
    CHECK (
        (is_revoked = 1 AND revoked_at IS NOT NULL AND revoked_reason IS NOT NULL)
        OR (is_revoked = 0 AND revoked_at IS NULL AND revoked_reason IS NULL)
    )
);
CREATE INDEX ix_sessions_user_id ON sessions (user_id);
CREATE INDEX ix_sessions_is_revoked ON sessions (is_revoked);
CREATE INDEX ix_sessions_expires_at ON sessions (expires_at);
CREATE INDEX idx_sessions_user_active ON sessions (user_id, is_revoked, expires_at);
CREATE INDEX idx_sessions_cleanup ON sessions (expires_at, is_revoked);
CREATE INDEX ix_sessions_revoked_at ON sessions (revoked_at) WHERE is_revoked = 1;

CREATE TABLE refresh_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    session_id   TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    issued_at    INTEGER NOT NULL,
    used_at      INTEGER,
    successor_id TEXT,
    CHECK ((used_at IS NULL) = (successor_id IS NULL))
);
CREATE INDEX ix_refresh_tokens_session_id ON refresh_tokens (session_id);

CREATE TABLE session_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    event_type  TEXT NOT NULL CHECK (event_type IN (
        'session_created', 'session_revoked', 'ip_changed', 'suspicious_activity',
        'provider_accessed', 'session_trusted', 'session_untrusted', 'refresh_token_reuse'
    )),
    occurred_at INTEGER NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX ix_session_events_session_id ON session_events (session_id, id);
