-- brygga-server schema v4 (PostgreSQL): the history epoch. A random id for
-- this database's history of operations; a restore from a backup gives
-- the database a new one, and a device that sees it change pushes again
-- what the server may have lost and pulls from the start.
CREATE TABLE history (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    epoch      TEXT NOT NULL,
    started_at BIGINT NOT NULL
);
INSERT INTO history (id, epoch, started_at)
VALUES (1, md5(random()::text || clock_timestamp()::text),
        (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
