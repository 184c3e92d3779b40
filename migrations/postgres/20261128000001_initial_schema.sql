-- Initial schema of the session service (Postgres). Never edit once landed: add a new
-- migration instead.

-- Users own sessions. E-mail addresses are unique case-insensitively.
CREATE TABLE users (
    id            UUID PRIMARY KEY,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    -- The user's own session limit; NULL = the configured default, 0 = unlimited.
    max_sessions  INTEGER CHECK (max_sessions >= 0),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- One row per sign-in. Every field of the domain's Session aggregate, plus `version`
-- for optimistic concurrency (every write increments it).
CREATE TABLE sessions (
    id                        UUID PRIMARY KEY,
    user_id                   UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL,
    device_info               TEXT,
    user_agent                TEXT CHECK (char_length(user_agent) <= 512),
    ip_address                INET NOT NULL,
    location                  TEXT,
    last_activity_at          TIMESTAMPTZ NOT NULL,
    expires_at                TIMESTAMPTZ NOT NULL,
    is_revoked                BOOLEAN NOT NULL DEFAULT FALSE,
    revoked_at                TIMESTAMPTZ,
    revoked_reason            TEXT CHECK (revoked_reason IN (
        'logout', 'logout_all', 'user_revoked', 'password_changed',
        'suspicious_activity', 'refresh_token_reuse', 'session_limit', 'admin'
    )),
    is_trusted                BOOLEAN NOT NULL DEFAULT FALSE,
    refresh_token_id          UUID,
    last_ip_address           INET,
    suspicious_activity_count INTEGER NOT NULL DEFAULT 0 CHECK (suspicious_activity_count >= 0),
    last_provider_accessed    TEXT,
    last_provider_sync_at     TIMESTAMPTZ,
    providers_accessed        TEXT[] NOT NULL DEFAULT '{}',
    version                   BIGINT NOT NULL DEFAULT 0,
    -- Revocation flag, time and reason are set together, or not at all.
    CONSTRAINT sessions_revocation_together CHECK (
        (is_revoked AND revoked_at IS NOT NULL AND revoked_reason IS NOT NULL)
        OR (NOT is_revoked AND revoked_at IS NULL AND revoked_reason IS NULL)
    )
);
CREATE INDEX ix_sessions_user_id ON sessions (user_id);
CREATE INDEX ix_sessions_is_revoked ON sessions (is_revoked);
CREATE INDEX ix_sessions_expires_at ON sessions (expires_at);
-- Active sessions of a user: the session-limit count and the session list.
CREATE INDEX idx_sessions_user_active ON sessions (user_id, is_revoked, expires_at);
-- Cleanup of expired sessions, batch by batch.
CREATE INDEX idx_sessions_cleanup ON sessions (expires_at, is_revoked);
-- Cleanup of revoked sessions by revocation time.
CREATE INDEX ix_sessions_revoked_at ON sessions (revoked_at) WHERE is_revoked;

-- Refresh tokens, stored only as SHA-256 hashes. A used token names its successor.
CREATE TABLE refresh_tokens (
    id           UUID PRIMARY KEY,
    session_id   UUID NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash   BYTEA NOT NULL CHECK (octet_length(token_hash) = 32),
    issued_at    TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ,
    successor_id UUID,
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash),
    CONSTRAINT refresh_tokens_used_together CHECK ((used_at IS NULL) = (successor_id IS NULL))
);
CREATE INDEX ix_refresh_tokens_session_id ON refresh_tokens (session_id);

-- The append-only audit trail.
CREATE TABLE session_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id  UUID NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id     UUID NOT NULL,
    event_type  TEXT NOT NULL CHECK (event_type IN (
        'session_created', 'session_revoked', 'ip_changed', 'suspicious_activity',
        'provider_accessed', 'session_trusted', 'session_untrusted', 'refresh_token_reuse'
    )),
    occurred_at TIMESTAMPTZ NOT NULL,
    data        JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX ix_session_events_session_id ON session_events (session_id, id);
