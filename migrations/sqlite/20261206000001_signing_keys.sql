-- The deployment's key generations (see the Postgres migration of the same name).
-- Timestamps are microseconds.
CREATE TABLE signing_keys (
    generation         INTEGER PRIMARY KEY NOT NULL CHECK (generation >= 1),
    kid                TEXT NOT NULL UNIQUE,
    algorithm          TEXT NOT NULL CHECK (algorithm = 'ES256'),
    public_x           TEXT NOT NULL,
    public_y           TEXT NOT NULL,
    sealed_private_key BLOB NOT NULL,
    sealed_refresh_key BLOB NOT NULL,
    created_at         INTEGER NOT NULL,
    activates_at       INTEGER NOT NULL,
    retires_at         INTEGER
);
