-- brygga-server schema v4 (SQLite): the history epoch. A random id for
-- this database's history of operations; a restore from a backup gives
-- the database a new one, and a device that sees it change pushes again
-- what the server may have lost and pulls from the start.
CREATE TABLE history (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    epoch      TEXT NOT NULL,
    started_at INTEGER NOT NULL
) STRICT;
INSERT INTO history (id, epoch, started_at)
VALUES (1, lower(hex(randomblob(16))), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
