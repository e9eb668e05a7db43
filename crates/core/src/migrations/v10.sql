-- Version 10: the team's key persons (docs/contacts.md,
-- docs/adr/0029-a-team-scope.md).
--
-- A key person is written once with the kind of organisation they work
-- in; their organisation's name, role, name, phone and e-mail live in
-- mutable_fields like every last-writer-wins value, so concurrent edits
-- are kept as conflicts by the same code. No CHECK on org_kind: the kinds
-- are the protocol's, and an operation naming one this build does not know
-- never reaches the tables (it waits as newer-format).
CREATE TABLE contacts (
    id       TEXT PRIMARY KEY,
    org_kind TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    left_on  TEXT,  -- the day the person left the role: kept, no longer offered
    left_by  TEXT
) STRICT;
