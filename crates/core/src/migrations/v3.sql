-- Version 3: school attendance (frånvaro) and local settings.

-- One row per pupil and ISO week, materialised from absence-week-recorded
-- operations (replay.rs). The figures are minutes; a re-import of the same
-- week replaces the row when its operation wins by (hlc, device_id), and a
-- concurrent loser is kept in field_conflicts (object_type 'absence-week').
CREATE TABLE absence_weeks (
    pupil_id      TEXT NOT NULL REFERENCES pupils (id),
    week_start    TEXT NOT NULL,        -- the Monday, YYYY-MM-DD
    scheduled_min INTEGER NOT NULL CHECK (scheduled_min >= 0),
    valid_min     INTEGER NOT NULL CHECK (valid_min >= 0),
    invalid_min   INTEGER NOT NULL CHECK (invalid_min >= 0),
    source        TEXT NOT NULL,        -- the imported file's name
    hlc           TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    op_id         TEXT NOT NULL,
    replaces      TEXT,
    recorded_at   TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    PRIMARY KEY (pupil_id, week_start)
) STRICT;
CREATE INDEX absence_weeks_week ON absence_weeks (week_start);

-- Settings of this journal that are not journal data (not in the op log):
-- absence_thresholds is a JSON array of three ascending percentages.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
INSERT INTO settings (key, value) VALUES ('absence_thresholds', '[10,15,20]');
