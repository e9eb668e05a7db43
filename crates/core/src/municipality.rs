//! The municipality's settings in force on this laptop (docs/settings.md).
//!
//! Each is the newest of the server's signed notices of its type that this
//! laptop took in (verified against the pinned key, kept in `notices`), or
//! the built-in default until one arrives; of the programme templates, the
//! newest of each key (crate::programme). Nothing here writes: only
//! `brygga-server settings set` and `template add` change them, so the
//! notices are the one record of what is in force and `audit verify`
//! checks them again.

use crate::attendance::Thresholds;
use crate::error::{Error, Result};
use crate::journal::Journal;
use brygga_protocol::notice::{self, NoticeBody, SignedNotice};
use brygga_protocol::programme::Template;
use brygga_protocol::settings::{default_ladder_steps, LadderStep};
use rusqlite::{params, Connection};
use serde::Serialize;

/// Where a setting in force comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum SettingSource {
    /// Built into Brygga: no notice has said otherwise.
    BuiltIn,
    /// Set on this laptop before the municipality set it.
    ThisLaptop,
    /// The municipality's, in a notice signed by the server.
    Municipality,
}

/// Everything the municipality decides that this laptop acts on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MunicipalitySettings {
    pub ladder_steps: Vec<LadderStep>,
    pub ladder_steps_from: SettingSource,
    pub absence_thresholds: Thresholds,
    pub absence_thresholds_from: SettingSource,
    /// Days after its last operation a closed case leaves this laptop.
    pub case_leaves_laptop_after_days: u32,
}

/// The bodies of the notices of `type_name` taken in, newest first, at
/// most `limit` of them (None: all). Notice ids are UUIDv7 of the
/// server's clock, so the greatest id is the newest (the row order of the
/// table is not kept by a VACUUM).
fn kept(conn: &Connection, type_name: &str, limit: Option<u32>) -> Result<Vec<NoticeBody>> {
    let bodies = conn
        .prepare_cached(
            "SELECT body FROM notices WHERE type = ?1 ORDER BY notice_id DESC LIMIT ?2",
        )?
        // SQLite takes a negative LIMIT for no limit.
        .query_map(params![type_name, limit.map_or(-1, i64::from)], |r| {
            r.get::<_, String>(0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    bodies
        .iter()
        .map(|b| {
            serde_json::from_str::<SignedNotice>(b)
                .map(|s| s.notice.body)
                .map_err(|e| Error::Damaged(format!("unreadable notice in the journal: {e}")))
        })
        .collect()
}

/// The body of the newest notice of `type_name` taken in.
fn newest(conn: &Connection, type_name: &str) -> Result<Option<NoticeBody>> {
    Ok(kept(conn, type_name, Some(1))?.pop())
}

/// The municipality's ladder steps, None until a notice set them.
pub(crate) fn ladder_steps(conn: &Connection) -> Result<Option<Vec<LadderStep>>> {
    Ok(match newest(conn, notice::LADDER_STEPS)? {
        Some(NoticeBody::LadderSteps { steps }) => Some(steps),
        _ => None,
    })
}

/// The municipality's programme templates, oldest notice first (for
/// `brygga_protocol::programme::in_force`, which lets the newest of a key
/// win).
pub(crate) fn programme_templates(conn: &Connection) -> Result<Vec<Template>> {
    let mut templates: Vec<Template> = kept(conn, notice::PROGRAMME_TEMPLATE, None)?
        .into_iter()
        .filter_map(|body| match body {
            NoticeBody::ProgrammeTemplate { template } => Some(template),
            _ => None,
        })
        .collect();
    templates.reverse();
    Ok(templates)
}

/// The municipality's absence thresholds, None until a notice set them.
pub(crate) fn absence_thresholds(conn: &Connection) -> Result<Option<Thresholds>> {
    Ok(match newest(conn, notice::ABSENCE_THRESHOLDS)? {
        Some(NoticeBody::AbsenceThresholds { warning_pcts }) => Some(Thresholds(warning_pcts)),
        _ => None,
    })
}

impl Journal {
    /// The steps of the return ladder in force, in order: the
    /// municipality's, or the built-in ones until they arrive.
    pub fn ladder_steps(&self) -> Result<Vec<LadderStep>> {
        Ok(ladder_steps(&self.conn)?.unwrap_or_else(default_ladder_steps))
    }

    /// Every setting of the municipality in force here, and where each
    /// comes from.
    pub fn municipality_settings(&self) -> Result<MunicipalitySettings> {
        let from = |by_notice: bool| {
            if by_notice {
                SettingSource::Municipality
            } else {
                SettingSource::BuiltIn
            }
        };
        let steps = ladder_steps(&self.conn)?;
        let (absence_thresholds, absence_thresholds_from) = self.thresholds_in_force()?;
        Ok(MunicipalitySettings {
            ladder_steps_from: from(steps.is_some()),
            ladder_steps: steps.unwrap_or_else(default_ladder_steps),
            absence_thresholds,
            absence_thresholds_from,
            case_leaves_laptop_after_days: self.leave_after_days()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ReasonCode;
    use crate::fixtures::{journal, keypair, laptop, pupil, tell};
    use crate::NewLadderStep;
    use uuid::Uuid;

    fn step(key: &str, sv: &str, en: &str) -> LadderStep {
        LadderStep {
            key: key.into(),
            name_sv: sv.into(),
            name_en: en.into(),
        }
    }

    /// The municipality's own ladder: no transition apartment, no calmer
    /// unit, a study room instead.
    fn their_steps() -> Vec<LadderStep> {
        vec![
            step("home-visits", "Hembesök", "Home visits"),
            step("study-room", "Studierummet", "Study room"),
            step("full-time-class", "Heltid i klass", "Full time in class"),
        ]
    }

    fn their_ladder() -> NoticeBody {
        NoticeBody::LadderSteps {
            steps: their_steps(),
        }
    }

    fn ladder_step(case_id: Uuid, step: &str) -> NewLadderStep {
        NewLadderStep {
            case_id,
            step: step.into(),
            note: String::new(),
            next_step: None,
            next_on: None,
        }
    }

    fn reason(e: Error) -> Option<ReasonCode> {
        match e {
            Error::Invalid(r) | Error::NotAllowed(r) => Some(r.code),
            _ => None,
        }
    }

    #[test]
    fn the_built_in_settings_are_in_force_until_a_notice() {
        let (_dir, j) = journal();
        let settings = j.municipality_settings().expect("settings");
        assert_eq!(settings.ladder_steps, default_ladder_steps());
        assert_eq!(settings.ladder_steps_from, SettingSource::BuiltIn);
        assert_eq!(settings.absence_thresholds, Thresholds::DEFAULT);
        assert_eq!(settings.absence_thresholds_from, SettingSource::BuiltIn);
    }

    #[test]
    fn the_newest_steps_are_in_force_and_history_keeps_a_removed_step() {
        let server = keypair();
        let (_dir, mut j) = laptop(&server);
        let pupil = pupil(&mut j);
        let case = j.open_case(pupil).expect("case");
        j.set_ladder_step(ladder_step(case, "calmer-unit"))
            .expect("a built-in step");

        tell(
            &mut j,
            &server,
            1,
            NoticeBody::LadderSteps {
                steps: default_ladder_steps(),
            },
        );
        tell(&mut j, &server, 2, their_ladder());
        let settings = j.municipality_settings().expect("settings");
        assert_eq!(settings.ladder_steps, their_steps(), "the newest notice");
        assert_eq!(settings.ladder_steps_from, SettingSource::Municipality);

        let e = j
            .set_ladder_step(ladder_step(case, "calmer-unit"))
            .expect_err("removed by the municipality");
        assert_eq!(reason(e), Some(ReasonCode::LadderStepUnknown));
        j.set_ladder_step(ladder_step(case, "study-room"))
            .expect("a step of the municipality");
        let ladder = j.ladder(case).expect("ladder");
        let history: Vec<_> = ladder.history.iter().map(|r| r.step.as_str()).collect();
        assert_eq!(history, ["calmer-unit", "study-room"], "history stays");
        j.check_replay()
            .expect("the signed history replays with a removed step");
    }

    #[test]
    fn an_entry_names_a_step_in_force() {
        let server = keypair();
        let (_dir, mut j) = laptop(&server);
        let pupil = pupil(&mut j);
        let case = j.open_case(pupil).expect("case");
        tell(&mut j, &server, 1, their_ladder());
        let session = |step: &str| crate::NewEntry {
            kind: crate::EntryKind::ApartmentSession,
            event_at: chrono::Utc::now(),
            participants: Vec::new(),
            key_persons: Vec::new(),
            fields: [
                ("teacher_present", "yes"),
                ("step", step),
                ("duration_min", "45"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
            text: "Fiktivt pass".into(),
        };
        let e = j
            .draft_entry(case, session("transition-apartment"))
            .expect_err("not a step any more");
        assert_eq!(reason(e), Some(ReasonCode::FieldValue));
        j.draft_entry(case, session("study-room"))
            .expect("a step in force");
    }

    #[test]
    fn the_municipalitys_thresholds_are_read_only_here() {
        let server = keypair();
        let (_dir, mut j) = laptop(&server);
        j.set_absence_thresholds(Thresholds([5, 10, 15]))
            .expect("this laptop's, until the municipality says");
        assert_eq!(
            j.municipality_settings()
                .expect("settings")
                .absence_thresholds_from,
            SettingSource::ThisLaptop
        );
        tell(
            &mut j,
            &server,
            1,
            NoticeBody::AbsenceThresholds {
                warning_pcts: [12, 18, 25],
            },
        );
        assert_eq!(j.absence_thresholds().expect("t"), Thresholds([12, 18, 25]));
        let e = j
            .set_absence_thresholds(Thresholds([10, 15, 20]))
            .expect_err("read-only");
        assert_eq!(reason(e), Some(ReasonCode::ThresholdsByMunicipality));
        assert_eq!(j.absence_thresholds().expect("t"), Thresholds([12, 18, 25]));
        j.check_replay().expect("verifies");
    }

    #[test]
    fn a_settings_notice_with_a_bad_signature_changes_nothing() {
        let server = keypair();
        let (_dir, mut j) = laptop(&server);
        tell(&mut j, &keypair(), 1, their_ladder());
        tell(
            &mut j,
            &keypair(),
            2,
            NoticeBody::AbsenceThresholds {
                warning_pcts: [1, 2, 3],
            },
        );
        let settings = j.municipality_settings().expect("settings");
        assert_eq!(settings.ladder_steps, default_ladder_steps());
        assert_eq!(settings.absence_thresholds, Thresholds::DEFAULT);
        let quarantined = j.sync_status().expect("status").quarantined;
        assert_eq!(quarantined.len(), 2, "{quarantined:?}");
        assert!(quarantined.iter().all(|q| q.code == "bad-notice"));
    }
}
