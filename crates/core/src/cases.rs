//! Cases (ärenden) and what hangs on them: guardians and concern reports.

use crate::audit::{Action, Event};
use crate::error::{Error, ReasonCode, Result};
use crate::form_rules::{self, Form, Value, Values};
use crate::journal::Journal;
use crate::text;
use crate::views::{CaseDetail, CaseView, ConcernView, ConflictView, GuardianView};
use brygga_protocol::op::{GuardianField, Payload};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use uuid::Uuid;

/// A guardian as the user enters it: name, relation and whatever contact
/// details are known (set in the same transaction).
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewGuardian {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub case_id: Uuid,
    pub name: String,
    pub relation: String,
    /// Contact details known when the guardian is added; blank or None:
    /// not known yet.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// A report of concern (orosanmälan); `reported_at` is RFC 3339.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewConcern {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub case_id: Uuid,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub reported_at: DateTime<Utc>,
    pub to_whom: String,
    pub by_whom: String,
    pub summary: String,
}

impl NewConcern {
    /// The values [`form_rules`] checks.
    pub(crate) fn form_values(&self) -> Values<'_> {
        vec![
            ("reported_at", Value::Moment(self.reported_at)),
            ("to_whom", Value::Text(&self.to_whom)),
            ("by_whom", Value::Text(&self.by_whom)),
            ("summary", Value::Text(&self.summary)),
        ]
    }
}

const CASE_COLUMNS: &str =
    "c.id, c.pupil_id, p.name, p.personnummer, c.status, c.opened_at, c.closed_at,
     (SELECT count(*) FROM entries e WHERE e.case_id = c.id AND e.status = 'draft'),
     (SELECT count(*) FROM entries e WHERE e.case_id = c.id AND e.status = 'signed'),
     (SELECT max(e.event_at) FROM entries e WHERE e.case_id = c.id)";

fn case_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseView> {
    let pnr: String = r.get(3)?;
    Ok(CaseView {
        id: r.get(0)?,
        pupil_id: r.get(1)?,
        pupil_name: r.get(2)?,
        personnummer: crate::personnummer::Personnummer::try_from(pnr.clone())
            .map(|p| p.display())
            .unwrap_or(pnr),
        status: r.get(4)?,
        opened_at: r.get(5)?,
        closed_at: r.get(6)?,
        drafts: r.get(7)?,
        signed: r.get(8)?,
        last_event_at: r.get(9)?,
    })
}

/// A live mutable field and the concurrent values that lost to it.
pub(crate) struct FieldState {
    pub value: Option<String>,
    pub conflicts: Vec<ConflictView>,
}

impl Journal {
    pub fn open_case(&mut self, pupil_id: Uuid) -> Result<Uuid> {
        let pupil = self.pupil_view(&pupil_id.to_string())?;
        if let Some(open) = pupil.open_case_id {
            return Err(Error::not_allowed(
                ReasonCode::CaseAlreadyOpen,
                format!("the pupil already has an open case ({open})"),
            ));
        }
        let case_id = Uuid::now_v7();
        self.commit(
            Payload::CaseOpened { case_id, pupil_id },
            Event {
                action: Action::Create,
                object_type: "case",
                object_id: Some(case_id.to_string()),
                pupil_id: Some(pupil_id.to_string()),
                detail: String::new(),
            },
        )?;
        Ok(case_id)
    }

    /// `open` or `closed`.
    pub(crate) fn case_status(&self, case_id: Uuid) -> Result<String> {
        Ok(self.conn.query_row(
            "SELECT status FROM cases WHERE id = ?1",
            [case_id.to_string()],
            |r| r.get(0),
        )?)
    }

    /// Closes a case: it takes nothing new until it is reopened
    /// ([`Journal::reopen_case`]), and in time it leaves the laptop
    /// (docs/retention.md). Refused while a draft is unsigned and for a
    /// case that is already closed.
    pub fn close_case(&mut self, case_id: Uuid) -> Result<()> {
        let pupil_id = self.pupil_of_case(&case_id)?;
        if self.case_status(case_id)? != "open" {
            return Err(Error::not_allowed(
                ReasonCode::CaseAlreadyClosed,
                format!("case {case_id} is already closed"),
            ));
        }
        let drafts: i64 = self.conn.query_row(
            "SELECT count(*) FROM entries WHERE case_id = ?1 AND status = 'draft'",
            [case_id.to_string()],
            |r| r.get(0),
        )?;
        if drafts > 0 {
            return Err(Error::not_allowed(
                ReasonCode::CaseHasDrafts,
                format!("case {case_id} has {drafts} unsigned draft(s); sign them before closing"),
            )
            .with("drafts", drafts));
        }
        self.commit_case_change(Payload::CaseClosed { case_id }, Action::Close, pupil_id)
    }

    /// Commits a change of a case's state (closed, reopened) with its
    /// audit row.
    pub(crate) fn commit_case_change(
        &mut self,
        payload: Payload,
        action: Action,
        pupil_id: String,
    ) -> Result<()> {
        let case_id = match &payload {
            Payload::CaseClosed { case_id } | Payload::CaseReopened { case_id } => *case_id,
            other => {
                return Err(Error::Damaged(format!(
                    "{} is no change of a case's state",
                    other.type_name()
                )))
            }
        };
        self.commit(
            payload,
            Event {
                action,
                object_type: "case",
                object_id: Some(case_id.to_string()),
                pupil_id: Some(pupil_id),
                detail: String::new(),
            },
        )?;
        Ok(())
    }

    /// Cases on this device, open ones first, then by pupil name.
    pub fn list_cases(&self, include_closed: bool) -> Result<Vec<CaseView>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c JOIN pupils p ON p.id = c.pupil_id
             WHERE ?1 OR c.status = 'open'
             ORDER BY c.status DESC, p.name, c.id"
        ))?;
        let cases = stmt
            .query_map([include_closed], case_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        self.record(Event {
            action: Action::List,
            object_type: "case",
            object_id: None,
            pupil_id: None,
            detail: format!("{} cases", cases.len()),
        })?;
        Ok(cases)
    }

    /// Everything about one case but its timeline (see `list_entries`).
    pub fn case_detail(&self, case_id: Uuid) -> Result<CaseDetail> {
        let detail = self.load_case_detail(case_id)?;
        self.record(Event {
            action: Action::Read,
            object_type: "case",
            object_id: Some(case_id.to_string()),
            pupil_id: Some(detail.pupil.id.clone()),
            detail: String::new(),
        })?;
        Ok(detail)
    }

    /// [`Journal::case_detail`] without its audit row, for callers that
    /// record their own (an export is audited as one export, not a read).
    pub(crate) fn load_case_detail(&self, case_id: Uuid) -> Result<CaseDetail> {
        let case = self
            .conn
            .query_row(
                &format!(
                    "SELECT {CASE_COLUMNS} FROM cases c JOIN pupils p ON p.id = c.pupil_id WHERE c.id = ?1"
                ),
                [case_id.to_string()],
                case_from_row,
            )
            .optional()?
            .ok_or_else(|| Error::not_found("case", case_id))?;
        let pupil = self.pupil_view(&case.pupil_id)?;
        Ok(CaseDetail {
            guardians: self.guardians_of(&case_id, pupil.protected_identity)?,
            consents: self.consents_of(&case_id)?,
            plans: self.plans_of(&case_id)?,
            concerns: self.concerns_of(&case_id)?,
            pupil,
            case,
        })
    }

    pub fn add_guardian(&mut self, new: NewGuardian) -> Result<Uuid> {
        self.ensure_case_open(&new.case_id)?;
        let pupil_id = self.pupil_of_case(&new.case_id)?;
        let guardian_id = Uuid::now_v7();
        let event = |action, detail: &str| Event {
            action,
            object_type: "guardian",
            object_id: Some(guardian_id.to_string()),
            pupil_id: Some(pupil_id.clone()),
            detail: detail.to_owned(),
        };
        let mut ops = vec![(
            Payload::GuardianAdded {
                guardian_id,
                case_id: new.case_id,
                name: text::required("name", &new.name)?,
                relation: text::required("relation", &new.relation)?,
            },
            event(Action::Create, ""),
        )];
        let contact = [
            (GuardianField::Phone, &new.phone),
            (GuardianField::Email, &new.email),
            (GuardianField::Address, &new.address),
        ];
        for (field, value) in contact {
            let value = value.as_deref().map(str::trim).unwrap_or_default();
            if value.is_empty() {
                continue;
            }
            ops.push((
                Payload::GuardianFieldSet {
                    guardian_id,
                    field,
                    value: text::bounded(field.as_str(), value)?,
                    replaces: None,
                },
                event(Action::Update, field.as_str()),
            ));
        }
        // The guardian and its contact details: all or none.
        self.commit_batch(ops, None)?;
        Ok(guardian_id)
    }

    /// Sets a guardian's phone, e-mail or address. The value this device
    /// currently shows is named as the one replaced, so a later merge can
    /// tell a sequential edit from a concurrent one.
    pub fn set_guardian_field(
        &mut self,
        guardian_id: Uuid,
        field: GuardianField,
        value: &str,
    ) -> Result<()> {
        let case_id: String = self
            .conn
            .query_row(
                "SELECT case_id FROM guardians WHERE id = ?1",
                [guardian_id.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::not_found("guardian", guardian_id))?;
        let case_id = Uuid::parse_str(&case_id)
            .map_err(|_| Error::Damaged(format!("guardian {guardian_id} has a bad case id")))?;
        let replaces = self.current_op_of("guardian", &guardian_id, field.as_str())?;
        let value = text::bounded(field.as_str(), value)?;
        self.commit(
            Payload::GuardianFieldSet {
                guardian_id,
                field,
                value,
                replaces,
            },
            Event {
                action: Action::Update,
                object_type: "guardian",
                object_id: Some(guardian_id.to_string()),
                pupil_id: Some(self.pupil_of_case(&case_id)?),
                detail: field.as_str().to_owned(),
            },
        )?;
        Ok(())
    }

    pub(crate) fn current_op_of(
        &self,
        object_type: &str,
        id: &Uuid,
        field: &str,
    ) -> Result<Option<Uuid>> {
        let op: Option<String> = self
            .conn
            .query_row(
                "SELECT op_id FROM mutable_fields WHERE object_type = ?1 AND object_id = ?2 AND field = ?3",
                params![object_type, id.to_string(), field],
                |r| r.get(0),
            )
            .optional()?;
        Ok(op.and_then(|s| Uuid::parse_str(&s).ok()))
    }

    pub(crate) fn field_state(
        &self,
        object_type: &str,
        id: &str,
        field: &str,
    ) -> Result<FieldState> {
        let value: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM mutable_fields WHERE object_type = ?1 AND object_id = ?2 AND field = ?3",
                params![object_type, id, field],
                |r| r.get(0),
            )
            .optional()?;
        let conflicts = self.conflicts_of(object_type, id, field)?;
        Ok(FieldState { value, conflicts })
    }

    fn guardians_of(&self, case_id: &Uuid, protected: bool) -> Result<Vec<GuardianView>> {
        let rows = crate::store::text_rows::<3>(
            &self.conn,
            "SELECT id, name, relation FROM guardians WHERE case_id = ?1 ORDER BY name, id",
            &case_id.to_string(),
        )?;
        rows.into_iter()
            .map(|[id, name, relation]| {
                let mut conflicts = Vec::new();
                let mut take = |field: GuardianField| -> Result<Option<String>> {
                    let state = self.field_state("guardian", &id, field.as_str())?;
                    conflicts.extend(state.conflicts);
                    Ok(state.value)
                };
                let phone = take(GuardianField::Phone)?;
                let email = take(GuardianField::Email)?;
                let address = take(GuardianField::Address)?;
                Ok(GuardianView {
                    id: id.clone(),
                    case_id: case_id.to_string(),
                    name,
                    relation,
                    phone,
                    email,
                    address: if protected { None } else { address },
                    conflicts: if protected {
                        conflicts
                            .into_iter()
                            .filter(|c| c.field != "address")
                            .collect()
                    } else {
                        conflicts
                    },
                })
            })
            .collect()
    }

    pub fn report_concern(&mut self, new: NewConcern) -> Result<Uuid> {
        form_rules::check(Form::Concern, &new.form_values())?;
        self.ensure_case_open(&new.case_id)?;
        let pupil_id = self.pupil_of_case(&new.case_id)?;
        let report_id = Uuid::now_v7();
        self.commit(
            Payload::ConcernReported {
                report_id,
                case_id: new.case_id,
                reported_at: new.reported_at,
                to_whom: new.to_whom.trim().to_owned(),
                by_whom: new.by_whom.trim().to_owned(),
                summary: new.summary.trim().to_owned(),
            },
            Event {
                action: Action::Create,
                object_type: "concern-report",
                object_id: Some(report_id.to_string()),
                pupil_id: Some(pupil_id),
                detail: String::new(),
            },
        )?;
        Ok(report_id)
    }

    fn concerns_of(&self, case_id: &Uuid) -> Result<Vec<ConcernView>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, case_id, reported_at, to_whom, by_whom, summary, recorded_by
             FROM concern_reports WHERE case_id = ?1 ORDER BY reported_at, id",
        )?;
        let rows = stmt
            .query_map([case_id.to_string()], |r| {
                Ok(ConcernView {
                    id: r.get(0)?,
                    case_id: r.get(1)?,
                    reported_at: r.get(2)?,
                    to_whom: r.get(3)?,
                    by_whom: r.get(4)?,
                    summary: r.get(5)?,
                    recorded_by: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
