-- brygga-server schema v1 (PostgreSQL). Times are unix milliseconds.
CREATE TABLE teams (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE TABLE users (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    team_id    BIGINT NOT NULL REFERENCES teams(id),
    created_at BIGINT NOT NULL
);
CREATE TABLE devices (
    id          UUID PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    team_id     BIGINT NOT NULL REFERENCES teams(id),
    public_key  BYTEA NOT NULL,
    name        TEXT NOT NULL,
    enrolled_at BIGINT NOT NULL,
    revoked_at  BIGINT
);
-- Only the SHA-256 of a code is kept.
CREATE TABLE enroll_codes (
    code_hash  TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    device_id  UUID
);
-- server_seq is assigned under a transaction-level advisory lock, so it
-- grows in commit order and a cursor never skips a late commit.
CREATE TABLE ops (
    server_seq  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    op_id       UUID NOT NULL UNIQUE,
    device_id   UUID NOT NULL REFERENCES devices(id),
    seq         BIGINT NOT NULL,
    team_id     BIGINT NOT NULL REFERENCES teams(id),
    case_id     UUID,
    type        TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    UNIQUE (device_id, seq)
);
CREATE INDEX ops_by_team ON ops (team_id, server_seq);
-- The authorisation index: object -> case -> team.
CREATE TABLE objects (
    object_id UUID PRIMARY KEY,
    kind      TEXT NOT NULL,
    case_id   UUID,
    team_id   BIGINT NOT NULL REFERENCES teams(id),
    op_id     UUID NOT NULL
);
CREATE TABLE nonces (
    device_id  UUID NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, nonce)
);
CREATE INDEX nonces_by_expiry ON nonces (expires_at);
CREATE TABLE audit (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      BIGINT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT,
    detail  TEXT NOT NULL
);
