//! The admin's review of the audit trail: the devices' rows (reads
//! included) and the server's own rows together, filtered and sorted by
//! time (`brygga-server audit list`).

use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::store::{AuditRow, Device, HeldAuditRow};
use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// What `audit list` selects; every given filter must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    /// The user a device is enrolled to, or a row's own actor.
    pub user: Option<String>,
    pub pupil: Option<String>,
    pub device: Option<Uuid>,
    pub action: Option<String>,
    /// Unix milliseconds, inclusive.
    pub from_ms: Option<i64>,
    /// Unix milliseconds, inclusive.
    pub to_ms: Option<i64>,
}

/// Where a reviewed row was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Device,
    Server,
}

/// One row of the review, of either source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewRow {
    pub at: String,
    pub at_ms: i64,
    pub source: Source,
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

impl ReviewRow {
    fn of_device(held: HeldAuditRow, users: &HashMap<Uuid, String>) -> ReviewRow {
        let device_id = Uuid::parse_str(&held.row.device_id).ok();
        let r = held.row;
        ReviewRow {
            at: rfc3339(held.at_ms),
            at_ms: held.at_ms,
            source: Source::Device,
            user: device_id.and_then(|d| users.get(&d).cloned()),
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

    fn of_server(row: AuditRow, users: &HashMap<Uuid, String>) -> ReviewRow {
        let r = row.record;
        let device_id = r
            .actor
            .strip_prefix("device:")
            .and_then(|id| Uuid::parse_str(id).ok());
        ReviewRow {
            at: rfc3339(r.at_ms),
            at_ms: r.at_ms,
            source: Source::Server,
            user: device_id.and_then(|d| users.get(&d).cloned()),
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

    fn matches(&self, f: &ReviewFilter) -> bool {
        let user = f
            .user
            .as_ref()
            .is_none_or(|u| self.user.as_ref() == Some(u) || &self.actor == u);
        user && f
            .pupil
            .as_ref()
            .is_none_or(|p| self.pupil_id.as_ref() == Some(p))
            && f.device.is_none_or(|d| self.device_id == Some(d))
            && f.action.as_ref().is_none_or(|a| &self.action == a)
            && f.from_ms.is_none_or(|t| self.at_ms >= t)
            && f.to_ms.is_none_or(|t| self.at_ms <= t)
    }
}

/// The rows of both sources that match `filter`, oldest first (a device's
/// rows of one time in their seq order).
pub fn review(
    device_rows: Vec<HeldAuditRow>,
    server_rows: Vec<AuditRow>,
    devices: &[Device],
    filter: &ReviewFilter,
) -> Vec<ReviewRow> {
    let users: HashMap<Uuid, String> = devices.iter().map(|d| (d.id, d.user.clone())).collect();
    let mut rows: Vec<ReviewRow> = device_rows
        .into_iter()
        .map(|r| ReviewRow::of_device(r, &users))
        .chain(
            server_rows
                .into_iter()
                .map(|r| ReviewRow::of_server(r, &users)),
        )
        .filter(|r| r.matches(filter))
        .collect();
    // Stable: rows of one time keep the order they were stored in.
    rows.sort_by_key(|r| r.at_ms);
    rows
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

    fn held(seq: i64, at_ms: i64, action: &str, pupil: Option<&str>) -> HeldAuditRow {
        HeldAuditRow {
            row: DeviceAuditRow {
                seq,
                at: rfc3339(at_ms),
                actor: "Fiktiv Handläggare".into(),
                device_id: DEV.to_string(),
                action: action.into(),
                object_type: "entry".into(),
                object_id: Some(format!("e{seq}")),
                pupil_id: pupil.map(str::to_string),
                detail: String::new(),
                prev_hash: String::new(),
                hash: String::new(),
            },
            at_ms,
            received_at_ms: at_ms,
            after_break: false,
        }
    }

    fn server(id: i64, at_ms: i64, actor: &str, action: &str) -> AuditRow {
        AuditRow {
            id,
            record: AuditRecord {
                at_ms,
                actor: actor.into(),
                action: action.into(),
                subject: None,
                detail: String::new(),
            },
        }
    }

    fn sample() -> (Vec<HeldAuditRow>, Vec<AuditRow>) {
        (
            vec![
                held(1, 1_000, "read", Some("p1")),
                held(2, 3_000, "update", Some("p2")),
            ],
            vec![
                server(1, 500, "admin", "team.add"),
                server(2, 2_000, &format!("device:{DEV}"), "push"),
            ],
        )
    }

    fn actions(rows: &[ReviewRow]) -> Vec<&str> {
        rows.iter().map(|r| r.action.as_str()).collect()
    }

    #[test]
    fn both_sources_come_together_by_time() {
        let (d, s) = sample();
        let rows = review(d, s, &[device()], &ReviewFilter::default());
        assert_eq!(actions(&rows), vec!["team.add", "read", "push", "update"]);
        assert_eq!(rows[1].source, Source::Device);
        assert_eq!(rows[1].user.as_deref(), Some("fiktiv"));
        assert_eq!(rows[1].object.as_deref(), Some("entry:e1"));
        assert_eq!(rows[2].device_id, Some(DEV));
    }

    #[test]
    fn filters_select_by_user_pupil_device_action_and_time() {
        let select = |filter: ReviewFilter| {
            let (d, s) = sample();
            let rows = review(d, s, &[device()], &filter);
            actions(&rows)
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
        };
        let by_user = select(ReviewFilter {
            user: Some("fiktiv".into()),
            ..Default::default()
        });
        assert_eq!(by_user, vec!["read", "push", "update"]);
        let by_pupil = select(ReviewFilter {
            pupil: Some("p2".into()),
            ..Default::default()
        });
        assert_eq!(by_pupil, vec!["update"]);
        let by_device = select(ReviewFilter {
            device: Some(DEV),
            ..Default::default()
        });
        assert_eq!(by_device, vec!["read", "push", "update"]);
        let by_action = select(ReviewFilter {
            action: Some("read".into()),
            ..Default::default()
        });
        assert_eq!(by_action, vec!["read"]);
        let by_time = select(ReviewFilter {
            from_ms: Some(1_000),
            to_ms: Some(2_000),
            ..Default::default()
        });
        assert_eq!(by_time, vec!["read", "push"]);
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
