-- Version 7: cases that leave the laptop, and what the server itself says
-- (docs/retention.md).
--
-- A closed case leaves the journal once the server holds all of its
-- operations and the municipality's waiting time has run; a purged case
-- leaves because the server removed it. Its operations and rows go, and
-- only this record of it stays: enough to show it in the list of cases
-- that can be fetched back, and to know an operation that names it.
CREATE TABLE left_cases (
    case_id   TEXT PRIMARY KEY,
    pupil_id  TEXT NOT NULL,
    reason    TEXT NOT NULL CHECK (reason IN ('closed', 'purged')),
    closed_at TEXT,
    left_at   TEXT NOT NULL
) STRICT;

-- Every object of a left case (the case itself, its entries, guardians,
-- consents, plans…): a later operation naming one belongs to that case.
CREATE TABLE left_objects (
    object_id TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL REFERENCES left_cases (case_id)
) STRICT;
CREATE INDEX left_objects_case ON left_objects (case_id);

-- The notices of the server this device took in, each verified against
-- the server key pinned at enrolment, kept as they came (with the
-- signature) so that `audit verify` can check them again.
CREATE TABLE notices (
    notice_id   TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;

-- Present only inside the transaction that takes a case out of the
-- journal: the one time an operation leaves the log (the server holds
-- it, or the municipality purged it).
CREATE TABLE leaving (
    case_id TEXT PRIMARY KEY
) STRICT;

DROP TRIGGER oplog_is_append_only_delete;
CREATE TRIGGER oplog_is_append_only_delete BEFORE DELETE ON oplog
WHEN NOT EXISTS (SELECT 1 FROM leaving)
BEGIN SELECT RAISE(ABORT, 'the operation log is append-only'); END;
