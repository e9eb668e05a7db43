-- brygga-server schema v5 (PostgreSQL): case retention (issue 11).
-- The municipality's settings, one row: how many calendar years after its
-- last operation a closed case is purged, how long audit rows are kept,
-- and how many days after its last operation a closed case leaves a
-- laptop (devices learn it from a signed notice).
CREATE TABLE retention_settings (
    id                            INTEGER PRIMARY KEY CHECK (id = 1),
    case_years                    INTEGER NOT NULL DEFAULT 5,
    audit_years                   INTEGER NOT NULL DEFAULT 10,
    case_leaves_laptop_after_days INTEGER NOT NULL DEFAULT 30
);
INSERT INTO retention_settings (id) VALUES (1);
-- Cases the admin keeps past their retention time, and why.
CREATE TABLE case_keeps (
    case_id UUID PRIMARY KEY,
    reason  TEXT NOT NULL,
    set_at  BIGINT NOT NULL
);
-- Cases purged: their operations and objects are gone; what a device
-- pushes of them is refused.
CREATE TABLE purged_cases (
    case_id   UUID PRIMARY KEY,
    team_id   BIGINT NOT NULL REFERENCES teams(id),
    purged_at BIGINT NOT NULL,
    notice_id UUID NOT NULL
);
-- What the server says to the devices, signed by its notice key (the
-- SignedNotice JSON as served). An identity: a notice_seq is never
-- reused, so cursors stay valid. team_id NULL: for every team.
CREATE TABLE notices (
    notice_seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notice_id  UUID NOT NULL UNIQUE,
    team_id    BIGINT REFERENCES teams(id),
    body       TEXT NOT NULL,
    issued_at  BIGINT NOT NULL
);
CREATE INDEX notices_by_team ON notices (team_id, notice_seq);
-- A purge and a case's operations find them by case.
CREATE INDEX ops_by_case ON ops (case_id, server_seq);
CREATE INDEX objects_by_case ON objects (case_id);
