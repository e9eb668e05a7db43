//! Links from a pupil's journal to the team's key persons
//! (docs/contacts.md, docs/adr/0031-links-to-key-persons.md): an entry's
//! participants and a plan action's owner are picked from the directory.
//! The link is written in the pupil's scope and names the contact's id as
//! data, so a case that leaves takes its links with it and the directory
//! stays (docs/adr/0029-a-team-scope.md).
//!
//! What a link shows: a draft and a plan show the key person as the
//! directory has them now; a signed entry shows the name, role and
//! organisation it was signed with, which signing writes into the content
//! it signs. Someone who left the role still shows where they were named
//! and is not offered anew.

use crate::audit::{Action, Event};
use crate::contacts::ContactView;
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::plans::NewAction;
use brygga_protocol::op::{EntryContent, KeyPersonRef, Payload};
use serde::Serialize;
use uuid::Uuid;

/// The field of a plan action (object type `plan-action` in
/// `mutable_fields`) that holds its owner's contact id.
pub(crate) const OWNER_FIELD: &str = "owner";

/// A key person where an entry or a plan action names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KeyPersonView {
    pub contact_id: String,
    /// As signed in a signed entry; as the directory has it now elsewhere
    /// (or as written, when the directory has not reached this laptop).
    pub name: String,
    pub role: String,
    pub org_name: String,
    /// The kind of organisation, when the directory has the person here.
    pub org_kind: Option<String>,
    /// The day they left the role, if they did.
    pub left_on: Option<String>,
}

impl KeyPersonView {
    /// "Name (role, organisation)", as a list or a printed journal names
    /// them.
    pub fn label(&self) -> String {
        let within = [self.role.as_str(), self.org_name.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        if within.is_empty() {
            self.name.clone()
        } else {
            format!("{} ({within})", self.name)
        }
    }

    /// The words `written` says, with what the directory knows now of
    /// the same person: the current words too unless `frozen`.
    fn of(written: &KeyPersonRef, now: Option<&ContactView>, frozen: bool) -> Self {
        let mut view = KeyPersonView {
            contact_id: written.contact_id.to_string(),
            name: written.name.clone(),
            role: written.role.clone(),
            org_name: written.org_name.clone(),
            org_kind: None,
            left_on: None,
        };
        if let Some(now) = now {
            view.org_kind = Some(now.org_kind.clone());
            view.left_on = now.left_on.clone();
            if !frozen {
                view.name = now.name.clone();
                view.role = now.role.clone();
                view.org_name = now.org_name.clone();
            }
        }
        view
    }
}

fn written(contact: &ContactView, contact_id: Uuid) -> KeyPersonRef {
    KeyPersonRef {
        contact_id,
        name: contact.name.clone(),
        role: contact.role.clone(),
        org_name: contact.org_name.clone(),
    }
}

impl Journal {
    /// The key person `contact_id` as the directory has them, to be named
    /// anew: refused when unknown here or when they left the role, unless
    /// `kept` (already named where they are named again).
    fn named_anew(&self, contact_id: Uuid, kept: bool) -> Result<ContactView> {
        let contact = self
            .current_contact(&contact_id)?
            .ok_or_else(|| Error::not_found("contact", contact_id))?;
        match &contact.left_on {
            Some(on) if !kept => Err(Error::not_allowed(
                ReasonCode::ContactLeft,
                format!(
                    "{} left the role of {} on {on}; pick someone who holds it",
                    contact.name, contact.role
                ),
            )
            .with("name", contact.name.clone())
            .with("on", on.clone())),
            _ => Ok(contact),
        }
    }

    /// The links an entry's content gets for `ids` (repeats dropped), with
    /// the words the directory has now. `before` is what the draft named:
    /// someone named there who has since left the role may stay.
    pub(crate) fn key_person_refs(
        &self,
        ids: &[Uuid],
        before: &[KeyPersonRef],
    ) -> Result<Vec<KeyPersonRef>> {
        let mut refs: Vec<KeyPersonRef> = Vec::with_capacity(ids.len());
        for &id in ids {
            if refs.iter().any(|r| r.contact_id == id) {
                continue;
            }
            let kept = before.iter().any(|r| r.contact_id == id);
            refs.push(written(&self.named_anew(id, kept)?, id));
        }
        Ok(refs)
    }

    /// Names each action's owner picked from the directory (`contact_id`)
    /// by the name the directory has now: refused when unknown here or
    /// when they left the role, unless `kept` holds them (an action of the
    /// plan names them already).
    pub(crate) fn name_owners(&self, actions: &mut [NewAction], kept: &[Uuid]) -> Result<()> {
        for action in actions {
            if let Some(id) = action.contact_id {
                action.who = self.named_anew(id, kept.contains(&id))?.name;
            }
        }
        Ok(())
    }

    /// How `content` names its key persons: frozen when it is signed.
    pub(crate) fn key_person_views(
        &self,
        content: &EntryContent,
        signed: bool,
    ) -> Result<Vec<KeyPersonView>> {
        content
            .key_persons
            .iter()
            .map(|r| {
                let now = self.current_contact(&r.contact_id)?;
                Ok(KeyPersonView::of(r, now.as_ref(), signed))
            })
            .collect()
    }

    /// A plan action's owner as the directory has them now, when the
    /// action names one; `who` is what was written, for a person this
    /// laptop's directory does not have.
    pub(crate) fn owner_view(&self, action_id: &str, who: &str) -> Result<Option<KeyPersonView>> {
        let Some(id) = self
            .field_state("plan-action", action_id, OWNER_FIELD)?
            .value
            .and_then(|v| Uuid::parse_str(&v).ok())
        else {
            return Ok(None);
        };
        let written = KeyPersonRef {
            contact_id: id,
            name: who.to_owned(),
            role: String::new(),
            org_name: String::new(),
        };
        let now = self.current_contact(&id)?;
        Ok(Some(KeyPersonView::of(&written, now.as_ref(), false)))
    }

    /// What signing writes first when the draft's key persons no longer
    /// read as the directory has them: a new version with today's words,
    /// so that the signature covers what the signer saw. None when the
    /// words stand (or the directory has none of them here).
    pub(crate) fn key_persons_at_signing(
        &self,
        entry_id: Uuid,
        case_id: &Uuid,
        version_op: Option<Uuid>,
    ) -> Result<Option<(Payload, Event<'static>)>> {
        let Some(version) = version_op else {
            return Ok(None);
        };
        let mut content =
            crate::replay::version_content(&self.conn, &entry_id, &version.to_string())?;
        let mut changed = false;
        for r in &mut content.key_persons {
            if let Some(now) = self.current_contact(&r.contact_id)? {
                let current = written(&now, r.contact_id);
                changed |= *r != current;
                *r = current;
            }
        }
        if !changed {
            return Ok(None);
        }
        let event = Event {
            action: Action::Update,
            object_type: "entry",
            object_id: Some(entry_id.to_string()),
            pupil_id: Some(self.pupil_of_case(case_id)?),
            detail: "key persons as at signing".to_owned(),
        };
        Ok(Some((
            Payload::DraftEdited {
                entry_id,
                content,
                replaces: Some(version),
            },
            event,
        )))
    }
}

#[cfg(test)]
mod tests;
