//! Consent (samtycke): given by each guardian or the pupil, scoped, dated,
//! withdrawable.

use crate::audit::{Action, Event};
use crate::clock;
use crate::error::{Error, ReasonCode, Result};
use crate::form_rules::{self, Form, Value, Values};
use crate::journal::Journal;
use crate::views::ConsentView;
use brygga_protocol::op::{ConsentForm, Payload};
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use uuid::Uuid;

/// A consent as given (dates YYYY-MM-DD).
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewConsent {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub case_id: Uuid,
    /// None when the pupil gives the consent.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub guardian_id: Option<Uuid>,
    pub scope: String,
    pub recipient: String,
    pub purpose: String,
    pub form: ConsentForm,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub given_on: NaiveDate,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub valid_until: Option<NaiveDate>,
}

impl NewConsent {
    /// The values [`form_rules`] checks: the types have made the choices.
    pub(crate) fn form_values(&self) -> Values<'_> {
        vec![
            ("guardian_id", Value::Chosen),
            ("scope", Value::Text(&self.scope)),
            ("recipient", Value::Text(&self.recipient)),
            ("purpose", Value::Text(&self.purpose)),
            ("form", Value::Chosen),
            ("given_on", Value::Date(Some(self.given_on))),
            ("valid_until", Value::Date(self.valid_until)),
        ]
    }
}

/// The values of a withdrawal on `on` of a consent given on `given_on`.
pub(crate) fn withdrawal_values<'a>(on: NaiveDate, given_on: Option<NaiveDate>) -> Values<'a> {
    vec![
        ("on", Value::Date(Some(on))),
        ("given_on", Value::Date(given_on)),
    ]
}

impl Journal {
    pub fn record_consent(&mut self, new: NewConsent) -> Result<Uuid> {
        form_rules::check(Form::Consent, &new.form_values())?;
        self.ensure_case_open(&new.case_id)?;
        let pupil_id = self.pupil_of_case(&new.case_id)?;
        if let Some(g) = new.guardian_id {
            let in_case: Option<i64> = self
                .conn
                .query_row(
                    "SELECT 1 FROM guardians WHERE id = ?1 AND case_id = ?2",
                    [g.to_string(), new.case_id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            if in_case.is_none() {
                return Err(Error::not_found("guardian in this case", g));
            }
        }
        let consent_id = Uuid::now_v7();
        self.commit(
            Payload::ConsentRecorded {
                consent_id,
                case_id: new.case_id,
                guardian_id: new.guardian_id,
                scope: new.scope.trim().to_owned(),
                recipient: new.recipient.trim().to_owned(),
                purpose: new.purpose.trim().to_owned(),
                form: new.form,
                given_on: new.given_on,
                valid_until: new.valid_until,
            },
            Event {
                action: Action::Create,
                object_type: "consent",
                object_id: Some(consent_id.to_string()),
                pupil_id: Some(pupil_id),
                detail: String::new(),
            },
        )?;
        Ok(consent_id)
    }

    pub fn withdraw_consent(&mut self, consent_id: Uuid, on: NaiveDate) -> Result<()> {
        let row: Option<(String, String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT case_id, given_on, withdrawn_on FROM consents WHERE id = ?1",
                [consent_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (case_id, given_on, withdrawn) =
            row.ok_or_else(|| Error::not_found("consent", consent_id))?;
        if let Some(day) = withdrawn {
            return Err(Error::not_allowed(
                ReasonCode::ConsentAlreadyWithdrawn,
                format!("consent {consent_id} was already withdrawn on {day}"),
            )
            .with("on", day));
        }
        let given_on = given_on
            .parse()
            .map_err(|_| Error::Damaged(format!("consent {consent_id} has a bad date")))?;
        form_rules::check(Form::Withdrawal, &withdrawal_values(on, Some(given_on)))?;
        let case_id = Uuid::parse_str(&case_id)
            .map_err(|_| Error::Damaged(format!("consent {consent_id} has a bad case id")))?;
        self.commit(
            Payload::ConsentWithdrawn {
                consent_id,
                withdrawn_on: on,
            },
            Event {
                action: Action::Withdraw,
                object_type: "consent",
                object_id: Some(consent_id.to_string()),
                pupil_id: Some(self.pupil_of_case(&case_id)?),
                detail: String::new(),
            },
        )?;
        Ok(())
    }

    pub fn list_consents(&self, case_id: Uuid) -> Result<Vec<ConsentView>> {
        let pupil_id = self.pupil_of_case(&case_id)?;
        let consents = self.consents_of(&case_id)?;
        self.record(Event {
            action: Action::List,
            object_type: "consent",
            object_id: Some(case_id.to_string()),
            pupil_id: Some(pupil_id),
            detail: format!("{} consents", consents.len()),
        })?;
        Ok(consents)
    }

    pub(crate) fn consents_of(&self, case_id: &Uuid) -> Result<Vec<ConsentView>> {
        let today = clock::today().to_string();
        let mut stmt = self.conn.prepare(
            "SELECT c.id, c.case_id, c.guardian_id, g.name, c.scope, c.recipient, c.purpose, c.form,
                    c.given_on, c.valid_until, c.withdrawn_on
             FROM consents c LEFT JOIN guardians g ON g.id = c.guardian_id
             WHERE c.case_id = ?1 ORDER BY c.given_on, c.id",
        )?;
        let rows = stmt
            .query_map([case_id.to_string()], |r| {
                let valid_until: Option<String> = r.get(9)?;
                let withdrawn_on: Option<String> = r.get(10)?;
                let active = withdrawn_on.is_none()
                    && valid_until
                        .as_deref()
                        .is_none_or(|end| end >= today.as_str());
                Ok(ConsentView {
                    id: r.get(0)?,
                    case_id: r.get(1)?,
                    guardian_id: r.get(2)?,
                    given_by: r.get(3)?,
                    scope: r.get(4)?,
                    recipient: r.get(5)?,
                    purpose: r.get(6)?,
                    form: r.get(7)?,
                    given_on: r.get(8)?,
                    valid_until,
                    withdrawn_on,
                    active,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
