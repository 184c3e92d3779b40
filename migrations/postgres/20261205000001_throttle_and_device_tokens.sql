-- The throttle's attempt counts and the device tokens of OWASP's "device cookies" design.

-- One row per budget: the attempts of its current window. The key is the SHA-256 of the
-- budget's scope and subject, so no e-mail or client address is kept here; `scope` says
-- which kind of budget a row is, for operators.
CREATE TABLE attempt_counts (
    key            BYTEA PRIMARY KEY CHECK (octet_length(key) = 32),
    scope          TEXT NOT NULL,
    count          INTEGER NOT NULL CHECK (count >= 0),
    window_ends_at TIMESTAMPTZ NOT NULL
);
-- Cleanup of ended windows.
CREATE INDEX ix_attempt_counts_window_ends_at ON attempt_counts (window_ends_at);

-- Device tokens, stored only as SHA-256 hashes; renewed in place on every login.
CREATE TABLE device_tokens (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   BYTEA NOT NULL CHECK (octet_length(token_hash) = 32),
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT device_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX ix_device_tokens_user_id ON device_tokens (user_id);
CREATE INDEX ix_device_tokens_expires_at ON device_tokens (expires_at);
