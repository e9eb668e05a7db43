//! Deviations in collaboration ("avvikelser i samverkan", docs/deviations.md):
//! where working with a partner organisation failed a pupil — contact came
//! late, an agreed action was not done, information was not passed on, the
//! guardian was used as messenger — recorded against the case so that it
//! can be raised with the partner and mended, and reviewed by the team in
//! aggregate ([`crate::export`]).
//!
//! A deviation is written once; its status (open, raised with the partner,
//! mended) is a last-writer-wins value: changed on two laptops at once, the
//! later in the total order stands everywhere and the other is kept as a
//! conflict to review (docs/adr/0033-deviations-and-disclosures.md).

use crate::audit::{Action, Event};
use crate::clock;
use crate::contacts::org_kind;
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::text;
use crate::views::ConflictView;
use brygga_protocol::op::{DeviationCategory, DeviationStatus, Payload};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The object type of a deviation in `mutable_fields`, `field_conflicts`
/// and the audit log.
pub(crate) const OBJECT: &str = "deviation";
/// The field of its status in `mutable_fields`.
pub(crate) const STATUS_FIELD: &str = "status";

/// A category by its stable name, or the refusal that lists them.
pub fn category(name: &str) -> Result<DeviationCategory> {
    DeviationCategory::parse(name.trim()).ok_or_else(|| {
        let known: Vec<_> = DeviationCategory::ALL.iter().map(|c| c.as_str()).collect();
        Error::invalid(
            ReasonCode::DeviationCategoryUnknown,
            format!(
                "'{name}' is not a category of deviation (categories: {})",
                known.join(", ")
            ),
        )
        .with("category", name)
    })
}

/// A status by its stable name, or the refusal that lists them.
pub fn status(name: &str) -> Result<DeviationStatus> {
    DeviationStatus::parse(name.trim()).ok_or_else(|| {
        let known: Vec<_> = DeviationStatus::ALL.iter().map(|s| s.as_str()).collect();
        Error::invalid(
            ReasonCode::DeviationStatusUnknown,
            format!(
                "'{name}' is not a status of a deviation (statuses: {})",
                known.join(", ")
            ),
        )
        .with("status", name)
    })
}

/// A deviation to record.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewDeviation {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub case_id: Uuid,
    /// The plan action of the case it concerns, if one.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub action_id: Option<Uuid>,
    /// The partner's kind of organisation, as the key persons' directory
    /// names it (`school`, `bup`…).
    pub partner: String,
    /// `late-contact`, `action-not-done`, `information-not-passed`,
    /// `guardian-as-messenger` or `other`.
    pub category: String,
    pub text: String,
}

/// A deviation as a case shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeviationView {
    pub id: String,
    pub case_id: String,
    pub action_id: Option<String>,
    /// What the plan action is, when it names one.
    pub action_what: Option<String>,
    pub partner: String,
    pub category: String,
    pub text: String,
    /// YYYY-MM-DD.
    pub noted_on: String,
    /// `open`, `raised` or `mended`.
    pub status: String,
    pub recorded_at: String,
    pub recorded_by: String,
    /// A status set at once on another laptop that lost, for review.
    pub conflicts: Vec<ConflictView>,
}

impl Journal {
    /// Records a deviation against an open case.
    pub fn add_deviation(&mut self, new: NewDeviation) -> Result<Uuid> {
        let partner = org_kind(&new.partner)?;
        let category = category(&new.category)?;
        let text = text::required("text", &new.text)?;
        self.ensure_case_open(&new.case_id)?;
        if let Some(action) = new.action_id {
            if self.case_of_action(&action)? != new.case_id {
                return Err(Error::not_found("plan action of this case", action));
            }
        }
        let pupil_id = self.pupil_of_case(&new.case_id)?;
        let deviation_id = Uuid::now_v7();
        self.commit(
            Payload::DeviationRecorded {
                deviation_id,
                case_id: new.case_id,
                action_id: new.action_id,
                partner,
                category,
                text,
                noted_on: clock::today(),
            },
            Event {
                action: Action::Create,
                object_type: OBJECT,
                object_id: Some(deviation_id.to_string()),
                pupil_id: Some(pupil_id),
                detail: format!("{} {}", partner.as_str(), category.as_str()),
            },
        )?;
        Ok(deviation_id)
    }

    /// Changes a deviation's status, naming the value this laptop shows
    /// as the one it replaces (so that a merge can tell a change made
    /// after it from one made at the same time).
    pub fn set_deviation_status(&mut self, deviation_id: Uuid, to: &str) -> Result<()> {
        let to = status(to)?;
        let case_id = self.case_of_deviation(&deviation_id)?;
        let current = self.field_state(OBJECT, &deviation_id.to_string(), STATUS_FIELD)?;
        if current
            .value
            .as_deref()
            .unwrap_or(DeviationStatus::Open.as_str())
            == to.as_str()
        {
            return Err(Error::invalid(
                ReasonCode::DeviationStatusSame,
                format!("deviation {deviation_id} is already {}", to.as_str()),
            )
            .with("status", to.as_str()));
        }
        let replaces = self.current_op_of(OBJECT, &deviation_id, STATUS_FIELD)?;
        let pupil_id = self.pupil_of_case(&case_id)?;
        self.commit(
            Payload::DeviationStatusSet {
                deviation_id,
                status: to,
                replaces,
            },
            Event {
                action: Action::Update,
                object_type: OBJECT,
                object_id: Some(deviation_id.to_string()),
                pupil_id: Some(pupil_id),
                detail: to.as_str().to_owned(),
            },
        )?;
        Ok(())
    }

    /// A case's deviations, oldest first; a read, logged.
    pub fn list_deviations(&self, case_id: Uuid) -> Result<Vec<DeviationView>> {
        let pupil_id = self.pupil_of_case(&case_id)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.case_id, d.action_id, a.what, d.partner, d.category, d.text,
                    d.noted_on, d.recorded_at, d.recorded_by
             FROM deviations d LEFT JOIN plan_actions a ON a.id = d.action_id
             WHERE d.case_id = ?1 ORDER BY d.recorded_at, d.id",
        )?;
        let rows = stmt
            .query_map([case_id.to_string()], |r| {
                Ok(DeviationView {
                    id: r.get(0)?,
                    case_id: r.get(1)?,
                    action_id: r.get(2)?,
                    action_what: r.get(3)?,
                    partner: r.get(4)?,
                    category: r.get(5)?,
                    text: r.get(6)?,
                    noted_on: r.get(7)?,
                    recorded_at: r.get(8)?,
                    recorded_by: r.get(9)?,
                    status: String::new(),
                    conflicts: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let deviations = rows
            .into_iter()
            .map(|mut d| {
                let state = self.field_state(OBJECT, &d.id, STATUS_FIELD)?;
                d.status = state
                    .value
                    .unwrap_or_else(|| DeviationStatus::Open.as_str().to_owned());
                d.conflicts = state.conflicts;
                Ok(d)
            })
            .collect::<Result<Vec<_>>>()?;
        self.record(Event {
            action: Action::List,
            object_type: OBJECT,
            object_id: Some(case_id.to_string()),
            pupil_id: Some(pupil_id),
            detail: format!("{} deviations", deviations.len()),
        })?;
        Ok(deviations)
    }

    fn case_of_deviation(&self, deviation_id: &Uuid) -> Result<Uuid> {
        let case: Option<String> = self
            .conn
            .query_row(
                "SELECT case_id FROM deviations WHERE id = ?1",
                [deviation_id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let case = case.ok_or_else(|| Error::not_found("deviation", deviation_id))?;
        Uuid::parse_str(&case)
            .map_err(|_| Error::Damaged(format!("deviation {deviation_id} has a bad case id")))
    }
}

#[cfg(test)]
mod tests;
