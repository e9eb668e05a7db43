-- brygga-server schema v1 (SQLite). Times are unix milliseconds; ids of
-- devices, operations and objects are hyphenated UUID text.
CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    team_id    INTEGER NOT NULL REFERENCES teams(id),
    created_at INTEGER NOT NULL
);
CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    team_id     INTEGER NOT NULL REFERENCES teams(id),
    public_key  BLOB NOT NULL,
    name        TEXT NOT NULL,
    enrolled_at INTEGER NOT NULL,
    revoked_at  INTEGER
);
-- Only the SHA-256 of a code is kept.
CREATE TABLE enroll_codes (
    code_hash  TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    device_id  TEXT
);
-- AUTOINCREMENT: a server_seq is never reused, so cursors stay valid.
CREATE TABLE ops (
    server_seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id       TEXT NOT NULL UNIQUE,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    seq         INTEGER NOT NULL,
    team_id     INTEGER NOT NULL REFERENCES teams(id),
    case_id     TEXT,
    type        TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (device_id, seq)
);
CREATE INDEX ops_by_team ON ops (team_id, server_seq);
-- The authorisation index: object -> case -> team.
CREATE TABLE objects (
    object_id TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    case_id   TEXT,
    team_id   INTEGER NOT NULL REFERENCES teams(id),
    op_id     TEXT NOT NULL
);
CREATE TABLE nonces (
    device_id  TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_by_expiry ON nonces (expires_at);
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT,
    detail  TEXT NOT NULL
);
