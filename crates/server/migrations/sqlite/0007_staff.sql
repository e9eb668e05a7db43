-- brygga-server schema v7 (SQLite): staff accounts for the web pages and
-- their sessions (docs/adr/0036-staff-accounts-and-sessions.md). Roles
-- are comma-separated names; the session's cookie token is kept only as
-- its SHA-256.
CREATE TABLE staff (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    roles          TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    totp_secret    TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    disabled_at    INTEGER,
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    last_failed_at INTEGER,
    last_totp_step INTEGER
);
CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    ended_at   INTEGER
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);
