-- Refresh tokens and events still cascade from sessions, but once per statement instead of
-- once per row. A foreign key's cascade runs a trigger, and a query per child table, for
-- every deleted session: most of a cleanup batch's time (bench/PROFILE.md, fourth round).
-- The same guarantees, set-based:
-- - deleting sessions (cleanup, or a user's deletion cascading to their sessions) deletes
--   their refresh tokens and events in the same statement, one lookup of the deleted ids
--   per table;
-- - a token or event can only be written for a session that exists, and the session is
--   locked against deletion until the writer commits (FOR KEY SHARE, as a foreign key does).
-- Correct under READ COMMITTED, the only level the service uses: the cascade's deletes take
-- a snapshot after the sessions are gone, so they see any row a writer committed first.

ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_session_id_fkey;
ALTER TABLE session_events DROP CONSTRAINT session_events_session_id_fkey;

-- The cascade: one delete per child table for all the sessions a statement deleted, each an
-- index lookup of the deleted ids (`= ANY(ARRAY(…))`: an `IN (SELECT …)` may be planned as a
-- scan of the whole child table when its statistics are stale).
CREATE FUNCTION delete_children_of_deleted_sessions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM refresh_tokens WHERE session_id = ANY(ARRAY(SELECT id FROM deleted_sessions));
    DELETE FROM session_events WHERE session_id = ANY(ARRAY(SELECT id FROM deleted_sessions));
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_cascade_to_children
AFTER DELETE ON sessions
REFERENCING OLD TABLE AS deleted_sessions
FOR EACH STATEMENT EXECUTE FUNCTION delete_children_of_deleted_sessions();

-- The reference check: the session must exist, and stays until this transaction ends.
CREATE FUNCTION require_existing_session() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
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

CREATE TRIGGER refresh_tokens_reference_sessions
BEFORE INSERT OR UPDATE OF session_id ON refresh_tokens
FOR EACH ROW EXECUTE FUNCTION require_existing_session();

CREATE TRIGGER session_events_reference_sessions
BEFORE INSERT OR UPDATE OF session_id ON session_events
FOR EACH ROW EXECUTE FUNCTION require_existing_session();
