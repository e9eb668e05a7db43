//! Last writer wins, in the total order of replay: the later operation's
//! value stands. When the two writes had not seen each other — the later
//! one names another operation as the one it replaced, and they come from
//! different devices — the earlier value is kept in `field_conflicts` for
//! a person to review; a write that names a kept value as the one it saw
//! settles that conflict. Shared by guardian fields, plan action status,
//! a case's planned next step on the return ladder and programme return
//! date, a plan action's schedule, a key person's fields, a deviation's
//! status, weeks of absence and (through [`keep_conflict`]) entry
//! versions.

use super::{ensure_exists, entries, op_time, pupils};
use crate::error::{Error, ReasonCode, Result};
use crate::ladder::{next_value, NEXT_FIELD};
use crate::programme::RETURN_FIELD;
use crate::schedules;
use crate::store;
use brygga_protocol::op::{ConflictSubject, Operation, Payload};
use chrono::Datelike;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

/// A conflict between writes that had not seen each other.
pub(crate) const CONCURRENT: &str = "concurrent";

/// The object and field a value belongs to.
pub(crate) struct Field {
    pub object_type: &'static str,
    pub object_id: String,
    pub field: String,
}

impl Field {
    pub(crate) fn new(object_type: &'static str, id: &Uuid, field: &str) -> Field {
        Field {
            object_type,
            object_id: id.to_string(),
            field: field.to_owned(),
        }
    }

    fn absence_week(pupil: &str, week_start: &str) -> Field {
        Field {
            object_type: "absence-week",
            object_id: format!("{pupil}/{week_start}"),
            field: "figures".into(),
        }
    }
}

/// The write that lost, as kept for review.
pub(crate) struct Loser<'a> {
    pub op_id: String,
    pub value: &'a str,
    pub author: &'a str,
    pub hlc: String,
}

pub(crate) fn keep_conflict(
    conn: &Connection,
    field: &Field,
    lost: Loser<'_>,
    won_op_id: &str,
    kind: &str,
) -> Result<()> {
    store::exec(
        conn,
        "INSERT OR REPLACE INTO field_conflicts (lost_op_id, object_type, object_id, field,
                                                lost_value, lost_author, lost_hlc, won_op_id, kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            lost.op_id,
            field.object_type,
            field.object_id,
            field.field,
            lost.value,
            lost.author,
            lost.hlc,
            won_op_id,
            kind
        ],
    )?;
    Ok(())
}

/// The writer saw `op_id` and replaced it knowingly: not a conflict.
pub(crate) fn settle_seen(conn: &Connection, op_id: &str) -> Result<()> {
    store::exec(
        conn,
        "DELETE FROM field_conflicts WHERE lost_op_id = ?1",
        [op_id],
    )?;
    Ok(())
}

/// The stored value of a field.
struct Stored {
    value: String,
    device_id: String,
    op_id: String,
    author: String,
    hlc: String,
}

fn stored(conn: &Connection, field: &Field) -> Result<Option<Stored>> {
    Ok(store::row(
        conn,
        "SELECT value, device_id, op_id, author, hlc FROM mutable_fields
             WHERE object_type = ?1 AND object_id = ?2 AND field = ?3",
        params![field.object_type, field.object_id, field.field],
        |r| {
            Ok(Stored {
                value: r.get(0)?,
                device_id: r.get(1)?,
                op_id: r.get(2)?,
                author: r.get(3)?,
                hlc: r.get(4)?,
            })
        },
    )
    .optional()?)
}

pub(crate) fn write_field(
    conn: &Connection,
    op: &Operation,
    field: &Field,
    value: &str,
    replaces: Option<&str>,
) -> Result<()> {
    store::exec(
        conn,
        "INSERT INTO mutable_fields (object_type, object_id, field, value, hlc, device_id,
                                     op_id, replaces, author)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (object_type, object_id, field) DO UPDATE SET
           value = excluded.value, hlc = excluded.hlc, device_id = excluded.device_id,
           op_id = excluded.op_id, replaces = excluded.replaces, author = excluded.author",
        params![
            field.object_type,
            field.object_id,
            field.field,
            value,
            op.hlc.to_sortable(),
            op.device_id.to_string(),
            op.id.to_string(),
            replaces,
            op.author
        ],
    )?;
    Ok(())
}

/// Whether `op` (replacing `replaces`) had seen the value `cur` wrote: it
/// names it, or it comes from the same device, which sees its own writes.
fn saw(op: &Operation, replaces: Option<Uuid>, cur_op: &str, cur_device: &str) -> bool {
    replaces.map(|r| r.to_string()).as_deref() == Some(cur_op)
        || cur_device == op.device_id.to_string()
}

/// A last-writer-wins value of a case (the ladder's planned next step, a
/// programme's return date): the case must be here.
pub(crate) fn set_case_field(
    conn: &Connection,
    op: &Operation,
    case_id: &Uuid,
    field: &str,
    value: &str,
    replaces: Option<Uuid>,
) -> Result<()> {
    ensure_exists(conn, "cases", "case", case_id)?;
    set_field(
        conn,
        op,
        Field::new("case", case_id, field),
        value,
        replaces,
    )
}

/// A mutable field written by `op`: it wins (it is later in the order);
/// a value it had not seen is kept as a conflict.
pub(crate) fn set_field(
    conn: &Connection,
    op: &Operation,
    field: Field,
    value: &str,
    replaces: Option<Uuid>,
) -> Result<()> {
    let cur = stored(conn, &field)?;
    let replaced = replaces.map(|r| r.to_string());
    write_field(conn, op, &field, value, replaced.as_deref())?;
    if let Some(seen) = &replaced {
        settle_seen(conn, seen)?;
    }
    if let Some(cur) = cur.filter(|c| !saw(op, replaces, &c.op_id, &c.device_id)) {
        keep_conflict(
            conn,
            &field,
            Loser {
                op_id: cur.op_id,
                value: &cur.value,
                author: &cur.author,
                hlc: cur.hlc,
            },
            &op.id.to_string(),
            CONCURRENT,
        )?;
    }
    Ok(())
}

/// The figures of a week of absence as one readable value, for the
/// conflict review (`field_conflicts.lost_value`).
pub(crate) fn absence_value(scheduled: u32, valid: u32, invalid: u32) -> String {
    format!("scheduled {scheduled} min, valid {valid} min, invalid {invalid} min")
}

struct Week {
    figures: (u32, u32, u32),
    device_id: String,
    op_id: String,
    author: String,
    hlc: String,
}

fn stored_week(conn: &Connection, pupil: &str, start: &str) -> Result<Option<Week>> {
    Ok(store::row(
        conn,
        "SELECT scheduled_min, valid_min, invalid_min, device_id, op_id, recorded_by, hlc
             FROM absence_weeks WHERE pupil_id = ?1 AND week_start = ?2",
        params![pupil, start],
        |r| {
            Ok(Week {
                figures: (r.get(0)?, r.get(1)?, r.get(2)?),
                device_id: r.get(3)?,
                op_id: r.get(4)?,
                author: r.get(5)?,
                hlc: r.get(6)?,
            })
        },
    )
    .optional()?)
}

/// The figures a week-of-absence operation carries.
struct Figures<'a> {
    pupil: String,
    start: String,
    scheduled: u32,
    valid: u32,
    invalid: u32,
    source: &'a str,
}

fn figures_of<'a>(conn: &Connection, payload: &'a Payload) -> Result<Figures<'a>> {
    let Payload::AbsenceWeekRecorded {
        pupil_id,
        week_start,
        scheduled_min,
        valid_absent_min,
        invalid_absent_min,
        source,
        ..
    } = payload
    else {
        return Err(Error::invalid(
            ReasonCode::NotAnAbsenceWeek,
            "not a week of absence",
        ));
    };
    if week_start.weekday() != chrono::Weekday::Mon {
        return Err(Error::invalid(
            ReasonCode::WeekNotMonday,
            format!("a week of absence starts on a Monday, not on {week_start}"),
        ));
    }
    Ok(Figures {
        pupil: pupils::resolve(conn, pupil_id)?,
        start: week_start.to_string(),
        scheduled: *scheduled_min,
        valid: *valid_absent_min,
        invalid: *invalid_absent_min,
        source,
    })
}

fn write_week(
    conn: &Connection,
    op: &Operation,
    f: &Figures<'_>,
    replaces: Option<&str>,
) -> Result<()> {
    store::exec(
        conn,
        "INSERT INTO absence_weeks (pupil_id, week_start, scheduled_min, valid_min,
                                    invalid_min, source, hlc, device_id, op_id, replaces,
                                    recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (pupil_id, week_start) DO UPDATE SET
           scheduled_min = excluded.scheduled_min, valid_min = excluded.valid_min,
           invalid_min = excluded.invalid_min, source = excluded.source,
           hlc = excluded.hlc, device_id = excluded.device_id, op_id = excluded.op_id,
           replaces = excluded.replaces, recorded_at = excluded.recorded_at,
           recorded_by = excluded.recorded_by",
        params![
            f.pupil,
            f.start,
            f.scheduled,
            f.valid,
            f.invalid,
            f.source,
            op.hlc.to_sortable(),
            op.device_id.to_string(),
            op.id.to_string(),
            replaces,
            op_time(op.hlc),
            op.author
        ],
    )?;
    Ok(())
}

/// One pupil's week of absence: last writer wins like [`set_field`]; the
/// loser of a concurrent import is kept as object `absence-week`
/// `PUPIL/WEEK`.
pub(crate) fn record_absence_week(conn: &Connection, op: &Operation) -> Result<()> {
    let Payload::AbsenceWeekRecorded { replaces, .. } = &op.payload else {
        return Err(Error::invalid(
            ReasonCode::NotAnAbsenceWeek,
            "not a week of absence",
        ));
    };
    let f = figures_of(conn, &op.payload)?;
    let cur = stored_week(conn, &f.pupil, &f.start)?;
    let replaced = replaces.map(|r| r.to_string());
    write_week(conn, op, &f, replaced.as_deref())?;
    if let Some(seen) = &replaced {
        settle_seen(conn, seen)?;
    }
    if let Some(cur) = cur.filter(|c| !saw(op, *replaces, &c.op_id, &c.device_id)) {
        let (s, v, i) = cur.figures;
        keep_conflict(
            conn,
            &Field::absence_week(&f.pupil, &f.start),
            Loser {
                op_id: cur.op_id,
                value: &absence_value(s, v, i),
                author: &cur.author,
                hlc: cur.hlc,
            },
            &op.id.to_string(),
            CONCURRENT,
        )?;
    }
    Ok(())
}

/// The operation that wrote the value `op_id` stands for: itself, or for
/// an earlier choice, the operation that choice kept.
fn logged(conn: &Connection, op_id: &Uuid) -> Result<Operation> {
    let mut op = logged_op(conn, op_id)?;
    for _ in 0..64 {
        match &op.payload {
            Payload::ConflictResolved { chosen, .. } => op = logged_op(conn, chosen)?,
            _ => return Ok(op),
        }
    }
    Err(Error::Damaged(format!(
        "operation {op_id} chooses in a circle"
    )))
}

fn logged_op(conn: &Connection, op_id: &Uuid) -> Result<Operation> {
    let body: String = store::row(
        conn,
        "SELECT body FROM oplog WHERE op_id = ?1",
        [op_id.to_string()],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| Error::not_found("operation", op_id))?;
    let signed: brygga_protocol::op::SignedOperation = serde_json::from_str(&body)
        .map_err(|e| Error::Damaged(format!("unreadable operation in the log: {e}")))?;
    Ok(signed.op)
}

/// A person chose which value of a conflict stands. When it is not the one
/// shown, the choice writes it (as an operation of its own, so a later
/// edit that saw the choice names it); every value named as resolved
/// leaves the review.
pub(crate) fn resolve(
    conn: &Connection,
    op: &Operation,
    subject: &ConflictSubject,
    chosen: Uuid,
    resolves: &[Uuid],
) -> Result<()> {
    let chosen_text = chosen.to_string();
    match subject {
        ConflictSubject::EntryContent { entry_id } => {
            ensure_exists(conn, "entries", "entry", entry_id)?;
            entries::choose(conn, entry_id, &chosen_text)?;
        }
        ConflictSubject::GuardianField { guardian_id, field } => {
            let target = Field::new("guardian", guardian_id, field.as_str());
            choose_field(conn, op, &target, &chosen, |p| match p {
                Payload::GuardianFieldSet {
                    guardian_id: g,
                    field: f,
                    value,
                    ..
                } if g == guardian_id && f == field => Some(value.clone()),
                _ => None,
            })?;
        }
        ConflictSubject::ActionStatus { action_id } => {
            let target = Field::new("plan-action", action_id, "status");
            choose_field(conn, op, &target, &chosen, |p| match p {
                Payload::PlanActionStatusSet {
                    action_id: a,
                    status,
                    ..
                } if a == action_id => Some(status.as_str().to_owned()),
                _ => None,
            })?;
        }
        ConflictSubject::LadderNext { case_id } => {
            let target = Field::new("case", case_id, NEXT_FIELD);
            choose_field(conn, op, &target, &chosen, |p| match p {
                Payload::LadderNextPlanned {
                    case_id: c,
                    step,
                    on,
                    ..
                } if c == case_id => Some(next_value(step, *on)),
                _ => None,
            })?;
        }
        ConflictSubject::ProgrammeReturn { case_id } => {
            let target = Field::new("case", case_id, RETURN_FIELD);
            choose_field(conn, op, &target, &chosen, |p| match p {
                Payload::ProgrammeReturnPlanned { case_id: c, on, .. } if c == case_id => {
                    Some(on.to_string())
                }
                _ => None,
            })?;
        }
        ConflictSubject::ActionSchedule { action_id } => {
            let target = Field::new("plan-action", action_id, schedules::FIELD);
            choose_field(conn, op, &target, &chosen, |p| match p {
                Payload::ActionScheduled {
                    action_id: a,
                    days,
                    time,
                    ..
                } if a == action_id => Some(schedules::value(days, time)),
                _ => None,
            })?;
        }
        ConflictSubject::ContactField { contact_id, field } => {
            let target = Field::new(crate::contacts::OBJECT, contact_id, field.as_str());
            choose_field(conn, op, &target, &chosen, |p| match p {
                Payload::ContactChanged {
                    contact_id: c,
                    field: f,
                    value,
                    ..
                } if c == contact_id && f == field => Some(value.clone()),
                Payload::ContactAdded { contact_id: c, .. } if c == contact_id => {
                    crate::contacts::added_value(p, *field)
                }
                _ => None,
            })?;
        }
        ConflictSubject::DeviationStatus { deviation_id } => {
            let target = Field::new(
                crate::deviations::OBJECT,
                deviation_id,
                crate::deviations::STATUS_FIELD,
            );
            choose_field(conn, op, &target, &chosen, |p| match p {
                Payload::DeviationStatusSet {
                    deviation_id: d,
                    status,
                    ..
                } if d == deviation_id => Some(status.as_str().to_owned()),
                _ => None,
            })?;
        }
        ConflictSubject::AbsenceWeek {
            pupil_id,
            week_start,
        } => {
            let pupil = pupils::resolve(conn, pupil_id)?;
            let start = week_start.to_string();
            let cur = stored_week(conn, &pupil, &start)?
                .ok_or_else(|| Error::not_found("week of absence", pupil_id))?;
            if cur.op_id != chosen_text {
                let picked = logged(conn, &chosen)?;
                let f = figures_of(conn, &picked.payload)?;
                if f.pupil != pupil || f.start != start {
                    return Err(Error::invalid(
                        ReasonCode::NotAFigureOfThisWeek,
                        format!("operation {chosen} is not a figure of this week"),
                    ));
                }
                write_week(conn, op, &f, Some(&chosen_text))?;
            }
        }
    }
    settle_seen(conn, &chosen_text)?;
    for r in resolves {
        settle_seen(conn, &r.to_string())?;
    }
    Ok(())
}

fn choose_field(
    conn: &Connection,
    op: &Operation,
    target: &Field,
    chosen: &Uuid,
    value_of: impl Fn(&Payload) -> Option<String>,
) -> Result<()> {
    let cur = stored(conn, target)?.ok_or_else(|| Error::NotFound {
        what: "field",
        id: target.object_id.clone(),
    })?;
    if cur.op_id == chosen.to_string() {
        return Ok(());
    }
    let value = value_of(&logged(conn, chosen)?.payload).ok_or_else(|| {
        Error::invalid(
            ReasonCode::NotThisField,
            format!(
                "operation {chosen} did not write {} of {}",
                target.field, target.object_id
            ),
        )
    })?;
    write_field(conn, op, target, &value, Some(&chosen.to_string()))
}
