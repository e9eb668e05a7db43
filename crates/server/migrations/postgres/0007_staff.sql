-- brygga-server schema v7 (PostgreSQL): staff accounts for the web pages
-- and their sessions (docs/adr/0036-staff-accounts-and-sessions.md).
-- Roles are comma-separated names; the session's cookie token is kept
-- only as its SHA-256.
CREATE TABLE staff (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    roles          TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    totp_secret    TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    disabled_at    BIGINT,
    failed_logins  BIGINT NOT NULL DEFAULT 0,
    last_failed_at BIGINT,
    last_totp_step BIGINT
);
CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id   BIGINT NOT NULL REFERENCES staff(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    ended_at   BIGINT
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);
