-- Version 4: the team's record (docs/adr/0010-convergent-replay.md).
--
-- The journal tables are a replay of the op log in one total order
-- (hlc, device_id, seq), one pupil at a time: every operation belongs to a
-- pupil's scope (all registrations of one personnummer share one), and an
-- operation that arrives late is replayed in its place by replaying its
-- scope again. The tables below are the bookkeeping of that replay.

-- Which scope each created object belongs to (pupil, case, guardian, entry…).
CREATE TABLE object_scopes (
    object_id TEXT PRIMARY KEY,
    scope     TEXT NOT NULL
) STRICT;

-- Which scope each logged operation belongs to. An operation without a row
-- here names an object this device has not received yet; it waits.
CREATE TABLE op_scopes (
    op_id TEXT PRIMARY KEY REFERENCES oplog (op_id),
    scope TEXT NOT NULL
) STRICT;
CREATE INDEX op_scopes_scope ON op_scopes (scope);

-- Operations in the log not yet replayed into the tables (a pull in
-- progress, or one cut off by a crash: replayed at the next open).
CREATE TABLE unreplayed (
    op_id TEXT PRIMARY KEY REFERENCES oplog (op_id)
) STRICT;

-- The newest operation replayed per scope, as "hlc|device_id|seq": a later
-- arrival that sorts after it is applied on top, one that sorts before it
-- replays the scope.
CREATE TABLE scope_replayed (
    scope TEXT PRIMARY KEY,
    last_key TEXT NOT NULL
) STRICT;

-- Present only inside the transaction that replays a scope again: lets it
-- remove the scope's rows, which nothing else may ever do.
CREATE TABLE replaying (
    scope TEXT PRIMARY KEY
) STRICT;

-- Operations in the log that do not apply in their place in the order
-- (deterministic: the same set gives the same rows on every device), with
-- a stable code and its parameters for the UI to word.
CREATE TABLE replay_rejections (
    op_id  TEXT PRIMARY KEY,
    code   TEXT NOT NULL,
    params TEXT NOT NULL,           -- JSON object
    reason TEXT NOT NULL            -- English, for logs and the CLI
) STRICT;

-- A second registration of a personnummer: one pupil, the other id an alias.
CREATE TABLE pupil_aliases (
    alias_id      TEXT PRIMARY KEY,
    pupil_id      TEXT NOT NULL REFERENCES pupils (id),
    name          TEXT NOT NULL,
    school        TEXT NOT NULL,
    grade         INTEGER NOT NULL,
    registered_at TEXT NOT NULL,
    registered_by TEXT NOT NULL
) STRICT;
CREATE INDEX pupil_aliases_pupil ON pupil_aliases (pupil_id);

-- Every version of an entry's content (the draft and each edit), so that a
-- signature can name the version it signs and a lost edit stays readable.
CREATE TABLE entry_versions (
    op_id        TEXT PRIMARY KEY,
    entry_id     TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    content      TEXT NOT NULL,         -- EntryContent as JSON
    device_id    TEXT NOT NULL,
    author       TEXT NOT NULL,
    hlc          TEXT NOT NULL
) STRICT;
CREATE INDEX entry_versions_entry ON entry_versions (entry_id);

-- The version an entry shows (and, once signed, the one signed).
ALTER TABLE entries ADD COLUMN version_op TEXT;

-- What kind of conflict a kept value is: 'concurrent' (two writes that
-- did not see each other) or 'after-signature' (a version that can no
-- longer stand because another version was signed).
ALTER TABLE field_conflicts ADD COLUMN kind TEXT NOT NULL DEFAULT 'concurrent';

-- A refused operation's reason as a stable code and its parameters.
ALTER TABLE quarantine ADD COLUMN code TEXT NOT NULL DEFAULT 'legacy';
ALTER TABLE quarantine ADD COLUMN params TEXT NOT NULL DEFAULT '{}';

-- Public keys of the team's devices, pinned the first time this device
-- sees them in the server's directory: a changed key is refused.
CREATE TABLE device_keys (
    device_id     TEXT PRIMARY KEY,
    public_key    BLOB NOT NULL,
    user          TEXT NOT NULL,
    pinned_at     TEXT NOT NULL,
    revoked_at_ms INTEGER,
    last_seq      INTEGER
) STRICT;

-- The guards of version 1, now with the one exception: a scope replayed
-- again removes its rows first (inside the same transaction, which puts
-- back the same signed rows from the same signed operations).
DROP TRIGGER entries_are_never_deleted;
CREATE TRIGGER entries_are_never_deleted BEFORE DELETE ON entries
WHEN NOT EXISTS (SELECT 1 FROM replaying)
BEGIN SELECT RAISE(ABORT, 'journal entries are never deleted'); END;

DROP TRIGGER corrections_are_never_deleted;
CREATE TRIGGER corrections_are_never_deleted BEFORE DELETE ON corrections
WHEN NOT EXISTS (SELECT 1 FROM replaying)
BEGIN SELECT RAISE(ABORT, 'corrections are never deleted'); END;

-- A version-3 journal is replayed again under the new rules: its tables
-- are emptied here and every operation of its log is replayed into its
-- scope at the first open (Journal::open replays what is left).
INSERT INTO replaying (scope) VALUES ('migration to version 4');
DELETE FROM search_index;
DELETE FROM field_conflicts;
DELETE FROM mutable_fields;
DELETE FROM absence_weeks;
DELETE FROM concern_reports;
DELETE FROM plan_actions;
DELETE FROM plans;
DELETE FROM corrections;
DELETE FROM consents;
DELETE FROM entries;
DELETE FROM guardians;
DELETE FROM cases;
DELETE FROM pupils;
DELETE FROM replaying;
INSERT INTO unreplayed (op_id) SELECT op_id FROM oplog;
