-- brygga-server schema v8 (SQLite): what the unit manager pages count,
-- taken from the synced operations (docs/adr/0035-outcome-rules-in-one-crate.md,
-- docs/outcomes.md). One row per operation that counts, keyed by its
-- server_seq; never a name, a personnummer or a text. A protected
-- pupil's school is not kept. outcome_cursor: the last server_seq read.
CREATE TABLE outcome_facts (
    server_seq INTEGER PRIMARY KEY,
    team_id    INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    case_id    TEXT,
    subject    TEXT NOT NULL,
    on_date    TEXT,
    label      TEXT,
    label2     TEXT,
    n1         INTEGER NOT NULL DEFAULT 0,
    n2         INTEGER NOT NULL DEFAULT 0,
    n3         INTEGER NOT NULL DEFAULT 0,
    order_key  TEXT NOT NULL
);
CREATE INDEX outcome_facts_by_team ON outcome_facts (team_id);
CREATE INDEX outcome_facts_by_case ON outcome_facts (case_id);
CREATE TABLE outcome_cursor (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    server_seq INTEGER NOT NULL
);
INSERT INTO outcome_cursor (id, server_seq) VALUES (1, 0);
