-- brygga-server schema v9 (SQLite): each pupil's weeks of absence in one
-- row, so that a unit manager page reads a row a pupil instead of a fact
-- a week (docs/adr/0040-outcome-weeks-one-row-a-pupil.md). weeks: the
-- last writer's figures of each Monday, packed by the server
-- (outcomes::weeks). The facts are taken again from the operations (the
-- cursor back to 0) so that the first refresh fills the new table from
-- every week, as it does on a new server.
CREATE TABLE outcome_weeks (
    team_id INTEGER NOT NULL,
    pupil   TEXT NOT NULL,
    weeks   TEXT NOT NULL,
    PRIMARY KEY (team_id, pupil)
);
CREATE INDEX outcome_facts_by_kind ON outcome_facts (kind, subject);
DELETE FROM outcome_facts;
UPDATE outcome_cursor SET server_seq = 0 WHERE id = 1;
