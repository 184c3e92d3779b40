-- A grace replay of a refresh token is honoured only for the client that used it: the token
-- remembers that client's address and browser/OS families. Replays are recorded.

ALTER TABLE refresh_tokens
    ADD COLUMN used_by_ip      INET,
    ADD COLUMN used_by_browser TEXT,
    ADD COLUMN used_by_os      TEXT;

ALTER TABLE session_events DROP CONSTRAINT session_events_event_type_check;
ALTER TABLE session_events ADD CONSTRAINT session_events_event_type_check CHECK (event_type IN (
    'session_created', 'session_revoked', 'ip_changed', 'suspicious_activity',
    'provider_accessed', 'session_trusted', 'session_untrusted', 'refresh_token_reuse',
    'refresh_replayed'
));
