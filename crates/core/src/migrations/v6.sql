-- Version 6: this device's high-water marks, apart from the log.
--
-- A closed case is to leave the laptop's journal with its operations once
-- the server holds them all. The next operation must still take a seq past
-- every one this device ever wrote (the server refuses a seq used twice)
-- and a clock past every one it wrote, so both are kept here, moved
-- forward in the transaction of each operation it writes.
CREATE TABLE high_water (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL,
    last_hlc TEXT NOT NULL
) STRICT;

INSERT INTO high_water (id, last_seq, last_hlc)
SELECT 1,
       COALESCE((SELECT MAX(o.seq) FROM oplog o JOIN device d ON d.id = o.device_id), 0),
       COALESCE((SELECT MAX(o.hlc) FROM oplog o JOIN device d ON d.id = o.device_id), '');
