-- The deployment's key generations, shared by every instance on the database. Each holds
-- the ES256 key that signs access tokens and the key that derives refresh-token successors,
-- both sealed (AES-256-GCM) with the master key every instance is configured with; the
-- public key is stored as the JWK's coordinates. A generation's number is its primary key:
-- instances rotating at the same moment propose the same number, and one insert wins.
CREATE TABLE signing_keys (
    generation         INTEGER PRIMARY KEY CHECK (generation >= 1),
    kid                TEXT NOT NULL UNIQUE,
    algorithm          TEXT NOT NULL CHECK (algorithm = 'ES256'),
    public_x           TEXT NOT NULL,
    public_y           TEXT NOT NULL,
    sealed_private_key BYTEA NOT NULL,
    sealed_refresh_key BYTEA NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    activates_at       TIMESTAMPTZ NOT NULL,
    -- When the next generation activates; set when that one is created.
    retires_at         TIMESTAMPTZ
);
