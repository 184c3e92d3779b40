-- Every event says who caused it and from where: the actor (`user` with the session acted
-- through, `admin`, `service`, `system`; `unrecorded` for events older than this column and
-- a row written without one, e.g. by a bulk import), the incident an administrator's
-- revocation belonged to, and the request's client address,
-- user agent, device and location. Account events belong to no session: `login_failed`
-- (to no account either when the address tried names none), `password_changed`,
-- `user_deleted`. Indexes serve the administrators' search: each filter is an index scan.

ALTER TABLE session_events
    ADD COLUMN actor TEXT NOT NULL DEFAULT 'unrecorded'
        CHECK (actor IN ('user', 'admin', 'service', 'system', 'unrecorded')),
    ADD COLUMN actor_session_id UUID,
    ADD COLUMN incident_id UUID,
    ADD COLUMN ip INET,
    ADD COLUMN user_agent TEXT CHECK (char_length(user_agent) <= 512),
    ADD COLUMN device TEXT,
    ADD COLUMN location TEXT;
ALTER TABLE session_events ALTER COLUMN user_id DROP NOT NULL;

ALTER TABLE session_events DROP CONSTRAINT session_events_event_type_check;
ALTER TABLE session_events ADD CONSTRAINT session_events_event_type_check CHECK (event_type IN (
    'session_created', 'session_revoked', 'ip_changed', 'suspicious_activity',
    'provider_accessed', 'session_trusted', 'session_untrusted', 'refresh_token_reuse',
    'refresh_replayed', 'login_failed', 'password_changed', 'user_deleted'
));
ALTER TABLE session_events DROP CONSTRAINT session_events_only_user_deleted_without_session;
ALTER TABLE session_events ADD CONSTRAINT session_events_only_account_events_without_session
    CHECK ((session_id IS NULL)
           = (event_type IN ('login_failed', 'password_changed', 'user_deleted')));
ALTER TABLE session_events ADD CONSTRAINT session_events_only_failed_logins_without_user
    CHECK (user_id IS NOT NULL OR event_type = 'login_failed');

-- Search by account walks newest first within it; by type likewise; by network through a
-- GiST index, whose inet operators answer "inside this CIDR".
DROP INDEX ix_session_events_user_id;
CREATE INDEX ix_session_events_user_id ON session_events (user_id, id);
CREATE INDEX ix_session_events_type ON session_events (event_type, id);
CREATE INDEX ix_session_events_ip ON session_events USING gist (ip inet_ops);
