-- Version 8: the return path (docs/return-path.md,
-- docs/adr/0023-the-return-ladder-and-schedules.md).
--
-- The ladder's history and the follow-ups are written once, one row per
-- operation. The mutable values — a case's planned next step, a plan
-- action's weekly schedule — live in mutable_fields like every
-- last-writer-wins value, so they need no table here.

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

-- Something to do about a pupil the same day (an expected pupil was not
-- seen at the morning check-in), shown until it is done.
CREATE TABLE followups (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    task       TEXT NOT NULL CHECK (task IN ('call-guardian', 'book-home-visit')),
    due_on     TEXT NOT NULL,
    entry_id   TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    done_on    TEXT,
    done_by    TEXT
) STRICT;
CREATE INDEX followups_case ON followups (case_id);
