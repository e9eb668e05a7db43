//! Resolving conflicts: a person looks at the values several laptops wrote
//! at once and chooses which one stands. The choice is a signed operation
//! ([`Payload::ConflictResolved`]) that syncs and converges like any other.

use crate::audit::{Action, Event};
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::views::ConflictView;
use brygga_protocol::op::{ConflictSubject, GuardianField, Payload};
use rusqlite::{params, OptionalExtension};
use uuid::Uuid;

/// Which value of a conflict stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Keep {
    /// The value shown now.
    Current,
    /// The value that lost and is kept for review.
    Lost,
}

struct Conflict {
    object_type: String,
    object_id: String,
    field: String,
    kind: String,
}

fn uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|_| Error::Damaged(format!("a conflict names a bad id {s}")))
}

impl Journal {
    /// The values that lost on one field of one object, oldest first.
    pub(crate) fn conflicts_of(
        &self,
        object_type: &str,
        id: &str,
        field: &str,
    ) -> Result<Vec<ConflictView>> {
        self.conflicts_where(
            "WHERE c.object_type = ?1 AND c.object_id = ?2 AND c.field = ?3",
            params![object_type, id, field],
        )
    }

    /// Every value that lost, oldest first: what the sync status lists.
    pub(crate) fn all_conflicts(&self) -> Result<Vec<ConflictView>> {
        self.conflicts_where("", params![])
    }

    /// One query for both lists, so that a conflict reads the same beside
    /// its field and in the sync status.
    fn conflicts_where(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<ConflictView>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT c.object_type, c.object_id, c.field, c.kind, c.lost_op_id, c.won_op_id,
                    c.lost_value, c.lost_author, c.lost_hlc,
                    COALESCE(m.value, e.text, CASE WHEN w.op_id IS NULL THEN NULL
                        ELSE 'scheduled ' || w.scheduled_min || ' min, valid ' || w.valid_min
                             || ' min, invalid ' || w.invalid_min || ' min' END)
             FROM field_conflicts c
             LEFT JOIN mutable_fields m ON m.object_type = c.object_type
                  AND m.object_id = c.object_id AND m.field = c.field
             LEFT JOIN entries e ON c.object_type = 'entry' AND e.id = c.object_id
             LEFT JOIN absence_weeks w ON c.object_type = 'absence-week'
                  AND w.pupil_id || '/' || w.week_start = c.object_id
             {filter} ORDER BY c.lost_hlc, c.lost_op_id"
        ))?;
        let rows = stmt
            .query_map(args, |r| {
                let hlc: String = r.get(8)?;
                Ok(ConflictView {
                    object_type: r.get(0)?,
                    object_id: r.get(1)?,
                    field: r.get(2)?,
                    kind: r.get(3)?,
                    lost_op_id: r.get(4)?,
                    won_op_id: r.get(5)?,
                    lost_value: r.get(6)?,
                    lost_author: r.get(7)?,
                    lost_at: crate::replay::stored_op_time(hlc),
                    current_value: r.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn conflict(&self, lost_op: &Uuid) -> Result<Conflict> {
        self.conn
            .query_row(
                "SELECT object_type, object_id, field, kind FROM field_conflicts WHERE lost_op_id = ?1",
                [lost_op.to_string()],
                |r| {
                    Ok(Conflict {
                        object_type: r.get(0)?,
                        object_id: r.get(1)?,
                        field: r.get(2)?,
                        kind: r.get(3)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| Error::not_found("conflict", lost_op))
    }

    /// The subject of a conflict and the operation whose value is shown.
    fn subject_and_shown(&self, c: &Conflict) -> Result<(ConflictSubject, String)> {
        let one = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<String> {
            self.conn
                .query_row(sql, p, |r| r.get(0))
                .optional()?
                .ok_or_else(|| {
                    Error::Damaged(format!("conflict on {} without a value", c.object_id))
                })
        };
        match c.object_type.as_str() {
            "entry" => Ok((
                ConflictSubject::EntryContent {
                    entry_id: uuid(&c.object_id)?,
                },
                one(
                    "SELECT version_op FROM entries WHERE id = ?1",
                    &[&c.object_id],
                )?,
            )),
            "absence-week" => {
                let (pupil, week) = c
                    .object_id
                    .split_once('/')
                    .ok_or_else(|| Error::Damaged(format!("bad week {}", c.object_id)))?;
                Ok((
                    ConflictSubject::AbsenceWeek {
                        pupil_id: uuid(pupil)?,
                        week_start: week
                            .parse()
                            .map_err(|_| Error::Damaged(format!("bad week {week}")))?,
                    },
                    one(
                        "SELECT op_id FROM absence_weeks WHERE pupil_id = ?1 AND week_start = ?2",
                        &[&pupil, &week],
                    )?,
                ))
            }
            kind => {
                let shown = one(
                    "SELECT op_id FROM mutable_fields WHERE object_type = ?1 AND object_id = ?2 AND field = ?3",
                    &[&c.object_type, &c.object_id, &c.field],
                )?;
                let id = uuid(&c.object_id)?;
                let subject = match kind {
                    "guardian" => ConflictSubject::GuardianField {
                        guardian_id: id,
                        field: serde_json::from_value::<GuardianField>(serde_json::json!(c.field))
                            .map_err(|_| Error::Damaged(format!("bad field {}", c.field)))?,
                    },
                    "plan-action" if c.field == crate::schedules::FIELD => {
                        ConflictSubject::ActionSchedule { action_id: id }
                    }
                    "plan-action" => ConflictSubject::ActionStatus { action_id: id },
                    "case" if c.field == crate::programme::RETURN_FIELD => {
                        ConflictSubject::ProgrammeReturn { case_id: id }
                    }
                    "case" => ConflictSubject::LadderNext { case_id: id },
                    crate::contacts::OBJECT => ConflictSubject::ContactField {
                        contact_id: id,
                        field: crate::contacts::field_named(&c.field)
                            .ok_or_else(|| Error::Damaged(format!("bad field {}", c.field)))?,
                    },
                    crate::deviations::OBJECT => {
                        ConflictSubject::DeviationStatus { deviation_id: id }
                    }
                    other => return Err(Error::Damaged(format!("unknown conflict on {other}"))),
                };
                Ok((subject, shown))
            }
        }
    }

    /// Every value still to review on the same object and field.
    fn competing(&self, c: &Conflict) -> Result<Vec<Uuid>> {
        let mut stmt = self.conn.prepare(
            "SELECT lost_op_id FROM field_conflicts WHERE object_type = ?1 AND object_id = ?2
             AND field = ?3 ORDER BY lost_op_id",
        )?;
        let ids = stmt
            .query_map(params![c.object_type, c.object_id, c.field], |r| {
                r.get::<_, String>(0)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        ids.iter().map(|s| uuid(s)).collect()
    }

    /// Settles the conflict whose losing operation is `lost_op`: `keep`
    /// says which value stands; every other value of the same field that
    /// waited for review is settled with it. A signed entry keeps its
    /// signed text: a later text can be adopted as a correction
    /// ([`Journal::adopt_as_correction`]) or set aside.
    pub fn resolve_conflict(&mut self, lost_op: Uuid, keep: Keep) -> Result<()> {
        let c = self.conflict(&lost_op)?;
        if keep == Keep::Lost && c.kind == crate::replay::AFTER_SIGNATURE {
            return Err(Error::not_allowed(
                ReasonCode::EntryTextStands,
                "the entry is signed and its text stands; adopt the other text as a correction instead",
            ));
        }
        let payload = self.resolution(&c, lost_op, keep)?;
        self.commit(payload, Self::resolve_event(&c))?;
        Ok(())
    }

    fn resolution(&self, c: &Conflict, lost_op: Uuid, keep: Keep) -> Result<Payload> {
        let (subject, shown) = self.subject_and_shown(c)?;
        let chosen = match keep {
            Keep::Current => uuid(&shown)?,
            Keep::Lost => lost_op,
        };
        Ok(Payload::ConflictResolved {
            subject,
            chosen,
            resolves: self.competing(c)?,
        })
    }

    fn resolve_event(c: &Conflict) -> Event<'static> {
        Event {
            action: Action::Update,
            object_type: "conflict",
            object_id: Some(c.object_id.clone()),
            pupil_id: None,
            detail: format!("{} {}", c.object_type, c.field),
        }
    }

    /// A text that came too late for a signed entry becomes a correction
    /// of it (the original stays readable), and the conflict is settled,
    /// in one transaction.
    pub fn adopt_as_correction(&mut self, lost_op: Uuid, reason: &str) -> Result<Uuid> {
        let c = self.conflict(&lost_op)?;
        if c.kind != crate::replay::AFTER_SIGNATURE {
            return Err(Error::not_allowed(
                ReasonCode::OnlyAfterSignature,
                "only a text that came after the signature becomes a correction",
            ));
        }
        let entry_id = uuid(&c.object_id)?;
        let text: String = self.conn.query_row(
            "SELECT lost_value FROM field_conflicts WHERE lost_op_id = ?1",
            [lost_op.to_string()],
            |r| r.get(0),
        )?;
        let reason = crate::text::required("reason", reason)?;
        let correction_id = Uuid::now_v7();
        let resolution = self.resolution(&c, lost_op, Keep::Current)?;
        self.commit_batch(
            vec![
                (
                    Payload::EntryCorrected {
                        correction_id,
                        entry_id,
                        text,
                        reason,
                    },
                    Event {
                        action: Action::Correct,
                        object_type: "entry",
                        object_id: Some(entry_id.to_string()),
                        pupil_id: None,
                        detail: correction_id.to_string(),
                    },
                ),
                (resolution, Self::resolve_event(&c)),
            ],
            None,
        )?;
        Ok(correction_id)
    }
}
