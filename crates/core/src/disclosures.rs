//! The disclosure register (docs/disclosures.md): every sharing of
//! information about a pupil outside the team — a journal PDF, what was
//! told in a meeting — with the recipient, what was shared and the legal
//! ground: an active consent of the case, or another ground the user names.
//!
//! A consent that is withdrawn or expired is refused as a ground: sharing
//! outside an active consent needs the ground named, which the window asks
//! to confirm and the CLI requires (`--ground`). Each line is written once
//! (docs/adr/0033-deviations-and-disclosures.md).

use crate::audit::{Action, Event};
use crate::clock;
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::text;
use brygga_protocol::op::{DisclosureGround, Payload};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The object type of a disclosure in the audit log.
pub(crate) const OBJECT: &str = "disclosure";

/// A disclosure to record.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewDisclosure {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub case_id: Uuid,
    pub recipient: String,
    /// What was shared.
    pub what: String,
    pub ground: DisclosureGround,
}

/// To whom a journal export is handed and on which ground: the export
/// records its disclosure in the same transaction as its audit row.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct JournalRelease {
    /// Empty with a consent as the ground: the consent's recipient.
    pub recipient: String,
    pub ground: DisclosureGround,
}

/// A line of a case's disclosure register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DisclosureView {
    pub id: String,
    pub case_id: String,
    pub recipient: String,
    pub what: String,
    /// The consent it was shared under, when it was.
    pub consent_id: Option<String>,
    /// That consent's scope, as given, to read the line by.
    pub consent_scope: Option<String>,
    /// The ground the user named, when it was not a consent.
    pub ground: Option<String>,
    /// YYYY-MM-DD.
    pub disclosed_on: String,
    pub recorded_at: String,
    pub recorded_by: String,
}

/// A disclosure checked and made, not yet committed.
pub(crate) struct Prepared {
    pub id: Uuid,
    pub payload: Payload,
    pub event: Event<'static>,
    /// To whom, as recorded.
    pub recipient: String,
    /// The ground in Swedish, as a document that is handed over states it.
    pub ground_sv: String,
}

/// The ground, checked: a consent of this case that is active today, or a
/// named ground that is not empty. Gives the consent's recipient, when it
/// is one, for a disclosure that names none, and the ground in Swedish.
fn checked_ground(
    j: &Journal,
    case_id: &Uuid,
    ground: DisclosureGround,
) -> Result<(DisclosureGround, Option<String>, String)> {
    match ground {
        DisclosureGround::Consent { consent_id } => {
            let consent = j
                .consents_of(case_id)?
                .into_iter()
                .find(|c| c.id == consent_id.to_string())
                .ok_or_else(|| Error::not_found("consent of this case", consent_id))?;
            if !consent.active {
                return Err(Error::not_allowed(
                    ReasonCode::DisclosureConsentNotActive,
                    format!(
                        "consent {consent_id} is not active (withdrawn or expired); name the ground \
                         of this disclosure instead"
                    ),
                )
                .with("consent", consent_id));
            }
            let sv = format!("samtycke lämnat {} ({})", consent.given_on, consent.scope);
            Ok((
                DisclosureGround::Consent { consent_id },
                Some(consent.recipient),
                sv,
            ))
        }
        DisclosureGround::Other { ground } => {
            let ground = text::required("ground", &ground)?;
            Ok((
                DisclosureGround::Other {
                    ground: ground.clone(),
                },
                None,
                ground,
            ))
        }
    }
}

impl Journal {
    /// Records a sharing outside the team in the case's register.
    pub fn record_disclosure(&mut self, new: NewDisclosure) -> Result<Uuid> {
        let what = text::required("what", &new.what)?;
        let made = self.disclosure(new.case_id, &new.recipient, what, new.ground)?;
        self.commit(made.payload, made.event)?;
        Ok(made.id)
    }

    /// The operation and audit event of a disclosure of `what` from the
    /// case to `recipient` (empty: the consent's recipient) on `ground`,
    /// checked; not yet committed, so that an export can commit it with
    /// its own record in one transaction.
    pub(crate) fn disclosure(
        &self,
        case_id: Uuid,
        recipient: &str,
        what: String,
        ground: DisclosureGround,
    ) -> Result<Prepared> {
        let pupil_id = self.pupil_of_case(&case_id)?;
        let (ground, consent_recipient, ground_sv) = checked_ground(self, &case_id, ground)?;
        let recipient = match consent_recipient {
            Some(theirs) if recipient.trim().is_empty() => theirs,
            _ => text::required("recipient", recipient)?,
        };
        let disclosure_id = Uuid::now_v7();
        let detail = match &ground {
            DisclosureGround::Consent { consent_id } => format!("consent {consent_id}"),
            DisclosureGround::Other { .. } => "named ground".to_owned(),
        };
        Ok(Prepared {
            id: disclosure_id,
            payload: Payload::DisclosureRecorded {
                disclosure_id,
                case_id,
                recipient: recipient.clone(),
                what,
                ground,
                disclosed_on: clock::today(),
            },
            event: Event {
                action: Action::Create,
                object_type: OBJECT,
                object_id: Some(disclosure_id.to_string()),
                pupil_id: Some(pupil_id),
                detail,
            },
            recipient,
            ground_sv,
        })
    }

    /// A case's disclosure register, oldest first; a read, logged.
    pub fn list_disclosures(&self, case_id: Uuid) -> Result<Vec<DisclosureView>> {
        let pupil_id = self.pupil_of_case(&case_id)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.case_id, d.recipient, d.what, d.consent_id, c.scope, d.ground,
                    d.disclosed_on, d.recorded_at, d.recorded_by
             FROM disclosures d LEFT JOIN consents c ON c.id = d.consent_id
             WHERE d.case_id = ?1 ORDER BY d.recorded_at, d.id",
        )?;
        let register = stmt
            .query_map([case_id.to_string()], |r| {
                Ok(DisclosureView {
                    id: r.get(0)?,
                    case_id: r.get(1)?,
                    recipient: r.get(2)?,
                    what: r.get(3)?,
                    consent_id: r.get(4)?,
                    consent_scope: r.get(5)?,
                    ground: r.get(6)?,
                    disclosed_on: r.get(7)?,
                    recorded_at: r.get(8)?,
                    recorded_by: r.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        self.record(Event {
            action: Action::List,
            object_type: OBJECT,
            object_id: Some(case_id.to_string()),
            pupil_id: Some(pupil_id),
            detail: format!("{} disclosures", register.len()),
        })?;
        Ok(register)
    }
}

#[cfg(test)]
mod tests;
