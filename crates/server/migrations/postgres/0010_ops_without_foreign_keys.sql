-- Step 10 (ADR 0041): the write path's tables without foreign keys.
--
-- PostgreSQL checks a foreign key by a trigger per inserted row that reads
-- and share-locks the referenced row: three per stored operation (its
-- device and team, its object's team), over a third of PostgreSQL's CPU
-- for a push. What they guarded holds by construction: an operation is
-- stored only for an admitted device, under that device's team, and no
-- device or team row is ever deleted (a device is revoked, not removed).
ALTER TABLE ops DROP CONSTRAINT ops_device_id_fkey;
ALTER TABLE ops DROP CONSTRAINT ops_team_id_fkey;
ALTER TABLE objects DROP CONSTRAINT objects_team_id_fkey;
