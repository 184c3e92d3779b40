-- Security notifications by webhook, from a transactional outbox: a trigger on the audit
-- trail records one delivery per subscribed endpoint in the very transaction that records
-- the event, so a notification exists exactly when its change committed. Deliveries go
-- with their event (a user's erasure, the audit retention) and with their endpoint.
-- `login_locked_out` joins the trail: a sign-in budget spent, naming no session, and no
-- account when a network's budget was.

ALTER TABLE session_events DROP CONSTRAINT session_events_event_type_check;
ALTER TABLE session_events ADD CONSTRAINT session_events_event_type_check CHECK (event_type IN (
    'session_created', 'session_revoked', 'ip_changed', 'suspicious_activity',
    'provider_accessed', 'session_trusted', 'session_untrusted', 'refresh_token_reuse',
    'refresh_replayed', 'login_failed', 'login_locked_out', 'password_changed', 'user_deleted'
));
ALTER TABLE session_events DROP CONSTRAINT session_events_only_account_events_without_session;
ALTER TABLE session_events ADD CONSTRAINT session_events_only_account_events_without_session
    CHECK ((session_id IS NULL) = (event_type IN (
        'login_failed', 'login_locked_out', 'password_changed', 'user_deleted')));
ALTER TABLE session_events DROP CONSTRAINT session_events_only_failed_logins_without_user;
ALTER TABLE session_events ADD CONSTRAINT session_events_only_failed_logins_without_user
    CHECK (user_id IS NOT NULL OR event_type IN ('login_failed', 'login_locked_out'));

CREATE TABLE webhook_endpoints (
    id                     UUID PRIMARY KEY,
    url                    TEXT NOT NULL CHECK (char_length(url) <= 2048),
    description            TEXT CHECK (char_length(description) <= 500),
    -- The audit-trail types it receives.
    event_types            TEXT[] NOT NULL,
    -- Signing secrets, sealed with the master key; the previous one is still used to sign
    -- until `previous_secret_until`, after a rotation.
    secret_sealed          BYTEA NOT NULL,
    previous_secret_sealed BYTEA,
    previous_secret_until  TIMESTAMPTZ,
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL
);

CREATE TABLE webhook_deliveries (
    -- Also the `webhook-id` receivers deduplicate by: the same on every attempt.
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    endpoint_id      UUID NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id         BIGINT NOT NULL REFERENCES session_events (id) ON DELETE CASCADE,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at       TIMESTAMPTZ NOT NULL,
    -- Where the retry period starts: the recording, or a manual retry.
    retry_from       TIMESTAMPTZ NOT NULL,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    -- A sender's lease: no other sender takes the delivery before it ends.
    locked_until     TIMESTAMPTZ,
    last_status_code INTEGER,
    last_error       TEXT CHECK (char_length(last_error) <= 500),
    delivered_at     TIMESTAMPTZ
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);
CREATE INDEX ix_webhook_deliveries_event ON webhook_deliveries (event_id);

CREATE FUNCTION enqueue_webhook_deliveries() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (endpoint_id, event_id, created_at, retry_from, next_attempt_at)
    SELECT w.id, e.id, e.occurred_at, e.occurred_at, e.occurred_at
    FROM recorded e JOIN webhook_endpoints w ON e.event_type = ANY (w.event_types);
    RETURN NULL;
END
$$;

CREATE TRIGGER session_events_enqueue_webhooks
AFTER INSERT ON session_events
REFERENCING NEW TABLE AS recorded
FOR EACH STATEMENT EXECUTE FUNCTION enqueue_webhook_deliveries();
