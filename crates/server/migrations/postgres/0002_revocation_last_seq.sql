-- brygga-server schema v2 (PostgreSQL): the highest seq of a device's
-- operations the server had accepted when the device was revoked (0 when
-- none); NULL while the device is active. Clients refuse a revoked
-- device's operations above it.
ALTER TABLE devices ADD COLUMN last_seq_at_revocation BIGINT;
-- Devices revoked before v2: a revoked device stores nothing more, so
-- its highest stored seq now is the one at its revocation.
UPDATE devices
SET last_seq_at_revocation =
    (SELECT COALESCE(MAX(o.seq), 0) FROM ops o WHERE o.device_id = devices.id)
WHERE revoked_at IS NOT NULL;
