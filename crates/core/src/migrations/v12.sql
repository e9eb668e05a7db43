-- The disclosure register of each case (docs/disclosures.md,
-- docs/adr/0033-deviations-and-disclosures.md).
--
-- Every sharing of information outside the team, written once: to whom,
-- what, and on which ground — a consent of the case (consent_id) or
-- another ground the user named (ground), never both and never neither.
CREATE TABLE disclosures (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    recipient    TEXT NOT NULL,
    what         TEXT NOT NULL,
    consent_id   TEXT REFERENCES consents (id),
    ground       TEXT,
    disclosed_on TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    CHECK ((consent_id IS NULL) <> (ground IS NULL))
) STRICT;

CREATE INDEX disclosures_by_case ON disclosures (case_id);
