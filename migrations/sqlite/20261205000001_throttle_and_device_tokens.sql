-- The throttle's attempt counts and the device tokens of OWASP's "device cookies" design
-- (see the Postgres migration of the same name). Timestamps are microseconds.

CREATE TABLE attempt_counts (
    key            BLOB PRIMARY KEY NOT NULL CHECK (length(key) = 32),
    scope          TEXT NOT NULL,
    count          INTEGER NOT NULL CHECK (count >= 0),
    window_ends_at INTEGER NOT NULL
);
CREATE INDEX ix_attempt_counts_window_ends_at ON attempt_counts (window_ends_at);

CREATE TABLE device_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX ix_device_tokens_user_id ON device_tokens (user_id);
CREATE INDEX ix_device_tokens_expires_at ON device_tokens (expires_at);
