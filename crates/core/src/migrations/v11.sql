-- Deviations in collaboration (docs/deviations.md,
-- docs/adr/0033-deviations-and-disclosures.md).
--
-- A deviation is written once against a case, optionally one of its plan
-- actions, and a partner organisation by the kind the team's directory of
-- key persons uses. Its status lives in mutable_fields like every
-- last-writer-wins value (absent: open), so two laptops that change it at
-- once end the same and keep the loser as a conflict. No CHECK on partner
-- or category: they are the protocol's, and an operation naming one this
-- build does not know never reaches the tables (it waits as newer-format).
CREATE TABLE deviations (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    action_id   TEXT REFERENCES plan_actions (id),
    partner     TEXT NOT NULL,
    category    TEXT NOT NULL,
    text        TEXT NOT NULL,
    noted_on    TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
) STRICT;

CREATE INDEX deviations_by_case ON deviations (case_id);
