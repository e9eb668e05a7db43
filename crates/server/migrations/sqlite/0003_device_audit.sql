-- brygga-server schema v3 (SQLite): the devices' audit logs
-- (docs/adr/0018-audit-log-on-the-server.md). Every row a device sends is
-- kept, also one after a break in its chain: two rows may share a seq
-- (a laptop restored from an old copy writes its seqs again), never a
-- seq and a hash. `at` is the device's own text, `at_ms` the same time
-- for sorting; `after_break` marks the rows from a break to the end of
-- the batch that brought it.
CREATE TABLE device_audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    seq         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    at_ms       INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT,
    pupil_id    TEXT,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    after_break INTEGER NOT NULL,
    UNIQUE (device_id, seq, hash)
);
CREATE INDEX device_audit_by_time ON device_audit (at_ms);
-- Where each device's chain ends as the server holds it: the next row
-- must follow it.
CREATE TABLE audit_chains (
    device_id TEXT PRIMARY KEY REFERENCES devices(id),
    seq       INTEGER NOT NULL,
    hash      TEXT NOT NULL,
    at        TEXT NOT NULL
);
-- Breaks in a device's chain, for the admin; each recorded once.
CREATE TABLE audit_breaks (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL REFERENCES devices(id),
    seq       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    detail    TEXT NOT NULL,
    at        INTEGER NOT NULL
);
