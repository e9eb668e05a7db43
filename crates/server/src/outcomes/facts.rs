//! One stored operation as the fact the pages count, or none: what it
//! says of a pupil, a case, a week of absence, an intervention, a step on
//! the return ladder or a deviation, without a name, a personnummer, a
//! text or a protected pupil's school.
//!
//! The kinds and their columns:
//!
//! | kind | subject | case | on_date | label, label2 | n |
//! |---|---|---|---|---|---|
//! | `pupil` | pupil | – | – | school (none if protected) | protected (1/0) |
//! | `case-opened` | pupil | case | the day | – | – |
//! | `case-closed`, `case-reopened` | case | case | the day | – | – |
//! | `week` | pupil | – | Monday | – | scheduled, valid, invalid minutes |
//! | `entry` | entry | case | event day | – | – |
//! | `plan` | plan | case | the day | – | – |
//! | `ladder` | record | case | decided on | step | – |
//! | `deviation` | deviation | case | noted on | partner, category | – |
//! | `deviation-status` | deviation | case | – | status | – |
//! | `programme` | programme | case | started on | – | – |
//!
//! "The day" of an operation is the UTC date of its clock.

use crate::store::outcomes::{FactRow, OutcomeOp, WEEK};
use brygga_protocol::op::{Operation, Payload, SignedOperation};
use chrono::{DateTime, NaiveDate};

/// The operation's place in the replay order (clock, device, seq), as
/// text that sorts the same way.
fn order_key(op: &Operation) -> String {
    format!("{}-{}-{:020}", op.hlc.to_sortable(), op.device_id, op.seq)
}

fn day_of(op: &Operation) -> Option<String> {
    DateTime::from_timestamp_millis(op.hlc.wall_ms).map(|t| t.date_naive().to_string())
}

fn date(d: NaiveDate) -> Option<String> {
    Some(d.to_string())
}

/// The fact of a stored operation; None for one that counts for nothing
/// or does not parse (it was verified when stored, so only a newer
/// format's operation).
pub fn of(stored: &OutcomeOp) -> Option<FactRow> {
    let signed: SignedOperation = serde_json::from_str(&stored.body).ok()?;
    let op = &signed.op;
    let mut row = FactRow {
        server_seq: stored.server_seq,
        team_id: stored.team_id,
        kind: String::new(),
        case_id: stored.case_id,
        subject: String::new(),
        on_date: None,
        label: None,
        label2: None,
        n: [0; 3],
        order_key: order_key(op),
    };
    let (kind, subject) = match &op.payload {
        Payload::PupilRegistered {
            pupil_id,
            school,
            protected_identity,
            ..
        } => {
            row.label = (!protected_identity).then(|| school.clone());
            row.n[0] = i64::from(*protected_identity);
            ("pupil", pupil_id.to_string())
        }
        Payload::CaseOpened { case_id, pupil_id } => {
            row.case_id = Some(*case_id);
            row.on_date = day_of(op);
            ("case-opened", pupil_id.to_string())
        }
        Payload::CaseClosed { case_id } => {
            row.on_date = day_of(op);
            ("case-closed", case_id.to_string())
        }
        Payload::CaseReopened { case_id } => {
            row.on_date = day_of(op);
            ("case-reopened", case_id.to_string())
        }
        Payload::AbsenceWeekRecorded {
            pupil_id,
            week_start,
            scheduled_min,
            valid_absent_min,
            invalid_absent_min,
            ..
        } => {
            row.on_date = date(*week_start);
            row.n = [
                i64::from(*scheduled_min),
                i64::from(*valid_absent_min),
                i64::from(*invalid_absent_min),
            ];
            (WEEK, pupil_id.to_string())
        }
        Payload::EntryDrafted {
            entry_id, content, ..
        } => {
            row.on_date = date(content.event_at.date_naive());
            ("entry", entry_id.to_string())
        }
        Payload::PlanCreated { plan_id, .. } => {
            row.on_date = day_of(op);
            ("plan", plan_id.to_string())
        }
        Payload::LadderStepSet {
            record_id,
            step,
            decided_on,
            ..
        } => {
            row.on_date = date(*decided_on);
            row.label = Some(step.clone());
            ("ladder", record_id.to_string())
        }
        Payload::DeviationRecorded {
            deviation_id,
            partner,
            category,
            noted_on,
            ..
        } => {
            row.on_date = date(*noted_on);
            row.label = Some(partner.as_str().to_owned());
            row.label2 = Some(category.as_str().to_owned());
            ("deviation", deviation_id.to_string())
        }
        Payload::DeviationStatusSet {
            deviation_id,
            status,
            ..
        } => {
            row.label = Some(status.as_str().to_owned());
            ("deviation-status", deviation_id.to_string())
        }
        Payload::ProgrammeStarted {
            programme_id,
            started_on,
            ..
        } => {
            row.on_date = date(*started_on);
            ("programme", programme_id.to_string())
        }
        _ => return None,
    };
    row.kind = kind.to_owned();
    row.subject = subject;
    Some(row)
}
