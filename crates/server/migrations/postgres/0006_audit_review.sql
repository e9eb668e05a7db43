-- brygga-server schema v6 (PostgreSQL): indexes for the audit review
-- (`audit list`, docs/audit.md), which reads each table in (time, id)
-- order after a cursor, filtered in SQL: for one pupil, device, actor or
-- action, or none. The time index of step 3 gets the id too.
DROP INDEX device_audit_by_time;
CREATE INDEX device_audit_by_time ON device_audit (at_ms, id);
CREATE INDEX device_audit_by_pupil ON device_audit (pupil_id, at_ms, id);
CREATE INDEX device_audit_by_device ON device_audit (device_id, at_ms, id);
CREATE INDEX device_audit_by_action ON device_audit (action, at_ms, id);
CREATE INDEX audit_by_time ON audit (at, id);
CREATE INDEX audit_by_actor ON audit (actor, at, id);
CREATE INDEX audit_by_action ON audit (action, at, id);
