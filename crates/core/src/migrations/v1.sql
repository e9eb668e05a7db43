-- Brygga journal schema, version 1.
-- Tables below `oplog` are a deterministic replay of it (see replay.rs);
-- `audit` and `device` are local records outside the replay.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- This device's identity. The Ed25519 private key (PKCS#8) lives only here,
-- inside the encrypted file.
CREATE TABLE device (
    id         TEXT PRIMARY KEY,
    author     TEXT NOT NULL,
    pkcs8      BLOB NOT NULL,
    public_key BLOB NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE oplog (
    op_id      TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    hlc        TEXT NOT NULL,
    type       TEXT NOT NULL,
    body       TEXT NOT NULL,          -- the SignedOperation as JSON
    UNIQUE (device_id, seq)
) STRICT;
CREATE INDEX oplog_replay_order ON oplog (hlc, device_id, seq);

CREATE TABLE pupils (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    personnummer       TEXT NOT NULL UNIQUE,
    school             TEXT NOT NULL,
    grade              INTEGER NOT NULL,
    protected_identity INTEGER NOT NULL,
    registered_at      TEXT NOT NULL,
    registered_by      TEXT NOT NULL
) STRICT;

CREATE TABLE cases (
    id        TEXT PRIMARY KEY,
    pupil_id  TEXT NOT NULL REFERENCES pupils (id),
    status    TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_at TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    closed_at TEXT
) STRICT;
CREATE INDEX cases_pupil ON cases (pupil_id);

CREATE TABLE guardians (
    id       TEXT PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES cases (id),
    name     TEXT NOT NULL,
    relation TEXT NOT NULL
) STRICT;
CREATE INDEX guardians_case ON guardians (case_id);

-- Mutable fields, last writer wins by (hlc, device_id).
CREATE TABLE mutable_fields (
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    field       TEXT NOT NULL,
    value       TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    op_id       TEXT NOT NULL,
    replaces    TEXT,
    author      TEXT NOT NULL,
    PRIMARY KEY (object_type, object_id, field)
) STRICT;

-- The value that lost a concurrent edit, kept for review.
CREATE TABLE field_conflicts (
    lost_op_id  TEXT PRIMARY KEY,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    field       TEXT NOT NULL,
    lost_value  TEXT NOT NULL,
    lost_author TEXT NOT NULL,
    lost_hlc    TEXT NOT NULL,
    won_op_id   TEXT NOT NULL
) STRICT;

CREATE TABLE consents (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    guardian_id  TEXT REFERENCES guardians (id),
    scope        TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    form         TEXT NOT NULL CHECK (form IN ('oral', 'written')),
    given_on     TEXT NOT NULL,
    valid_until  TEXT,
    withdrawn_on TEXT,
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL
) STRICT;
CREATE INDEX consents_case ON consents (case_id);

CREATE TABLE entries (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'signed')),
    event_at     TEXT NOT NULL,
    written_at   TEXT NOT NULL,
    author       TEXT NOT NULL,
    participants TEXT NOT NULL,        -- JSON array
    fields       TEXT NOT NULL,        -- JSON object
    text         TEXT NOT NULL,
    signed_at    TEXT,
    signed_by    TEXT
) STRICT;
CREATE INDEX entries_case ON entries (case_id, event_at);

CREATE TABLE corrections (
    id         TEXT PRIMARY KEY,
    entry_id   TEXT NOT NULL REFERENCES entries (id),
    text       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    written_at TEXT NOT NULL,
    author     TEXT NOT NULL
) STRICT;
CREATE INDEX corrections_entry ON corrections (entry_id);

CREATE TABLE plans (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    needs        TEXT NOT NULL,
    goals        TEXT NOT NULL,        -- JSON array
    lead_party   TEXT NOT NULL,
    follow_up_on TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    author       TEXT NOT NULL
) STRICT;
CREATE INDEX plans_case ON plans (case_id);

CREATE TABLE plan_actions (
    id       TEXT PRIMARY KEY,
    plan_id  TEXT NOT NULL REFERENCES plans (id),
    position INTEGER NOT NULL,
    who      TEXT NOT NULL,
    what     TEXT NOT NULL,
    due_on   TEXT
) STRICT;

CREATE TABLE concern_reports (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    reported_at TEXT NOT NULL,
    to_whom     TEXT NOT NULL,
    by_whom     TEXT NOT NULL,
    summary     TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
) STRICT;

-- Entry and correction text, searchable inside the encrypted file.
-- Diacritics are kept: in Swedish "får" and "far" are different words.
CREATE VIRTUAL TABLE search_index USING fts5 (
    text,
    entry_id UNINDEXED,
    correction_id UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT,
    pupil_id    TEXT,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
) STRICT;
CREATE INDEX audit_pupil ON audit (pupil_id, at);

-- What is written once stays written. These guard against bugs in this
-- program; the hash chains guard against everyone else.
CREATE TRIGGER signed_entries_are_immutable BEFORE UPDATE ON entries
WHEN OLD.status = 'signed'
BEGIN SELECT RAISE(ABORT, 'a signed entry cannot be changed; write a correction'); END;

CREATE TRIGGER entries_are_never_deleted BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'journal entries are never deleted'); END;

CREATE TRIGGER corrections_are_immutable BEFORE UPDATE ON corrections
BEGIN SELECT RAISE(ABORT, 'a correction cannot be changed'); END;

CREATE TRIGGER corrections_are_never_deleted BEFORE DELETE ON corrections
BEGIN SELECT RAISE(ABORT, 'corrections are never deleted'); END;

CREATE TRIGGER oplog_is_append_only_update BEFORE UPDATE ON oplog
BEGIN SELECT RAISE(ABORT, 'the operation log is append-only'); END;

CREATE TRIGGER oplog_is_append_only_delete BEFORE DELETE ON oplog
BEGIN SELECT RAISE(ABORT, 'the operation log is append-only'); END;

CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
