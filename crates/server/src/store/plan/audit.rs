//! The check of a device's audit chain as it grows on the server
//! (docs/adr/0018-audit-log-on-the-server.md): which pushed rows extend
//! it, which the server holds already, and where it breaks.
//!
//! A backend (in one transaction, holding the device's chain) reads the
//! [`ChainState`] for the batch ([`held_seqs`] says which seqs to look
//! up), calls [`check`], inserts [`ChainPlan::inserts`], the breaks and
//! [`ChainPlan::audits`], and stores [`ChainPlan::head`].

use crate::store::AuditRecord;
use brygga_protocol::api::{AuditBreak, AuditPushResponse, BreakKind};
use brygga_protocol::audit::{AuditRow, GENESIS};
use std::collections::HashMap;
use uuid::Uuid;

/// The newest row of a device's chain as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
    /// The row's own time text (RFC 3339 UTC, milliseconds).
    pub at: String,
}

/// What the server holds of a device's chain, as far as a batch needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainState {
    /// None before the device's first row.
    pub head: Option<ChainHead>,
    /// The hashes held at the seqs [`held_seqs`] named (more than one
    /// where the chain went back and was written again).
    pub held: HashMap<i64, Vec<String>>,
}

/// The seqs of `rows` the server may hold already: those up to its head.
pub fn held_seqs(head: Option<&ChainHead>, rows: &[AuditRow]) -> Vec<i64> {
    let top = head.map_or(0, |h| h.seq);
    rows.iter().map(|r| r.seq).filter(|s| *s <= top).collect()
}

/// A row to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowInsert<'a> {
    pub row: &'a AuditRow,
    /// The row's time for sorting, unix milliseconds (the time it was
    /// received when its own text is not a time).
    pub at_ms: i64,
    /// It came at or after a break in the same batch.
    pub after_break: bool,
}

/// The decisions for one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainPlan<'a> {
    pub inserts: Vec<RowInsert<'a>>,
    pub duplicates: u32,
    pub breaks: Vec<AuditBreak>,
    /// The chain's new head, when the batch moved it.
    pub head: Option<ChainHead>,
}

/// Where `row` breaks the chain that ends at `head`, if it does. A row
/// the server holds already is not asked about.
fn break_at(head: Option<&ChainHead>, row: &AuditRow) -> Option<(BreakKind, String)> {
    let (top, prev) = head.map_or((0, GENESIS), |h| (h.seq, h.hash.as_str()));
    let seq = row.seq;
    if seq <= top {
        // The device sends a seq again with other content. A row newer
        // than all the server holds means its log went back (restored
        // from an old copy) and is written again from there; an older
        // one, that a row the server held was changed.
        let newest = head.map_or("", |h| h.at.as_str());
        return Some(if row.at.as_str() > newest {
            (
                BreakKind::WentBack,
                format!(
                    "row {seq} is new but the server holds rows up to {top}: the log went back"
                ),
            )
        } else {
            (
                BreakKind::Changed,
                format!("row {seq} differs from the row {seq} the server holds"),
            )
        });
    }
    if seq > top + 1 {
        let missing = if seq == top + 2 {
            format!("row {} is missing", top + 1)
        } else {
            format!("rows {} to {} are missing", top + 1, seq - 1)
        };
        return Some((BreakKind::Gap, missing));
    }
    if row.prev_hash != prev {
        return Some((
            BreakKind::Unlinked,
            format!("row {seq} does not follow row {top} the server holds"),
        ));
    }
    if !row.hash_is_valid() {
        return Some((
            BreakKind::BadHash,
            format!("row {seq} does not hash to the hash it carries"),
        ));
    }
    None
}

/// Checks `rows` (ascending seq, one device) against `state`. Every row
/// not held already is stored, also after a break: the chain then goes on
/// from the last row stored, so the device is never stuck resending and
/// nothing it sent is lost. A batch sent again is only duplicates, so a
/// break is recorded once.
pub fn check<'a>(state: &ChainState, rows: &'a [AuditRow], received_at_ms: i64) -> ChainPlan<'a> {
    let mut head = state.head.clone();
    let mut plan = ChainPlan {
        inserts: Vec::new(),
        duplicates: 0,
        breaks: Vec::new(),
        head: None,
    };
    for row in rows {
        let below_head = head.as_ref().is_some_and(|h| row.seq <= h.seq);
        let held = state
            .held
            .get(&row.seq)
            .is_some_and(|hashes| hashes.contains(&row.hash));
        if below_head && held {
            plan.duplicates += 1;
            continue;
        }
        if let Some((kind, detail)) = break_at(head.as_ref(), row) {
            plan.breaks.push(AuditBreak {
                seq: row.seq,
                kind,
                detail,
            });
        }
        plan.inserts.push(RowInsert {
            row,
            at_ms: at_ms(&row.at).unwrap_or(received_at_ms),
            after_break: !plan.breaks.is_empty(),
        });
        head = Some(ChainHead {
            seq: row.seq,
            hash: row.hash.clone(),
            at: row.at.clone(),
        });
    }
    if !plan.inserts.is_empty() {
        plan.head = head;
    }
    plan
}

fn at_ms(at: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.timestamp_millis())
}

impl ChainPlan<'_> {
    /// The server's own audit rows of the batch: one for the push, one
    /// per break.
    pub fn audits(&self, device: Uuid, rows: usize, now_ms: i64) -> Vec<AuditRecord> {
        let record = |action: &str, detail: String| AuditRecord {
            at_ms: now_ms,
            actor: format!("device:{device}"),
            action: action.into(),
            subject: Some(device.to_string()),
            detail,
        };
        let mut audits = vec![record(
            "audit.push",
            format!(
                "count={rows} accepted={} duplicate={} breaks={}",
                self.inserts.len(),
                self.duplicates,
                self.breaks.len()
            ),
        )];
        audits.extend(self.breaks.iter().map(|b| {
            record(
                "audit.break",
                format!("seq={} kind={} {}", b.seq, b.kind.as_str(), b.detail),
            )
        }));
        audits
    }

    /// The answer to the device, which sent rows up to `last_seq`.
    pub fn response(&self, last_seq: i64) -> AuditPushResponse {
        AuditPushResponse {
            held_seq: last_seq,
            accepted: self.inserts.len() as u32,
            duplicate: self.duplicates,
            breaks: self.breaks.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: &str = "2026-03-02T08:00:00.000Z";

    /// A chain of `n` rows from `first` on, each linked to the one before,
    /// starting after `prev` (fictional).
    fn chain(first: i64, n: i64, prev: &str, at: &str) -> Vec<AuditRow> {
        let mut prev = prev.to_string();
        (first..first + n)
            .map(|seq| {
                let mut row = AuditRow {
                    seq,
                    at: at.into(),
                    actor: "Fiktiv Handläggare".into(),
                    device_id: "00000000-0000-0000-0000-000000000001".into(),
                    action: "read".into(),
                    object_type: "entry".into(),
                    object_id: Some(format!("e{seq}")),
                    pupil_id: Some("p1".into()),
                    detail: String::new(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                row.hash = row.compute_hash();
                prev = row.hash.clone();
                row
            })
            .collect()
    }

    /// What the server holds after storing `rows`.
    fn holding(rows: &[AuditRow]) -> ChainState {
        let last = rows.last().expect("rows");
        let mut held: HashMap<i64, Vec<String>> = HashMap::new();
        for r in rows {
            held.entry(r.seq).or_default().push(r.hash.clone());
        }
        ChainState {
            head: Some(ChainHead {
                seq: last.seq,
                hash: last.hash.clone(),
                at: last.at.clone(),
            }),
            held,
        }
    }

    fn kinds(plan: &ChainPlan<'_>) -> Vec<(i64, BreakKind)> {
        plan.breaks.iter().map(|b| (b.seq, b.kind)).collect()
    }

    #[test]
    fn a_first_batch_from_row_one_is_accepted() {
        let rows = chain(1, 3, GENESIS, T0);
        let plan = check(&ChainState::default(), &rows, 0);
        assert_eq!(plan.inserts.len(), 3);
        assert!(plan.breaks.is_empty());
        assert!(plan.inserts.iter().all(|i| !i.after_break));
        assert_eq!(plan.head.map(|h| h.seq), Some(3));
        assert_eq!(plan.inserts[0].at_ms, 1_772_438_400_000);
    }

    #[test]
    fn rows_that_extend_the_chain_are_accepted() {
        let rows = chain(1, 5, GENESIS, T0);
        let plan = check(&holding(&rows[..2]), &rows[2..], 0);
        assert_eq!((plan.inserts.len(), plan.duplicates), (3, 0));
        assert!(plan.breaks.is_empty());
    }

    #[test]
    fn a_batch_sent_again_is_only_duplicates() {
        let rows = chain(1, 5, GENESIS, T0);
        let plan = check(&holding(&rows), &rows[1..], 0);
        assert_eq!((plan.inserts.len(), plan.duplicates), (0, 4));
        assert!(plan.breaks.is_empty() && plan.head.is_none());
        assert_eq!(plan.response(5).held_seq, 5);
    }

    #[test]
    fn a_gap_is_a_break_and_the_rows_are_kept() {
        let rows = chain(1, 6, GENESIS, T0);
        let plan = check(&holding(&rows[..2]), &rows[4..], 0);
        assert_eq!(kinds(&plan), vec![(5, BreakKind::Gap)]);
        assert_eq!(plan.breaks[0].detail, "rows 3 to 4 are missing");
        assert_eq!(plan.inserts.len(), 2);
        assert!(plan.inserts.iter().all(|i| i.after_break));
        assert_eq!(plan.head.map(|h| h.seq), Some(6));
    }

    #[test]
    fn a_first_batch_not_from_row_one_is_a_gap() {
        let rows = chain(1, 3, GENESIS, T0);
        let plan = check(&ChainState::default(), &rows[1..], 0);
        assert_eq!(kinds(&plan), vec![(2, BreakKind::Gap)]);
        assert_eq!(plan.breaks[0].detail, "row 1 is missing");
    }

    #[test]
    fn a_held_row_sent_with_other_content_is_changed() {
        let rows = chain(1, 4, GENESIS, T0);
        let mut changed = rows[1].clone();
        changed.actor = "Någon Annan".into();
        changed.hash = changed.compute_hash();
        let plan = check(&holding(&rows), std::slice::from_ref(&changed), 0);
        assert_eq!(kinds(&plan), vec![(2, BreakKind::Changed)]);
        assert_eq!(plan.inserts.len(), 1, "the changed row is kept too");
    }

    #[test]
    fn a_log_restored_from_an_old_copy_went_back() {
        let rows = chain(1, 6, GENESIS, T0);
        // The laptop is back at row 3 and writes rows 4 and 5 anew, later.
        let rewritten = chain(4, 2, &rows[2].hash, "2026-03-09T08:00:00.000Z");
        let mut batch = rows[1..3].to_vec();
        batch.extend(rewritten);
        let plan = check(&holding(&rows), &batch, 0);
        assert_eq!(plan.duplicates, 2);
        assert_eq!(kinds(&plan), vec![(4, BreakKind::WentBack)]);
        assert_eq!(plan.inserts.len(), 2, "both new rows are kept");
        assert_eq!(plan.head.as_ref().map(|h| h.seq), Some(5));
        // The next row follows the rewritten chain without a new break.
        let mut after: Vec<AuditRow> = batch.clone();
        after.extend(chain(6, 1, &batch[3].hash, "2026-03-09T09:00:00.000Z"));
        let mut state = holding(&rows);
        for r in &batch[2..] {
            state.held.entry(r.seq).or_default().push(r.hash.clone());
        }
        state.head = plan.head.clone();
        let next = check(&state, &after, 0);
        assert!(next.breaks.is_empty(), "{:?}", next.breaks);
        assert_eq!((next.inserts.len(), next.duplicates), (1, 4));
    }

    #[test]
    fn a_row_that_does_not_follow_its_predecessor_is_unlinked() {
        let rows = chain(1, 3, GENESIS, T0);
        let stray = chain(3, 1, &"1".repeat(64), T0);
        let plan = check(&holding(&rows[..2]), &stray, 0);
        assert_eq!(kinds(&plan), vec![(3, BreakKind::Unlinked)]);
    }

    #[test]
    fn a_row_whose_hash_does_not_recompute_is_a_break() {
        let rows = chain(1, 3, GENESIS, T0);
        let mut edited = rows[2].clone();
        edited.detail = "ändrad".into();
        let plan = check(&holding(&rows[..2]), std::slice::from_ref(&edited), 0);
        assert_eq!(kinds(&plan), vec![(3, BreakKind::BadHash)]);
    }

    #[test]
    fn the_server_records_the_push_and_each_break() {
        let rows = chain(1, 6, GENESIS, T0);
        let plan = check(&holding(&rows[..2]), &rows[4..], 0);
        let audits = plan.audits(Uuid::nil(), 2, 7);
        let actions: Vec<&str> = audits.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, vec!["audit.push", "audit.break"]);
        assert!(audits[1].detail.starts_with("seq=5 kind=gap"));
    }

    #[test]
    fn held_seqs_are_those_up_to_the_head() {
        let rows = chain(1, 5, GENESIS, T0);
        let state = holding(&rows[..3]);
        assert_eq!(held_seqs(state.head.as_ref(), &rows[1..]), vec![2, 3]);
        assert!(held_seqs(None, &rows).is_empty());
    }

    #[test]
    fn an_unreadable_time_sorts_at_its_arrival() {
        let mut rows = chain(1, 1, GENESIS, "not a time");
        rows[0].hash = rows[0].compute_hash();
        let plan = check(&ChainState::default(), &rows, 42);
        assert_eq!(plan.inserts[0].at_ms, 42);
    }
}
