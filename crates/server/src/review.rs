//! The admin's review of the audit trail (`brygga-server audit list`): how
//! a row of the devices' or the server's own, as the store pages them
//! ([`crate::store::Store::audit_page`], filtered and ordered in SQL), is
//! shown, and the texts of its options (times, the paging cursor).

use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::store::{AuditCursor, AuditEntry, AuditRow, AuditSource, Device, HeldAuditRow};
use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// One row of the review, of either source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewRow {
    pub at: String,
    pub at_ms: i64,
    pub source: AuditSource,
    /// The device that wrote the row, or that the server's row is about
    /// when a device acted.
    pub device_id: Option<Uuid>,
    /// The user that device is enrolled to.
    pub user: Option<String>,
    pub actor: String,
    pub action: String,
    /// A device row's `object_type:object_id`, a server row's subject.
    pub object: Option<String>,
    pub pupil_id: Option<String>,
    pub detail: String,
    /// A device row's place in its chain.
    pub seq: Option<i64>,
    /// A device row that came at or after a break in its chain.
    pub after_break: bool,
}

/// The user each device (revoked ones too) is enrolled to.
pub struct Users(HashMap<Uuid, String>);

impl Users {
    pub fn of(devices: &[Device]) -> Users {
        Users(devices.iter().map(|d| (d.id, d.user.clone())).collect())
    }

    fn of_device(&self, id: Option<Uuid>) -> Option<String> {
        id.and_then(|d| self.0.get(&d).cloned())
    }
}

impl ReviewRow {
    /// The row as the review shows it.
    pub fn of(entry: AuditEntry, users: &Users) -> ReviewRow {
        match entry {
            AuditEntry::Device(held) => ReviewRow::of_device(held, users),
            AuditEntry::Server(row) => ReviewRow::of_server(row, users),
        }
    }

    fn of_device(held: HeldAuditRow, users: &Users) -> ReviewRow {
        let device_id = Uuid::parse_str(&held.row.device_id).ok();
        let r = held.row;
        ReviewRow {
            at: rfc3339(held.at_ms),
            at_ms: held.at_ms,
            source: AuditSource::Device,
            user: users.of_device(device_id),
            device_id,
            actor: r.actor,
            action: r.action,
            object: Some(match r.object_id {
                Some(id) => format!("{}:{id}", r.object_type),
                None => r.object_type,
            }),
            pupil_id: r.pupil_id,
            detail: r.detail,
            seq: Some(r.seq),
            after_break: held.after_break,
        }
    }

    fn of_server(row: AuditRow, users: &Users) -> ReviewRow {
        let r = row.record;
        let device_id = r
            .actor
            .strip_prefix("device:")
            .and_then(|id| Uuid::parse_str(id).ok());
        ReviewRow {
            at: rfc3339(r.at_ms),
            at_ms: r.at_ms,
            source: AuditSource::Server,
            user: users.of_device(device_id),
            device_id,
            actor: r.actor,
            action: r.action,
            object: r.subject,
            pupil_id: None,
            detail: r.detail,
            seq: None,
            after_break: false,
        }
    }
}

/// `--after`'s text of a cursor: `AT_MS:SOURCE:ID`, e.g.
/// `1772438400000:device:42`.
pub fn format_cursor(c: AuditCursor) -> String {
    let source = match c.source {
        AuditSource::Device => "device",
        AuditSource::Server => "server",
    };
    format!("{}:{source}:{}", c.at_ms, c.id)
}

/// Reads [`format_cursor`]'s text.
pub fn parse_cursor(text: &str) -> Result<AuditCursor> {
    let bad = || {
        Error::Usage(format!(
            "'{text}' is not a cursor of audit list (AT_MS:device|server:ID)"
        ))
    };
    let mut parts = text.split(':');
    let (Some(at), Some(source), Some(id), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    Ok(AuditCursor {
        at_ms: at.parse().map_err(|_| bad())?,
        source: match source {
            "device" => AuditSource::Device,
            "server" => AuditSource::Server,
            _ => return Err(bad()),
        },
        id: id.parse().map_err(|_| bad())?,
    })
}

/// Which end of a day a bare date stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayEnd {
    Start,
    End,
}

/// `--from`/`--to`: an RFC 3339 time, or a date (UTC) meaning the start
/// or the end of that day.
pub fn parse_time(text: &str, end: DayEnd) -> Result<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp_millis());
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        Error::Usage(format!(
            "'{text}' is not a date (YYYY-MM-DD) nor an RFC 3339 time"
        ))
    })?;
    let time = match end {
        DayEnd::Start => NaiveTime::MIN,
        DayEnd::End => NaiveTime::from_hms_milli_opt(23, 59, 59, 999).expect("a valid time"),
    };
    Ok(date.and_time(time).and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{AuditRecord, DeviceAuditRow, Team};

    const DEV: Uuid = Uuid::from_u128(1);

    fn device() -> Device {
        Device {
            id: DEV,
            user: "fiktiv".into(),
            team: Team {
                id: 1,
                name: "Fiktivt team".into(),
            },
            public_key: vec![0; 32],
            name: "laptop".into(),
            enrolled_at_ms: 0,
            revoked_at_ms: None,
            last_seq_at_revocation: None,
        }
    }

    #[test]
    fn a_row_shows_its_device_and_user() {
        let users = Users::of(&[device()]);
        let held = HeldAuditRow {
            id: 3,
            row: DeviceAuditRow {
                seq: 1,
                at: rfc3339(1_000),
                actor: "Fiktiv Handläggare".into(),
                device_id: DEV.to_string(),
                action: "read".into(),
                object_type: "entry".into(),
                object_id: Some("e1".into()),
                pupil_id: Some("p1".into()),
                detail: String::new(),
                prev_hash: String::new(),
                hash: String::new(),
            },
            at_ms: 1_000,
            received_at_ms: 2_000,
            after_break: false,
        };
        let row = ReviewRow::of(AuditEntry::Device(held), &users);
        assert_eq!(row.source, AuditSource::Device);
        assert_eq!(row.user.as_deref(), Some("fiktiv"));
        assert_eq!(row.object.as_deref(), Some("entry:e1"));
        assert_eq!((row.seq, row.pupil_id.as_deref()), (Some(1), Some("p1")));
        let server = AuditRow {
            id: 4,
            record: AuditRecord {
                at_ms: 2_000,
                actor: format!("device:{DEV}"),
                action: "push".into(),
                subject: None,
                detail: String::new(),
            },
        };
        let row = ReviewRow::of(AuditEntry::Server(server), &users);
        assert_eq!(row.source, AuditSource::Server);
        assert_eq!(row.device_id, Some(DEV));
        assert_eq!(row.user.as_deref(), Some("fiktiv"));
        assert_eq!((row.seq, row.object), (None, None));
    }

    #[test]
    fn a_cursor_reads_back() {
        for c in [
            AuditCursor {
                at_ms: 1_772_438_400_000,
                source: AuditSource::Device,
                id: 42,
            },
            AuditCursor {
                at_ms: -5,
                source: AuditSource::Server,
                id: 1,
            },
        ] {
            assert_eq!(parse_cursor(&format_cursor(c)).expect("cursor"), c);
        }
        assert_eq!(
            format_cursor(AuditCursor {
                at_ms: 7,
                source: AuditSource::Server,
                id: 9,
            }),
            "7:server:9"
        );
        for bad in ["", "7:server", "7:laptop:9", "7:server:9:1", "x:device:1"] {
            assert!(parse_cursor(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_date_is_the_whole_day() {
        let start = parse_time("2026-03-02", DayEnd::Start).expect("date");
        let end = parse_time("2026-03-02", DayEnd::End).expect("date");
        assert_eq!(end - start, 86_400_000 - 1);
        assert_eq!(
            parse_time("2026-03-02T00:00:00Z", DayEnd::End).expect("time"),
            start
        );
        assert!(parse_time("igår", DayEnd::Start).is_err());
    }
}
