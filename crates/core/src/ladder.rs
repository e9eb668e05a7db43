//! The return ladder (docs/return-path.md): the steps by which a pupil
//! comes back to class, each case's history of steps and its planned next
//! step.
//!
//! The steps are the municipality's: [`Journal::ladder_steps`] is the one
//! place that says which steps there are, the newest of the server's
//! signed settings notices or, until one reaches the laptop, the built-in
//! [`default_ladder_steps`] (docs/settings.md).

use crate::audit::{Action, Event};
use crate::clock;
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use brygga_protocol::op::Payload;
pub use brygga_protocol::settings::{check_step_key, default_ladder_steps, LadderStep};
use chrono::NaiveDate;
use rusqlite::params;
use serde::Serialize;
use uuid::Uuid;

/// Refuses a key that is not one of `steps` (those in force,
/// [`Journal::ladder_steps`]). Only what is recorded now is checked: a
/// step of the history that the municipality has since removed stays as
/// it was signed.
pub fn check_step(steps: &[LadderStep], key: &str) -> Result<()> {
    if steps.iter().any(|s| s.key == key) {
        return Ok(());
    }
    let known: Vec<_> = steps.iter().map(|s| s.key.as_str()).collect();
    Err(Error::invalid(
        ReasonCode::LadderStepUnknown,
        format!(
            "'{key}' is not a step of the ladder (steps: {})",
            known.join(", ")
        ),
    )
    .with("step", key))
}

/// The field of `mutable_fields` that holds a case's planned next step.
pub(crate) const NEXT_FIELD: &str = "ladder-next";

/// The planned next step as one value (`<step> <date>`): what
/// `mutable_fields` stores and a conflict review shows.
pub(crate) fn next_value(step: &str, on: NaiveDate) -> String {
    format!("{step} {on}")
}

/// A case reaches a step; optionally the next step is planned with it.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewLadderStep {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub case_id: Uuid,
    pub step: String,
    pub note: String,
    /// The planned next step and its date: both or neither.
    pub next_step: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub next_on: Option<NaiveDate>,
}

/// One line of a case's ladder history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LadderRecord {
    pub id: String,
    pub step: String,
    /// YYYY-MM-DD, local.
    pub decided_on: String,
    pub decided_by: String,
    pub note: String,
}

/// The planned next step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlannedStep {
    pub step: String,
    /// YYYY-MM-DD.
    pub on: String,
}

/// A case's ladder: the current step (the last of `history`), the history
/// oldest first, and the planned next step with any concurrent plans kept
/// as conflicts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LadderView {
    pub case_id: String,
    pub current: Option<String>,
    pub history: Vec<LadderRecord>,
    pub next: Option<PlannedStep>,
    pub next_conflicts: Vec<crate::views::ConflictView>,
}

fn planned(value: &str) -> Option<PlannedStep> {
    let (step, on) = value.split_once(' ')?;
    Some(PlannedStep {
        step: step.to_owned(),
        on: on.to_owned(),
    })
}

impl NewLadderStep {
    /// The planned next step, checked: both parts or none, a step of
    /// `steps`.
    fn next(&self, steps: &[LadderStep]) -> Result<Option<(&str, NaiveDate)>> {
        match (self.next_step.as_deref(), self.next_on) {
            (None, None) => Ok(None),
            (Some(step), Some(on)) => {
                check_step(steps, step)?;
                Ok(Some((step, on)))
            }
            _ => Err(Error::invalid(
                ReasonCode::LadderNextIncomplete,
                "a planned next step needs both the step and its date",
            )),
        }
    }
}

impl Journal {
    /// Records the step a case has reached (decided today) and, with it,
    /// the planned next step: one transaction, one operation each.
    pub fn set_ladder_step(&mut self, new: NewLadderStep) -> Result<Uuid> {
        self.set_ladder_step_on(new, clock::today())
    }

    /// [`Journal::set_ladder_step`] decided on another day: the demo
    /// caseload's history.
    pub(crate) fn set_ladder_step_on(
        &mut self,
        new: NewLadderStep,
        decided_on: NaiveDate,
    ) -> Result<Uuid> {
        let steps = self.ladder_steps()?;
        check_step(&steps, &new.step)?;
        let next = new.next(&steps)?;
        self.ensure_case_open(&new.case_id)?;
        let pupil_id = self.pupil_of_case(&new.case_id)?;
        let record_id = Uuid::now_v7();
        let event = |object_type, detail: String| Event {
            action: Action::Create,
            object_type,
            object_id: Some(new.case_id.to_string()),
            pupil_id: Some(pupil_id.clone()),
            detail,
        };
        let mut items = vec![(
            Payload::LadderStepSet {
                record_id,
                case_id: new.case_id,
                step: new.step.clone(),
                decided_on,
                note: new.note.trim().to_owned(),
            },
            event("ladder-step", new.step.clone()),
        )];
        if let Some((step, on)) = next {
            items.push((
                Payload::LadderNextPlanned {
                    case_id: new.case_id,
                    step: step.to_owned(),
                    on,
                    replaces: self.current_op_of("case", &new.case_id, NEXT_FIELD)?,
                },
                event("ladder-next", next_value(step, on)),
            ));
        }
        self.commit_batch(items, None)?;
        Ok(record_id)
    }

    /// A case's ladder; the read is logged.
    pub fn ladder(&self, case_id: Uuid) -> Result<LadderView> {
        let pupil_id = self.pupil_of_case(&case_id)?;
        let history = self.ladder_history(&case_id)?;
        let next = self.field_state("case", &case_id.to_string(), NEXT_FIELD)?;
        self.record(Event {
            action: Action::Read,
            object_type: "ladder",
            object_id: Some(case_id.to_string()),
            pupil_id: Some(pupil_id),
            detail: format!("{} steps", history.len()),
        })?;
        Ok(LadderView {
            case_id: case_id.to_string(),
            current: history.last().map(|r| r.step.clone()),
            history,
            next: next.value.as_deref().and_then(planned),
            next_conflicts: next.conflicts,
        })
    }

    fn ladder_history(&self, case_id: &Uuid) -> Result<Vec<LadderRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, step, decided_on, decided_by, note FROM ladder_steps
             WHERE case_id = ?1 ORDER BY order_key",
        )?;
        let rows = stmt
            .query_map(params![case_id.to_string()], |r| {
                Ok(LadderRecord {
                    id: r.get(0)?,
                    step: r.get(1)?,
                    decided_on: r.get(2)?,
                    decided_by: r.get(3)?,
                    note: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{journal, op_count, pupil, reason};

    fn step(case_id: Uuid, step: &str, next: Option<(&str, &str)>) -> NewLadderStep {
        NewLadderStep {
            case_id,
            step: step.into(),
            note: "  Fiktivt beslut på nätverksmötet ".into(),
            next_step: next.map(|(s, _)| s.to_owned()),
            next_on: next.map(|(_, d)| d.parse().expect("date")),
        }
    }

    #[test]
    fn the_built_in_steps_go_from_home_to_class() {
        let (_dir, j) = journal();
        let steps = j.ladder_steps().expect("steps");
        assert_eq!(steps, default_ladder_steps(), "until the municipality says");
        let keys: Vec<_> = steps.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "home-visits",
                "transition-apartment",
                "calmer-unit",
                "part-time-class",
                "full-time-class"
            ]
        );
    }

    #[test]
    fn a_case_climbs_the_ladder_with_its_history_and_next_step() {
        let (_dir, mut j) = journal();
        let pupil = pupil(&mut j);
        let case = j.open_case(pupil).expect("case");
        assert_eq!(j.ladder(case).expect("ladder").current, None);
        j.set_ladder_step(step(case, "home-visits", None))
            .expect("first step");
        j.set_ladder_step(step(
            case,
            "transition-apartment",
            Some(("calmer-unit", "2026-12-07")),
        ))
        .expect("second step");
        let ladder = j.ladder(case).expect("ladder");
        assert_eq!(ladder.current.as_deref(), Some("transition-apartment"));
        let history: Vec<_> = ladder.history.iter().map(|r| r.step.as_str()).collect();
        assert_eq!(history, ["home-visits", "transition-apartment"]);
        assert_eq!(ladder.history[0].note, "Fiktivt beslut på nätverksmötet");
        assert_eq!(ladder.history[0].decided_by, "Fiktiv Handläggare");
        assert_eq!(
            ladder.next,
            Some(PlannedStep {
                step: "calmer-unit".into(),
                on: "2026-12-07".into()
            })
        );
        assert!(ladder.next_conflicts.is_empty());
        let caseload = j.caseload().expect("caseload");
        assert_eq!(
            caseload[0].ladder_step.as_deref(),
            Some("transition-apartment")
        );
        let chart = j.absence_chart(pupil).expect("chart");
        let markers: Vec<_> = chart
            .interventions
            .iter()
            .filter(|i| i.kind == crate::attendance::InterventionKind::LadderStep)
            .map(|i| i.ladder_step.as_deref())
            .collect();
        assert_eq!(markers.len(), 2, "{markers:?}");
        j.check_replay().expect("replays");
    }

    #[test]
    fn bad_input_is_refused_and_writes_nothing() {
        let (_dir, mut j) = journal();
        let pupil = pupil(&mut j);
        let case = j.open_case(pupil).expect("case");
        let before = op_count(&j);
        let e = j
            .set_ladder_step(step(case, "classroom", None))
            .expect_err("no such step");
        assert_eq!(reason(e), Some(ReasonCode::LadderStepUnknown));
        let mut half = step(case, "home-visits", None);
        half.next_step = Some("calmer-unit".into());
        let e = j
            .set_ladder_step(half)
            .expect_err("a next step needs its date");
        assert_eq!(reason(e), Some(ReasonCode::LadderNextIncomplete));
        let e = j
            .set_ladder_step(step(case, "home-visits", Some(("slussen", "2026-12-07"))))
            .expect_err("the next step is a step too");
        assert_eq!(reason(e), Some(ReasonCode::LadderStepUnknown));
        j.close_case(case).expect("close");
        let closed = op_count(&j);
        j.set_ladder_step(step(case, "home-visits", None))
            .expect_err("a closed case takes no step");
        assert_eq!((before + 1, closed), (closed, op_count(&j)));
    }
}
