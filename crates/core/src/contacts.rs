//! The team's key persons (docs/contacts.md): who to call at each school
//! and partner organisation — the principal, the mentor, the school nurse,
//! BUP, the youth clinic, the police. The directory belongs to the team,
//! not to a pupil: its operations are in the team's scope
//! (docs/adr/0029-a-team-scope.md), sync to every laptop of the team and
//! never leave with a case.
//!
//! A person is added once with their kind of organisation; the
//! organisation's name, the role, the name, the phone and the e-mail are
//! last-writer-wins values (a concurrent edit is kept as a conflict);
//! someone who no longer holds the role is kept for history and no longer
//! offered.

use crate::audit::{Action, Event};
use crate::cases::FieldState;
use crate::clock;
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::text;
use crate::views::ConflictView;
use brygga_protocol::op::{ContactField, OrgKind, Payload};
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use serde::Serialize;
use uuid::Uuid;

/// The object type of a key person in `mutable_fields`,
/// `field_conflicts` and the audit log.
pub(crate) const OBJECT: &str = "contact";

/// The kind of organisation by its stable name (`school`, `bup`…), or
/// the refusal that lists the kinds there are.
pub fn org_kind(name: &str) -> Result<OrgKind> {
    OrgKind::parse(name.trim()).ok_or_else(|| {
        let known: Vec<_> = OrgKind::ALL.iter().map(|k| k.as_str()).collect();
        Error::invalid(
            ReasonCode::ContactOrgUnknown,
            format!(
                "'{name}' is not a kind of organisation (kinds: {})",
                known.join(", ")
            ),
        )
        .with("org", name)
    })
}

/// A field by its stable name, as stored.
pub(crate) fn field_named(name: &str) -> Option<ContactField> {
    ContactField::ALL.into_iter().find(|f| f.as_str() == name)
}

/// The value a [`Payload::ContactAdded`] gave `field`, if it gave one: the
/// first value of every field, which a conflict may choose again.
pub(crate) fn added_value(payload: &Payload, field: ContactField) -> Option<String> {
    let Payload::ContactAdded {
        org_name,
        role,
        name,
        phone,
        email,
        ..
    } = payload
    else {
        return None;
    };
    match field {
        ContactField::OrgName => Some(org_name.clone()),
        ContactField::Role => Some(role.clone()),
        ContactField::Name => Some(name.clone()),
        ContactField::Phone => phone.clone(),
        ContactField::Email => email.clone(),
    }
}

/// Checks and trims a field's value: name and role must be there; a phone
/// is lenient (digits and the signs people write numbers with, at least
/// three digits: 112 and 114 14 are numbers); an e-mail has one `@` with a
/// dotted domain after it. Empty phone, e-mail or organisation name mean
/// none.
pub fn check_field(field: ContactField, value: &str) -> Result<String> {
    let name = field.as_str();
    match field {
        ContactField::Role | ContactField::Name => text::required(name, value),
        ContactField::OrgName => text::bounded(name, value),
        ContactField::Phone => {
            let value = text::bounded(name, value)?;
            let allowed = |c: char| c.is_ascii_digit() || " +-()/.".contains(c);
            let digits = value.chars().filter(char::is_ascii_digit).count();
            if !value.is_empty() && (!value.chars().all(allowed) || digits < 3) {
                return Err(Error::invalid(
                    ReasonCode::ContactPhone,
                    format!("'{value}' is not a phone number (digits, spaces, + - ( ) / .)"),
                )
                .with("phone", value));
            }
            Ok(value)
        }
        ContactField::Email => {
            let value = text::bounded(name, value)?;
            if !value.is_empty() && !is_email(&value) {
                return Err(Error::invalid(
                    ReasonCode::ContactEmail,
                    format!("'{value}' is not an e-mail address (name@example.se)"),
                )
                .with("email", value));
            }
            Ok(value)
        }
    }
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && !value.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty())
}

/// A key person to add.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewContact {
    /// The kind of organisation's stable name (`school`, `bup`…).
    pub org_kind: String,
    /// Which one: the school's name, the clinic's; may be empty.
    pub org_name: String,
    pub role: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Changes to a key person: each field given is set (an empty phone,
/// e-mail or organisation name clears it).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactEdit {
    pub org_name: Option<String>,
    pub role: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl ContactEdit {
    fn fields(&self) -> impl Iterator<Item = (ContactField, &String)> {
        [
            (ContactField::OrgName, &self.org_name),
            (ContactField::Role, &self.role),
            (ContactField::Name, &self.name),
            (ContactField::Phone, &self.phone),
            (ContactField::Email, &self.email),
        ]
        .into_iter()
        .filter_map(|(field, value)| value.as_ref().map(|v| (field, v)))
    }
}

/// Which key persons to list.
#[derive(Clone, Debug, Default)]
pub struct ContactFilter {
    /// Only this kind of organisation.
    pub org_kind: Option<OrgKind>,
    /// Those who left their role too.
    pub all: bool,
}

/// A key person as the team's directory shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactView {
    pub id: String,
    pub org_kind: String,
    pub org_name: String,
    pub role: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub added_at: String,
    pub added_by: String,
    /// The day they left the role; None while they hold it.
    pub left_on: Option<String>,
    /// Values written at once on two laptops that lost, for review.
    pub conflicts: Vec<ConflictView>,
}

impl Journal {
    /// Adds a key person to the team's directory.
    pub fn add_contact(&mut self, new: NewContact) -> Result<Uuid> {
        let org_kind = org_kind(&new.org_kind)?;
        let optional = |field, value: &Option<String>| -> Result<Option<String>> {
            let value = check_field(field, value.as_deref().unwrap_or_default())?;
            Ok(Some(value).filter(|v| !v.is_empty()))
        };
        let contact_id = Uuid::now_v7();
        let payload = Payload::ContactAdded {
            contact_id,
            org_kind,
            org_name: check_field(ContactField::OrgName, &new.org_name)?,
            role: check_field(ContactField::Role, &new.role)?,
            name: check_field(ContactField::Name, &new.name)?,
            phone: optional(ContactField::Phone, &new.phone)?,
            email: optional(ContactField::Email, &new.email)?,
        };
        self.commit(
            payload,
            contact_event(Action::Create, &contact_id, org_kind.as_str().to_owned()),
        )?;
        Ok(contact_id)
    }

    /// Changes the fields `edit` gives, all or none. Each names the value
    /// this laptop shows as the one it replaces, so that a later merge can
    /// tell a sequential edit from a concurrent one.
    pub fn edit_contact(&mut self, contact_id: Uuid, edit: ContactEdit) -> Result<()> {
        self.left_on(&contact_id)?;
        let mut items = Vec::new();
        for (field, value) in edit.fields() {
            let value = check_field(field, value)?;
            let replaces = self.current_op_of(OBJECT, &contact_id, field.as_str())?;
            items.push((
                Payload::ContactChanged {
                    contact_id,
                    field,
                    value,
                    replaces,
                },
                contact_event(Action::Update, &contact_id, field.as_str().to_owned()),
            ));
        }
        if items.is_empty() {
            return Err(Error::invalid(
                ReasonCode::ContactNothingToChange,
                "nothing to change: give at least one field",
            ));
        }
        self.commit_batch(items, None)?;
        Ok(())
    }

    /// The person no longer holds the role: kept for history, no longer
    /// listed unless all are asked for.
    pub fn contact_left_role(&mut self, contact_id: Uuid) -> Result<()> {
        self.contact_left_role_on(contact_id, clock::today())
    }

    /// [`Journal::contact_left_role`] on a given day, so that a test
    /// knows the day it reads back.
    pub(crate) fn contact_left_role_on(
        &mut self,
        contact_id: Uuid,
        left_on: NaiveDate,
    ) -> Result<()> {
        if let Some(on) = self.left_on(&contact_id)? {
            return Err(Error::not_allowed(
                ReasonCode::ContactAlreadyLeft,
                format!("contact {contact_id} already left the role on {on}"),
            )
            .with("on", on));
        }
        self.commit(
            Payload::ContactLeftRole {
                contact_id,
                left_on,
            },
            contact_event(Action::Update, &contact_id, format!("left {left_on}")),
        )?;
        Ok(())
    }

    /// The team's key persons by kind of organisation, organisation, role
    /// and name; a read, logged.
    pub fn list_contacts(&self, filter: &ContactFilter) -> Result<Vec<ContactView>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, org_kind, added_at, added_by, left_on FROM contacts
             WHERE (?1 = '' OR org_kind = ?1) AND (?2 OR left_on IS NULL)",
        )?;
        let rows = stmt
            .query_map(
                rusqlite::params![
                    filter.org_kind.map(OrgKind::as_str).unwrap_or_default(),
                    filter.all
                ],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut contacts = rows
            .into_iter()
            .map(|(id, org_kind, added_at, added_by, left_on)| {
                self.contact_view(id, org_kind, added_at, added_by, left_on)
            })
            .collect::<Result<Vec<_>>>()?;
        contacts.sort_by(|a, b| {
            (a.org_kind.as_str(), &a.org_name, &a.role, &a.name, &a.id).cmp(&(
                b.org_kind.as_str(),
                &b.org_name,
                &b.role,
                &b.name,
                &b.id,
            ))
        });
        self.record(Event {
            action: Action::List,
            object_type: OBJECT,
            object_id: None,
            pupil_id: None,
            detail: format!("{} contacts", contacts.len()),
        })?;
        Ok(contacts)
    }

    /// A key person as the directory shows them now, if this laptop has
    /// them; not logged (the caller's read of an entry or a plan is).
    pub(crate) fn current_contact(&self, contact_id: &Uuid) -> Result<Option<ContactView>> {
        let row = self
            .conn
            .query_row(
                "SELECT id, org_kind, added_at, added_by, left_on FROM contacts WHERE id = ?1",
                [contact_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        row.map(|(id, org_kind, added_at, added_by, left_on)| {
            self.contact_view(id, org_kind, added_at, added_by, left_on)
        })
        .transpose()
    }

    fn contact_view(
        &self,
        id: String,
        org_kind: String,
        added_at: String,
        added_by: String,
        left_on: Option<String>,
    ) -> Result<ContactView> {
        let mut conflicts = Vec::new();
        let mut take = |field: ContactField| -> Result<Option<String>> {
            let FieldState {
                value,
                conflicts: lost,
            } = self.field_state(OBJECT, &id, field.as_str())?;
            conflicts.extend(lost);
            Ok(value.filter(|v| !v.is_empty()))
        };
        Ok(ContactView {
            org_name: take(ContactField::OrgName)?.unwrap_or_default(),
            role: take(ContactField::Role)?.unwrap_or_default(),
            name: take(ContactField::Name)?.unwrap_or_default(),
            phone: take(ContactField::Phone)?,
            email: take(ContactField::Email)?,
            id,
            org_kind,
            added_at,
            added_by,
            left_on,
            conflicts,
        })
    }

    /// The day a key person left their role (None while they hold it);
    /// not found when they are not here.
    fn left_on(&self, contact_id: &Uuid) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT left_on FROM contacts WHERE id = ?1",
                [contact_id.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::not_found("contact", contact_id))
    }
}

fn contact_event(action: Action, id: &Uuid, detail: String) -> Event<'static> {
    Event {
        action,
        object_type: OBJECT,
        object_id: Some(id.to_string()),
        // The team's, not a pupil's.
        pupil_id: None,
        detail,
    }
}

#[cfg(test)]
mod tests;
