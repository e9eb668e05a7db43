//! The decisions of case retention, pure: whether a closed case is due for
//! purging, its purge date, the cut-off of old audit rows, who may read a
//! case's operations, and what a purge's audit row says.
//!
//! A case's dates are the server's: the newest `received_at` of its
//! operations. A laptop's clock (an operation's HLC) is only its claim, and
//! a wrong one must never bring a purge closer.

use crate::store::retention::{Candidate, CasePurge, Keep, OldAudit, Settings};
use crate::store::AuditRecord;
use brygga_protocol::op::{Operation, Payload, SignedOperation};
use chrono::{DateTime, Months};
use uuid::Uuid;

/// The operation types that open, close and reopen a case.
pub const LIFECYCLE_TYPES: [&str; 3] = ["case-opened", "case-closed", "case-reopened"];

/// A case judged against the settings at one time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub case_id: Uuid,
    pub team_id: i64,
    pub closed: bool,
    pub last_received_at_ms: i64,
    /// When a closed case may be purged; None while open.
    pub purge_at_ms: Option<i64>,
    pub keep: Option<Keep>,
    /// Closed, not kept, and its purge date has come.
    pub due: bool,
}

/// Whether the case is closed: its last lifecycle operation in the replay
/// order (HLC, device, seq), as every laptop replays it, is a close. Of a
/// close and a reopen made on two laptops at once, the later in that order
/// stands, here as on the laptops.
pub fn is_closed(lifecycle: &[Operation]) -> bool {
    lifecycle
        .iter()
        .filter(|op| {
            matches!(
                op.payload,
                Payload::CaseOpened { .. }
                    | Payload::CaseClosed { .. }
                    | Payload::CaseReopened { .. }
            )
        })
        .max_by_key(|op| op.order_key())
        .is_some_and(|op| matches!(op.payload, Payload::CaseClosed { .. }))
}

/// `at_ms` plus `years` calendar years, UTC (29 February becomes 28
/// February in a year without one); None when out of range.
pub fn years_after(at_ms: i64, years: u32) -> Option<i64> {
    DateTime::from_timestamp_millis(at_ms)?
        .checked_add_months(Months::new(years.checked_mul(12)?))
        .map(|t| t.timestamp_millis())
}

/// `at_ms` less `years` calendar years, UTC: audit rows received before it
/// are older than `years`.
pub fn years_before(at_ms: i64, years: u32) -> Option<i64> {
    DateTime::from_timestamp_millis(at_ms)?
        .checked_sub_months(Months::new(years.checked_mul(12)?))
        .map(|t| t.timestamp_millis())
}

/// Judges one case at `now_ms`; an error names a stored lifecycle
/// operation that is not one.
pub fn judge(candidate: Candidate, settings: &Settings, now_ms: i64) -> Result<Judged, String> {
    let lifecycle = candidate
        .lifecycle
        .iter()
        .map(|body| {
            serde_json::from_str::<SignedOperation>(body)
                .map(|signed| signed.op)
                .map_err(|e| format!("a stored operation of case {}: {e}", candidate.case_id))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let closed = is_closed(&lifecycle);
    let purge_at_ms = closed
        .then(|| years_after(candidate.last_received_at_ms, settings.case_years))
        .flatten();
    let due = candidate.keep.is_none() && purge_at_ms.is_some_and(|at| at <= now_ms);
    Ok(Judged {
        case_id: candidate.case_id,
        team_id: candidate.team_id,
        closed,
        last_received_at_ms: candidate.last_received_at_ms,
        purge_at_ms,
        keep: candidate.keep,
        due,
    })
}

/// Who may read a case's operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAccess {
    Readable,
    /// Unknown, or another team's (the same answer: nothing about another
    /// team's cases leaks).
    Unknown,
    Purged,
}

/// A device of `team_id` asks for a case; `purged_team` is the team of its
/// tombstone, `case_team` the team of its index row, if any.
pub fn case_access(team_id: i64, purged_team: Option<i64>, case_team: Option<i64>) -> CaseAccess {
    if purged_team == Some(team_id) {
        CaseAccess::Purged
    } else if case_team == Some(team_id) {
        CaseAccess::Readable
    } else {
        CaseAccess::Unknown
    }
}

/// The server's audit row of a purge: counts and dates, never content.
pub fn purge_audit(purge: &CasePurge, ops: u64, objects: u64) -> AuditRecord {
    AuditRecord {
        at_ms: purge.purged_at_ms,
        actor: "admin".into(),
        action: "retention.purge".into(),
        subject: Some(purge.case_id.to_string()),
        detail: format!(
            "team_id={} ops={ops} objects={objects} notice={} {}",
            purge.team_id, purge.notice.notice_id, purge.detail
        ),
    }
}

/// The server's audit row of a purge of old audit rows.
pub fn audit_purge_audit(before_ms: i64, purged: OldAudit, at_ms: i64) -> AuditRecord {
    AuditRecord {
        at_ms,
        actor: "admin".into(),
        action: "retention.audit-purge".into(),
        subject: None,
        detail: format!(
            "device_rows={} server_rows={} before={}",
            purged.device_rows,
            purged.server_rows,
            crate::clock::rfc3339(before_ms)
        ),
    }
}

/// The candidates from a backend's rows: the lifecycle operations
/// `(case, team, body)`, the newest receipt per case `(case, ms)` (one per
/// closed case) and the keep flags, ordered by case id.
pub fn candidates(
    lifecycle: Vec<(Uuid, i64, String)>,
    last_received: Vec<(Uuid, i64)>,
    keeps: Vec<(Uuid, Keep)>,
) -> Vec<Candidate> {
    let mut keeps: std::collections::HashMap<Uuid, Keep> = keeps.into_iter().collect();
    let mut by_case: std::collections::BTreeMap<Uuid, Candidate> = last_received
        .into_iter()
        .map(|(case_id, last)| {
            let candidate = Candidate {
                case_id,
                team_id: 0,
                lifecycle: Vec::new(),
                last_received_at_ms: last,
                keep: keeps.remove(&case_id),
            };
            (case_id, candidate)
        })
        .collect();
    for (case_id, team_id, body) in lifecycle {
        if let Some(c) = by_case.get_mut(&case_id) {
            c.team_id = team_id;
            c.lifecycle.push(body);
        }
    }
    by_case.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use brygga_protocol::hlc::Hlc;
    use brygga_protocol::PROTOCOL_VERSION;

    const CASE: Uuid = Uuid::from_u128(7);
    const DAY: i64 = 86_400_000;

    fn op(device: u128, wall_ms: i64, payload: Payload) -> Operation {
        Operation {
            version: PROTOCOL_VERSION,
            id: Uuid::now_v7(),
            device_id: Uuid::from_u128(device),
            seq: 1,
            hlc: Hlc {
                wall_ms,
                counter: 0,
            },
            author: "Fiktiv Handläggare".into(),
            payload,
        }
    }

    fn opened(device: u128, at: i64) -> Operation {
        op(
            device,
            at,
            Payload::CaseOpened {
                case_id: CASE,
                pupil_id: Uuid::from_u128(1),
            },
        )
    }

    fn closed(device: u128, at: i64) -> Operation {
        op(device, at, Payload::CaseClosed { case_id: CASE })
    }

    fn reopened(device: u128, at: i64) -> Operation {
        op(device, at, Payload::CaseReopened { case_id: CASE })
    }

    fn ms(date: &str) -> i64 {
        DateTime::parse_from_rfc3339(date)
            .expect("date")
            .timestamp_millis()
    }

    fn candidate(ops: &[Operation], last: i64, keep: Option<Keep>) -> Candidate {
        let key = ring::signature::Ed25519KeyPair::from_pkcs8(
            ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
                .expect("keygen")
                .as_ref(),
        )
        .expect("key");
        Candidate {
            case_id: CASE,
            team_id: 3,
            lifecycle: ops
                .iter()
                .map(|o| {
                    serde_json::to_string(&brygga_protocol::signing::sign(o.clone(), &key))
                        .expect("json")
                })
                .collect(),
            last_received_at_ms: last,
            keep,
        }
    }

    #[test]
    fn a_case_is_closed_when_its_last_lifecycle_operation_closes_it() {
        assert!(!is_closed(&[]));
        assert!(!is_closed(&[opened(1, 1)]));
        assert!(is_closed(&[opened(1, 1), closed(1, 2)]));
        assert!(!is_closed(&[opened(1, 1), closed(1, 2), reopened(1, 3)]));
        // The order is the replay order, not the order given.
        assert!(is_closed(&[closed(1, 4), reopened(1, 3), opened(1, 1)]));
        // Other operations do not count.
        let other = op(
            1,
            9,
            Payload::GuardianAdded {
                guardian_id: Uuid::from_u128(3),
                case_id: CASE,
                name: "Fiktiv Vårdnadshavare".into(),
                relation: "mor".into(),
            },
        );
        assert!(is_closed(&[opened(1, 1), closed(1, 2), other]));
    }

    #[test]
    fn a_concurrent_close_and_reopen_go_by_the_order_key() {
        // Same HLC on two laptops: the device id breaks the tie.
        assert!(is_closed(&[opened(1, 1), reopened(2, 5), closed(3, 5)]));
        assert!(!is_closed(&[opened(1, 1), closed(2, 5), reopened(3, 5)]));
    }

    #[test]
    fn the_purge_date_is_calendar_years_after_the_last_receipt() {
        assert_eq!(
            years_after(ms("2021-03-10T12:00:00Z"), 5),
            Some(ms("2026-03-10T12:00:00Z"))
        );
        assert_eq!(
            years_after(ms("2024-02-29T08:00:00Z"), 1),
            Some(ms("2025-02-28T08:00:00Z")),
            "a leap day becomes 28 February"
        );
        assert_eq!(
            years_after(ms("2024-02-29T08:00:00Z"), 4),
            Some(ms("2028-02-29T08:00:00Z"))
        );
        assert_eq!(years_after(5, 0), Some(5));
        assert_eq!(
            years_before(ms("2036-02-29T00:00:00Z"), 10),
            Some(ms("2026-02-28T00:00:00Z"))
        );
        assert_eq!(years_after(0, u32::MAX), None);
    }

    #[test]
    fn a_closed_case_is_due_on_its_purge_date_unless_kept() {
        let settings = Settings::default();
        let last = ms("2020-06-01T10:00:00Z");
        let purge_at = ms("2025-06-01T10:00:00Z");
        let ops = [opened(1, 1), closed(1, 2)];
        let judged = judge(candidate(&ops, last, None), &settings, purge_at).expect("judge");
        assert!(judged.closed && judged.due);
        assert_eq!(judged.purge_at_ms, Some(purge_at));
        assert_eq!((judged.case_id, judged.team_id), (CASE, 3));
        let early = judge(candidate(&ops, last, None), &settings, purge_at - 1).expect("judge");
        assert!(!early.due, "one millisecond before its date");
        let keep = Keep {
            reason: "tillsyn".into(),
            set_at_ms: 1,
        };
        let kept = judge(
            candidate(&ops, last, Some(keep.clone())),
            &settings,
            purge_at + DAY,
        )
        .expect("judge");
        assert!(!kept.due);
        assert_eq!(kept.keep, Some(keep));
        let open = judge(
            candidate(&[opened(1, 1), closed(1, 2), reopened(1, 3)], last, None),
            &settings,
            purge_at + DAY,
        )
        .expect("judge");
        assert!(!open.closed && !open.due);
        assert_eq!(open.purge_at_ms, None);
    }

    #[test]
    fn with_zero_years_a_closed_case_is_due_at_once() {
        let settings = Settings {
            case_years: 0,
            ..Settings::default()
        };
        let judged = judge(
            candidate(&[opened(1, 1), closed(1, 2)], 1000, None),
            &settings,
            1000,
        )
        .expect("judge");
        assert!(judged.due);
    }

    #[test]
    fn the_laptops_clock_does_not_bring_a_purge_closer() {
        // The HLC says 1970; the server received the close in 2024.
        let last = ms("2024-01-01T00:00:00Z");
        let judged = judge(
            candidate(&[opened(1, 1), closed(1, 2)], last, None),
            &Settings::default(),
            ms("2025-01-01T00:00:00Z"),
        )
        .expect("judge");
        assert!(!judged.due);
    }

    #[test]
    fn a_stored_operation_that_is_not_one_is_an_error() {
        let mut c = candidate(&[opened(1, 1)], 0, None);
        c.lifecycle.push("{}".into());
        assert!(judge(c, &Settings::default(), 0)
            .expect_err("bad")
            .contains(&CASE.to_string()));
    }

    #[test]
    fn a_case_is_read_by_its_team_and_a_purged_one_is_gone() {
        assert_eq!(case_access(1, None, Some(1)), CaseAccess::Readable);
        assert_eq!(case_access(1, None, Some(2)), CaseAccess::Unknown);
        assert_eq!(case_access(1, None, None), CaseAccess::Unknown);
        assert_eq!(case_access(1, Some(1), None), CaseAccess::Purged);
        assert_eq!(
            case_access(1, Some(2), None),
            CaseAccess::Unknown,
            "another team's purge is not told"
        );
    }

    #[test]
    fn candidates_are_assembled_per_closed_case() {
        let (a, b) = (Uuid::from_u128(2), Uuid::from_u128(1));
        let keep = Keep {
            reason: "r".into(),
            set_at_ms: 4,
        };
        let got = candidates(
            vec![
                (a, 5, "a1".into()),
                (b, 6, "b1".into()),
                (a, 5, "a2".into()),
                (Uuid::from_u128(9), 5, "open".into()),
            ],
            vec![(a, 10), (b, 20)],
            vec![(b, keep.clone()), (Uuid::from_u128(8), keep.clone())],
        );
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].case_id, got[0].team_id), (b, 6));
        assert_eq!(got[0].keep, Some(keep));
        assert_eq!(got[1].lifecycle, ["a1", "a2"]);
        assert_eq!(
            (got[1].last_received_at_ms, got[1].keep.clone()),
            (10, None)
        );
    }
}
