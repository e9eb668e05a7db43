//! Pupils (elever).

use crate::audit::{Action, Event};
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::personnummer::Personnummer;
use crate::views::PupilView;
use crate::{clock, text};
use brygga_protocol::op::Payload;
use rusqlite::OptionalExtension;
use uuid::Uuid;

/// Grades of the compulsory school's upper stage (högstadiet).
pub const GRADES: std::ops::RangeInclusive<u8> = 7..=9;

#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewPupil {
    pub name: String,
    pub personnummer: String,
    pub school: String,
    pub grade: u8,
    pub protected_identity: bool,
}

const PUPIL_COLUMNS: &str = "p.id, p.name, p.personnummer, p.school, p.grade, p.protected_identity,
     (SELECT c.id FROM cases c WHERE c.pupil_id = p.id AND c.status = 'open')";

pub(crate) fn pupil_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PupilView> {
    let stored: String = r.get(2)?;
    let protected: bool = r.get(5)?;
    let school: String = r.get(3)?;
    Ok(PupilView {
        id: r.get(0)?,
        name: r.get(1)?,
        personnummer: Personnummer::try_from(stored.clone())
            .map(|p| p.display())
            .unwrap_or(stored),
        school: (!protected).then_some(school),
        grade: r.get(4)?,
        protected_identity: protected,
        open_case_id: r.get(6)?,
    })
}

impl Journal {
    pub fn add_pupil(&mut self, new: NewPupil) -> Result<Uuid> {
        let name = text::required("name", &new.name)?;
        let school = text::required("school", &new.school)?;
        let pnr = Personnummer::parse(&new.personnummer, clock::today())?;
        if !GRADES.contains(&new.grade) {
            return Err(Error::invalid(
                ReasonCode::GradeOutOfRange,
                format!(
                    "grade {} is outside åk {}–{}",
                    new.grade,
                    GRADES.start(),
                    GRADES.end()
                ),
            )
            .with("min", GRADES.start())
            .with("max", GRADES.end()));
        }
        let existing: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM pupils WHERE personnummer = ?1",
                [pnr.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = existing {
            return Err(Error::not_allowed(
                ReasonCode::PupilAlreadyRegistered,
                format!("a pupil with personnummer {pnr} is already registered ({id})"),
            ));
        }
        let pupil_id = Uuid::now_v7();
        self.commit(
            Payload::PupilRegistered {
                pupil_id,
                name,
                personnummer: pnr.as_str().to_owned(),
                school,
                grade: new.grade,
                protected_identity: new.protected_identity,
            },
            Event {
                action: Action::Create,
                object_type: "pupil",
                object_id: Some(pupil_id.to_string()),
                pupil_id: Some(pupil_id.to_string()),
                detail: String::new(),
            },
        )?;
        Ok(pupil_id)
    }

    pub fn list_pupils(&self) -> Result<Vec<PupilView>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {PUPIL_COLUMNS} FROM pupils p ORDER BY p.name, p.id"
        ))?;
        let pupils = stmt
            .query_map([], pupil_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        self.record(Event {
            action: Action::List,
            object_type: "pupil",
            object_id: None,
            pupil_id: None,
            detail: format!("{} pupils", pupils.len()),
        })?;
        Ok(pupils)
    }

    pub(crate) fn pupil_view(&self, pupil_id: &str) -> Result<PupilView> {
        self.conn
            .query_row(
                &format!("SELECT {PUPIL_COLUMNS} FROM pupils p WHERE p.id = ?1"),
                [pupil_id],
                pupil_from_row,
            )
            .optional()?
            .ok_or_else(|| Error::not_found("pupil", pupil_id))
    }
}
