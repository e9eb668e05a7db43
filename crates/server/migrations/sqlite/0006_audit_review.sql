-- brygga-server schema v6 (SQLite): indexes for the audit review
-- (`audit list`, docs/audit.md), which reads each table in (time, id)
-- order after a cursor, filtered in SQL. An index's rows end with the
-- rowid (`id`), so (x, time) is read in (time, id) order for one x;
-- `device_audit_by_time` (step 3) serves the unfiltered read.
CREATE INDEX audit_by_time ON audit (at);
CREATE INDEX audit_by_actor ON audit (actor, at);
CREATE INDEX audit_by_action ON audit (action, at);
CREATE INDEX device_audit_by_pupil ON device_audit (pupil_id, at_ms);
CREATE INDEX device_audit_by_device ON device_audit (device_id, at_ms);
CREATE INDEX device_audit_by_action ON device_audit (action, at_ms);
