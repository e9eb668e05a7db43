-- Version 8: the return path (docs/return-path.md,
-- docs/adr/0023-the-return-ladder-and-schedules.md).
--
-- The ladder's history is written once, one row per operation. The
-- planned next step is a mutable value and lives in mutable_fields like
-- every last-writer-wins value, so it needs no table here.

-- One line of a case's return ladder: the step reached, when it was
-- decided, by whom (the operation's author) and why.
CREATE TABLE ladder_steps (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    step       TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    note       TEXT NOT NULL,
    order_key  TEXT NOT NULL,  -- its place in the replay order: the latest is the current step
    decided_by TEXT NOT NULL
) STRICT;
CREATE INDEX ladder_steps_case ON ladder_steps (case_id, order_key);
