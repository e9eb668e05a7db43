-- Version 9: programmes (docs/programmes.md,
-- docs/adr/0024-programme-templates.md).
--
-- A case follows at most one programme, written once with the template it
-- started with. Its planned return date lives in mutable_fields like every
-- last-writer-wins value, and a session is done when a signed entry names
-- it in its fields, so neither needs a table here.
CREATE TABLE programmes (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL UNIQUE REFERENCES cases (id),
    template_key TEXT NOT NULL,
    template     TEXT NOT NULL,  -- JSON: the template as it stood when the case started it
    started_on   TEXT NOT NULL,
    started_by   TEXT NOT NULL
) STRICT;
