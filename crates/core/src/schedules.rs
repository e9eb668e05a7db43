//! Plan actions that happen each week at a time ("meets the pupil at the
//! entrance Monday and Wednesday 08:10"), and from them the pupils
//! expected on a morning (docs/return-path.md).
//!
//! A schedule is a last-writer-wins value of its action in
//! `mutable_fields` (field [`FIELD`]), stored as `mon,wed 08:10`.

use crate::audit::{Action, Event};
use crate::clock;
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use brygga_protocol::op::Payload;
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use serde::Serialize;
use uuid::Uuid;

/// The field of `mutable_fields` that holds an action's schedule.
pub(crate) const FIELD: &str = "schedule";

/// A weekday as the command line and the stored value write it: `mon`.
pub fn day_key(day: Weekday) -> String {
    day.to_string().to_lowercase()
}

/// A schedule as one value: `mon,wed 08:10`.
pub(crate) fn value(days: &[Weekday], time: &str) -> String {
    let days: Vec<_> = days.iter().map(|d| day_key(*d)).collect();
    format!("{} {time}", days.join(","))
}

/// When a plan action happens each week.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Schedule {
    /// `mon` … `sun`, Monday first.
    pub days: Vec<String>,
    /// HH:MM, local time.
    pub time: String,
}

impl Schedule {
    /// Reads a stored value; None for one that does not read as a schedule.
    pub(crate) fn parse(stored: &str) -> Option<Schedule> {
        let (days, time) = stored.split_once(' ')?;
        Some(Schedule {
            days: days.split(',').map(str::to_owned).collect(),
            time: time.to_owned(),
        })
    }

    fn on(&self, day: Weekday) -> bool {
        self.days.contains(&day_key(day))
    }
}

/// A pupil expected on a day: an open case with a scheduled action on
/// that weekday.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExpectedPupil {
    pub case_id: String,
    pub pupil_id: String,
    pub pupil_name: String,
    /// HH:MM: the earliest scheduled action of the day.
    pub time: String,
    pub action_id: String,
    /// What the action is.
    pub what: String,
}

/// Days Monday first, each once; refuses none and a time that is not HH:MM.
fn checked(mut days: Vec<Weekday>, time: &str) -> Result<(Vec<Weekday>, String)> {
    days.sort_by_key(|d| d.num_days_from_monday());
    days.dedup();
    if days.is_empty() {
        return Err(Error::invalid(
            ReasonCode::ScheduleNoDays,
            "a schedule needs at least one weekday",
        ));
    }
    let time = time.trim();
    let parsed = NaiveTime::parse_from_str(time, "%H:%M").map_err(|_| {
        Error::invalid(
            ReasonCode::ScheduleTime,
            format!("'{time}' is not a time of day; expected HH:MM, e.g. 08:10"),
        )
        .with("time", time)
    })?;
    Ok((days, parsed.format("%H:%M").to_string()))
}

impl Journal {
    /// Sets when a plan action happens each week; the action's case must
    /// be open.
    pub fn schedule_action(
        &mut self,
        action_id: Uuid,
        days: Vec<Weekday>,
        time: &str,
    ) -> Result<()> {
        let (days, time) = checked(days, time)?;
        let case_id = self.case_of_action(&action_id)?;
        self.ensure_case_open(&case_id)?;
        let replaces = self.current_op_of("plan-action", &action_id, FIELD)?;
        let event = self.action_changed(&action_id, &case_id, value(&days, &time))?;
        self.commit(
            Payload::ActionScheduled {
                action_id,
                days,
                time,
                replaces,
            },
            event,
        )?;
        Ok(())
    }

    /// The pupils expected on `day` (default today), earliest first (then
    /// by name). An action that is done or cancelled expects no one.
    pub fn expected(&self, day: Option<NaiveDate>) -> Result<Vec<ExpectedPupil>> {
        let day = day.unwrap_or_else(clock::today);
        let out = self.expected_on(day)?;
        self.record(Event {
            action: Action::List,
            object_type: "expected",
            object_id: None,
            pupil_id: None,
            detail: format!("{day}: {} pupils", out.len()),
        })?;
        Ok(out)
    }

    /// [`Journal::expected`] without its audit row, for the check-in board.
    pub(crate) fn expected_on(&self, day: NaiveDate) -> Result<Vec<ExpectedPupil>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.id, p.id, p.name, a.id, a.what, m.value
             FROM mutable_fields m
             JOIN plan_actions a ON a.id = m.object_id
             JOIN plans pl ON pl.id = a.plan_id
             JOIN cases c ON c.id = pl.case_id
             JOIN pupils p ON p.id = c.pupil_id
             LEFT JOIN mutable_fields s ON s.object_type = 'plan-action'
                  AND s.object_id = a.id AND s.field = 'status'
             WHERE m.object_type = 'plan-action' AND m.field = ?1 AND c.status = 'open'
               AND coalesce(s.value, 'planned') NOT IN ('done', 'cancelled')",
        )?;
        let rows = stmt
            .query_map([FIELD], |r| {
                Ok((
                    ExpectedPupil {
                        case_id: r.get(0)?,
                        pupil_id: r.get(1)?,
                        pupil_name: r.get(2)?,
                        action_id: r.get(3)?,
                        what: r.get(4)?,
                        time: String::new(),
                    },
                    r.get::<_, String>(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out: Vec<ExpectedPupil> = rows
            .into_iter()
            .filter_map(|(pupil, stored)| {
                let s = Schedule::parse(&stored).filter(|s| s.on(day.weekday()))?;
                Some(ExpectedPupil {
                    time: s.time,
                    ..pupil
                })
            })
            .collect();
        // One line a case: its earliest action of the day.
        out.sort_by(|a, b| {
            (&a.case_id, &a.time, &a.action_id).cmp(&(&b.case_id, &b.time, &b.action_id))
        });
        out.dedup_by(|later, first| later.case_id == first.case_id);
        out.sort_by(|a, b| {
            (&a.time, &a.pupil_name, &a.case_id).cmp(&(&b.time, &b.pupil_name, &b.case_id))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{journal, planned_case as planned};
    use crate::NewCheckin;
    use chrono::{Local, TimeZone};

    #[test]
    fn a_scheduled_action_expects_its_pupil_on_its_weekdays() {
        let (_dir, mut j) = journal();
        let (case, action) = planned(&mut j);
        j.schedule_action(
            action,
            vec![Weekday::Wed, Weekday::Mon, Weekday::Mon],
            " 8:10",
        )
        .expect("schedule");
        let shown = j.case_detail(case).expect("detail").plans[0].actions[0]
            .schedule
            .clone();
        assert_eq!(
            shown,
            Some(Schedule {
                days: vec!["mon".into(), "wed".into()],
                time: "08:10".into()
            })
        );
        let monday = NaiveDate::from_ymd_opt(2026, 12, 7).expect("a Monday");
        let expected = j.expected(Some(monday)).expect("expected");
        assert_eq!(expected.len(), 1);
        assert_eq!(
            (expected[0].case_id.as_str(), expected[0].time.as_str()),
            (case.to_string().as_str(), "08:10")
        );
        assert!(j.expected(monday.succ_opt()).expect("tuesday").is_empty());
        j.set_action_status(action, crate::ActionStatus::Done)
            .expect("done");
        assert!(
            j.expected(Some(monday)).expect("done").is_empty(),
            "a done action expects no one"
        );
        j.check_replay().expect("replays");
    }

    #[test]
    fn a_bad_schedule_is_refused_and_writes_nothing() {
        let (_dir, mut j) = journal();
        let (_, action) = planned(&mut j);
        let before = j.operations().expect("ops").len();
        let e = j
            .schedule_action(action, vec![], "08:10")
            .expect_err("no days");
        assert!(e.to_string().contains("weekday"), "{e}");
        let e = j
            .schedule_action(action, vec![Weekday::Mon], "8.10")
            .expect_err("no time");
        assert!(e.to_string().contains("HH:MM"), "{e}");
        j.schedule_action(Uuid::now_v7(), vec![Weekday::Mon], "08:10")
            .expect_err("no such action");
        assert_eq!(j.operations().expect("ops").len(), before);
    }

    #[test]
    fn an_expected_pupil_not_seen_gets_a_follow_up_until_it_is_done() {
        let (_dir, mut j) = journal();
        let (case, action) = planned(&mut j);
        let today = clock::today();
        j.schedule_action(action, vec![today.weekday()], "08:10")
            .expect("schedule");
        let board = j.checkin_board().expect("board");
        assert_eq!(
            board[0].expected_at.as_deref(),
            Some("08:10"),
            "expected first"
        );
        let at = Local
            .from_local_datetime(&today.and_hms_opt(8, 30, 0).expect("time"))
            .earliest()
            .expect("local time")
            .with_timezone(&chrono::Utc);
        let entry = j
            .record_checkins(
                at,
                vec![NewCheckin {
                    case_id: case,
                    arrival: "not-seen".into(),
                    time: None,
                    note: String::new(),
                    followup: Some(brygga_protocol::op::FollowupTask::BookHomeVisit),
                }],
            )
            .expect("check-in")[0];
        let open = j.followups().expect("follow-ups");
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].task, "book-home-visit");
        assert_eq!(open[0].due_on, today.to_string());
        assert_eq!(open[0].entry_id, Some(entry.to_string()));
        let attention = &j.caseload().expect("caseload")[0].attention;
        assert!(
            matches!(&attention[0], crate::Attention::FollowupOpen { task, .. } if task == "book-home-visit"),
            "{attention:?}"
        );
        let id: Uuid = open[0].id.parse().expect("id");
        j.followup_done(id).expect("done");
        assert!(j.followups().expect("none open").is_empty());
        let e = j.followup_done(id).expect_err("done once");
        assert!(e.to_string().contains("already done"), "{e}");
        assert!(!matches!(
            j.caseload().expect("caseload")[0].attention.first(),
            Some(crate::Attention::FollowupOpen { .. })
        ));
        j.check_replay().expect("replays");
    }
}
