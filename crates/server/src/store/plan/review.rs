//! The order and the pages of the audit review (`brygga-server audit
//! list`; docs/audit.md): the devices' rows and the server's own rows
//! together, by time, a device row before a server row of the same time,
//! and rows of one table and time in the order they were stored — the
//! order [`AuditCursor`] sorts in.
//!
//! A backend reads each table's rows after [`device_after`] /
//! [`server_after`] (by `(time, id)`, filtered, in that order), at most
//! [`fetch`] of them, skipping the server's table when [`server_rows_wanted`]
//! says none can match, and hands both to [`merge`].

use crate::store::{
    AuditCursor, AuditEntry, AuditFilter, AuditPage, AuditRow, AuditSource, HeldAuditRow,
};

/// Where the device rows to read start: strictly after `(at_ms, id)`.
pub fn device_after(after: Option<AuditCursor>) -> Option<(i64, i64)> {
    after.map(|c| match c.source {
        AuditSource::Device => (c.at_ms, c.id),
        // Every device row of that time came before the server's.
        AuditSource::Server => (c.at_ms, i64::MAX),
    })
}

/// Where the server rows to read start: strictly after `(at, id)`.
pub fn server_after(after: Option<AuditCursor>) -> Option<(i64, i64)> {
    after.map(|c| match c.source {
        // None of the server's rows of that time has been shown yet.
        AuditSource::Device => (c.at_ms, i64::MIN),
        AuditSource::Server => (c.at_ms, c.id),
    })
}

/// Whether any server row can match: a server row is about no pupil.
pub fn server_rows_wanted(filter: &AuditFilter) -> bool {
    filter.pupil.is_none()
}

/// How many rows to read from each table for a page of `limit`: one more,
/// to know whether rows follow the page.
pub fn fetch(limit: u32) -> i64 {
    i64::from(limit) + 1
}

impl AuditEntry {
    /// The entry's place in the review's order.
    pub fn cursor(&self) -> AuditCursor {
        match self {
            AuditEntry::Device(r) => AuditCursor {
                at_ms: r.at_ms,
                source: AuditSource::Device,
                id: r.id,
            },
            AuditEntry::Server(r) => AuditCursor {
                at_ms: r.record.at_ms,
                source: AuditSource::Server,
                id: r.id,
            },
        }
    }
}

/// The page of `limit` rows from each table's rows after the cursor (each
/// in `(time, id)` order, as many as [`fetch`] said or all there are).
pub fn merge(device: Vec<HeldAuditRow>, server: Vec<AuditRow>, limit: u32) -> AuditPage {
    let mut device = device.into_iter().map(AuditEntry::Device).peekable();
    let mut server = server.into_iter().map(AuditEntry::Server).peekable();
    let mut rows = Vec::new();
    loop {
        let take_device = match (device.peek(), server.peek()) {
            (Some(d), Some(s)) => d.cursor() < s.cursor(),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if rows.len() == limit as usize {
            // A row follows the page.
            let next = rows.last().map(AuditEntry::cursor);
            return AuditPage { rows, next };
        }
        rows.extend(if take_device {
            device.next()
        } else {
            server.next()
        });
    }
    AuditPage { rows, next: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{AuditRecord, DeviceAuditRow};

    fn held(id: i64, at_ms: i64) -> HeldAuditRow {
        HeldAuditRow {
            id,
            row: DeviceAuditRow {
                seq: id,
                at: String::new(),
                actor: "Fiktiv Handläggare".into(),
                device_id: String::new(),
                action: "read".into(),
                object_type: "entry".into(),
                object_id: None,
                pupil_id: None,
                detail: String::new(),
                prev_hash: String::new(),
                hash: String::new(),
            },
            at_ms,
            received_at_ms: at_ms,
            after_break: false,
        }
    }

    fn server(id: i64, at_ms: i64) -> AuditRow {
        AuditRow {
            id,
            record: AuditRecord {
                at_ms,
                actor: "admin".into(),
                action: "team.add".into(),
                subject: None,
                detail: String::new(),
            },
        }
    }

    fn cursor(at_ms: i64, source: AuditSource, id: i64) -> AuditCursor {
        AuditCursor { at_ms, source, id }
    }

    #[test]
    fn both_tables_come_together_by_time_device_rows_first() {
        let page = merge(
            vec![held(1, 1_000), held(2, 2_000), held(3, 3_000)],
            vec![server(7, 500), server(8, 2_000)],
            10,
        );
        let order: Vec<AuditCursor> = page.rows.iter().map(AuditEntry::cursor).collect();
        use AuditSource::{Device, Server};
        assert_eq!(
            order,
            vec![
                cursor(500, Server, 7),
                cursor(1_000, Device, 1),
                cursor(2_000, Device, 2),
                cursor(2_000, Server, 8),
                cursor(3_000, Device, 3),
            ]
        );
        assert_eq!(page.next, None);
    }

    #[test]
    fn a_full_page_names_its_last_row_when_more_follow() {
        let page = merge(
            vec![held(1, 1_000), held(2, 2_000)],
            vec![server(7, 1_500)],
            2,
        );
        assert_eq!(page.rows.len(), 2);
        assert_eq!(page.next, Some(cursor(1_500, AuditSource::Server, 7)));
        // Exactly full: nothing follows.
        let page = merge(vec![held(1, 1_000)], vec![server(7, 1_500)], 2);
        assert_eq!((page.rows.len(), page.next), (2, None));
    }

    #[test]
    fn each_table_resumes_after_the_cursor() {
        let at_device = Some(cursor(2_000, AuditSource::Device, 5));
        assert_eq!(device_after(at_device), Some((2_000, 5)));
        assert_eq!(server_after(at_device), Some((2_000, i64::MIN)));
        let at_server = Some(cursor(2_000, AuditSource::Server, 9));
        assert_eq!(device_after(at_server), Some((2_000, i64::MAX)));
        assert_eq!(server_after(at_server), Some((2_000, 9)));
        assert_eq!((device_after(None), server_after(None)), (None, None));
    }
}
