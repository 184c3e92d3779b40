-- The audit trail outlives sessions: deleting sessions (cleanup, a user's deletion) deletes
-- their refresh tokens only; events have a retention of their own, enforced in batches by
-- the cleanup along their time. A user's deletion erases their events and leaves one
-- `user_deleted` record without personal data, which belongs to no session.

CREATE OR REPLACE FUNCTION delete_children_of_deleted_sessions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM refresh_tokens WHERE session_id = ANY(ARRAY(SELECT id FROM deleted_sessions));
    RETURN NULL;
END
$$;

-- An event names an existing session when it names one.
CREATE OR REPLACE FUNCTION require_existing_session() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.session_id IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM FROM sessions WHERE id = NEW.session_id FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%" violates the reference to sessions',
            TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (session_id)=(%s) is not present in table "sessions".',
                                  NEW.session_id);
    END IF;
    RETURN NEW;
END
$$;

ALTER TABLE session_events ALTER COLUMN session_id DROP NOT NULL;
ALTER TABLE session_events DROP CONSTRAINT session_events_event_type_check;
ALTER TABLE session_events ADD CONSTRAINT session_events_event_type_check CHECK (event_type IN (
    'session_created', 'session_revoked', 'ip_changed', 'suspicious_activity',
    'provider_accessed', 'session_trusted', 'session_untrusted', 'refresh_token_reuse',
    'refresh_replayed', 'user_deleted'
));
ALTER TABLE session_events ADD CONSTRAINT session_events_only_user_deleted_without_session
    CHECK ((session_id IS NULL) = (event_type = 'user_deleted'));

-- The retention's walk (oldest first) and a user's erasure.
CREATE INDEX ix_session_events_occurred_at ON session_events (occurred_at);
CREATE INDEX ix_session_events_user_id ON session_events (user_id);
