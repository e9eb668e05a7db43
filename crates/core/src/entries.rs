//! Journal entries: draft → signed, and corrections of signed entries.

use crate::audit::{Action, Event};
use crate::entry_fields;
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::ladder::LadderStep;
use crate::replay::version_content;
use crate::text;
use crate::views::{CorrectionView, EntryView};
use brygga_protocol::entry_kind::EntryKind;
use brygga_protocol::op::{EntryContent, KeyPersonRef, Payload};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A journal entry as the user writes it; `event_at` is RFC 3339.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewEntry {
    pub kind: EntryKind,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub event_at: DateTime<Utc>,
    /// Who took part who is not one of the team's key persons (the pupil,
    /// "mamma"), as written.
    pub participants: Vec<String>,
    /// The team's key persons who took part, by their contact id
    /// (docs/contacts.md); absent means none.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub key_persons: Vec<Uuid>,
    pub fields: BTreeMap<String, String>,
    pub text: String,
}

impl NewEntry {
    /// The content to sign, checked; a ladder step must be one of `steps`;
    /// `key_persons` are the links to the team's key persons, already
    /// looked up.
    fn into_content(
        self,
        steps: &[LadderStep],
        key_persons: Vec<KeyPersonRef>,
    ) -> Result<EntryContent> {
        let text = if entry_fields::text_required(self.kind) {
            text::required("text", &self.text)?
        } else {
            text::bounded("text", &self.text)?
        };
        let fields = self
            .fields
            .into_iter()
            .map(|(k, v)| Ok((k.trim().to_owned(), text::bounded(&k, &v)?)))
            .collect::<Result<BTreeMap<_, _>>>()?;
        entry_fields::validate(self.kind, &fields, steps)?;
        let participants = self
            .participants
            .iter()
            .map(|p| text::bounded("participant", p))
            .filter(|p| !matches!(p, Ok(s) if s.is_empty()))
            .collect::<Result<Vec<_>>>()?;
        Ok(EntryContent {
            kind: self.kind,
            event_at: self.event_at,
            participants,
            key_persons,
            fields,
            text,
        })
    }
}

const ENTRY_COLUMNS: &str = "e.id, e.case_id, e.kind, e.status, e.event_at, e.written_at, e.author,
     e.participants, e.fields, e.text, e.signed_at, e.signed_by";

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntryView> {
    let kind: String = r.get(2)?;
    let participants: String = r.get(7)?;
    let fields: String = r.get(8)?;
    let bad = |i: usize, e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    };
    Ok(EntryView {
        id: r.get(0)?,
        case_id: r.get(1)?,
        kind: kind
            .parse()
            .map_err(|e: brygga_protocol::entry_kind::UnknownKind| bad(2, e.to_string()))?,
        status: r.get(3)?,
        event_at: r.get(4)?,
        written_at: r.get(5)?,
        author: r.get(6)?,
        participants: serde_json::from_str(&participants).map_err(|e| bad(7, e.to_string()))?,
        fields: serde_json::from_str(&fields).map_err(|e| bad(8, e.to_string()))?,
        text: r.get(9)?,
        signed_at: r.get(10)?,
        signed_by: r.get(11)?,
        key_persons: Vec::new(),
        corrections: Vec::new(),
        conflicts: Vec::new(),
    })
}

struct EntryState {
    case_id: Uuid,
    status: String,
    /// The version shown (the op that drafted or last edited it) and the
    /// hash of its content: what an edit replaces and a signature names.
    version_op: Option<Uuid>,
    content_hash: Option<String>,
}

impl Journal {
    fn entry_state(&self, entry_id: &Uuid) -> Result<EntryState> {
        type Row = (String, String, Option<String>, Option<String>);
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT e.case_id, e.status, e.version_op, v.content_hash FROM entries e
                 LEFT JOIN entry_versions v ON v.op_id = e.version_op WHERE e.id = ?1",
                [entry_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let (case_id, status, version_op, content_hash) =
            row.ok_or_else(|| Error::not_found("entry", entry_id))?;
        Ok(EntryState {
            case_id: Uuid::parse_str(&case_id)
                .map_err(|_| Error::Damaged(format!("entry {entry_id} has a bad case id")))?,
            status,
            version_op: version_op.and_then(|v| Uuid::parse_str(&v).ok()),
            content_hash,
        })
    }

    /// Nothing new is written in a closed case (entries, consents, plans,
    /// concern reports, guardians); a withdrawal of consent still is.
    pub(crate) fn ensure_case_open(&self, case_id: &Uuid) -> Result<()> {
        let status: Option<String> = self
            .conn
            .query_row(
                "SELECT status FROM cases WHERE id = ?1",
                [case_id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        match status.as_deref() {
            Some("open") => Ok(()),
            Some(_) => Err(Error::not_allowed(
                ReasonCode::CaseClosed,
                format!("case {case_id} is closed; nothing new is written in a closed case"),
            )),
            None => Err(Error::not_found("case", case_id)),
        }
    }

    fn entry_event(
        &self,
        action: Action,
        entry_id: &Uuid,
        case_id: &Uuid,
        detail: String,
    ) -> Result<Event<'static>> {
        Ok(Event {
            action,
            object_type: "entry",
            object_id: Some(entry_id.to_string()),
            pupil_id: Some(self.pupil_of_case(case_id)?),
            detail,
        })
    }

    /// Writes a new draft in an open case.
    pub fn draft_entry(&mut self, case_id: Uuid, new: NewEntry) -> Result<Uuid> {
        self.ensure_case_open(&case_id)?;
        let key_persons = self.key_person_refs(&new.key_persons, &[])?;
        let content = new.into_content(&self.ladder_steps()?, key_persons)?;
        self.check_programme_session(&case_id, &content.fields)?;
        self.check_results(&case_id, content.kind, &content.fields)?;
        let entry_id = Uuid::now_v7();
        let event = self.entry_event(
            Action::Create,
            &entry_id,
            &case_id,
            content.kind.to_string(),
        )?;
        self.commit(
            Payload::EntryDrafted {
                entry_id,
                case_id,
                content,
            },
            event,
        )?;
        Ok(entry_id)
    }

    /// Replaces the content of a draft. A signed entry never changes.
    pub fn edit_draft(&mut self, entry_id: Uuid, new: NewEntry) -> Result<()> {
        let state = self.entry_state(&entry_id)?;
        if state.status == "signed" {
            return Err(Error::not_allowed(
                ReasonCode::EntrySigned,
                format!("entry {entry_id} is signed and cannot change; write a correction instead"),
            ));
        }
        let before = match state.version_op {
            Some(v) => version_content(&self.conn, &entry_id, &v.to_string())?.key_persons,
            None => Vec::new(),
        };
        let key_persons = self.key_person_refs(&new.key_persons, &before)?;
        let content = new.into_content(&self.ladder_steps()?, key_persons)?;
        self.check_programme_session(&state.case_id, &content.fields)?;
        self.check_results(&state.case_id, content.kind, &content.fields)?;
        let event = self.entry_event(Action::Update, &entry_id, &state.case_id, String::new())?;
        self.commit(
            Payload::DraftEdited {
                entry_id,
                content,
                replaces: state.version_op,
            },
            event,
        )?;
        Ok(())
    }

    /// Signs a draft; from now on it is immutable.
    pub fn sign_entry(&mut self, entry_id: Uuid) -> Result<()> {
        let signing = self.signing(entry_id)?;
        self.commit_batch(signing, None)?;
        Ok(())
    }

    /// The operations that sign a draft, with their audit events, for
    /// [`Journal::sign_entry`] and for callers that sign in one
    /// transaction with more: the signature, after a new version when the
    /// draft's key persons read differently in the directory now (what is
    /// signed is what the signer saw).
    pub(crate) fn signing(&self, entry_id: Uuid) -> Result<Vec<(Payload, Event<'static>)>> {
        let state = self.entry_state(&entry_id)?;
        if state.status == "signed" {
            return Err(Error::not_allowed(
                ReasonCode::EntryAlreadySigned,
                format!("entry {entry_id} is already signed"),
            ));
        }
        let mut items = Vec::new();
        let mut content_hash = state.content_hash;
        let refreshed = self.key_persons_at_signing(entry_id, &state.case_id, state.version_op)?;
        if let Some((edit, event)) = refreshed {
            if let Payload::DraftEdited { content, .. } = &edit {
                content_hash = Some(content.hash());
            }
            items.push((edit, event));
        }
        let event = self.entry_event(Action::Sign, &entry_id, &state.case_id, String::new())?;
        items.push((
            Payload::EntrySigned {
                entry_id,
                content_hash,
            },
            event,
        ));
        Ok(items)
    }

    /// Adds a correction to a signed entry; the original stays as it was.
    pub fn correct_entry(&mut self, entry_id: Uuid, text: &str, reason: &str) -> Result<Uuid> {
        let state = self.entry_state(&entry_id)?;
        if state.status != "signed" {
            return Err(Error::not_allowed(
                ReasonCode::EntryNotSigned,
                format!(
                "entry {entry_id} is a draft; edit or sign it — only signed entries are corrected"
            ),
            ));
        }
        let text = text::required("correction text", text)?;
        let reason = text::required("reason", reason)?;
        let correction_id = Uuid::now_v7();
        let event = self.entry_event(
            Action::Correct,
            &entry_id,
            &state.case_id,
            correction_id.to_string(),
        )?;
        self.commit(
            Payload::EntryCorrected {
                correction_id,
                entry_id,
                text,
                reason,
            },
            event,
        )?;
        Ok(correction_id)
    }

    fn corrections_of(&self, entry_id: &str) -> Result<Vec<CorrectionView>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, text, reason, written_at, author FROM corrections
             WHERE entry_id = ?1 ORDER BY written_at, id",
        )?;
        let rows = stmt
            .query_map([entry_id], |r| {
                Ok(CorrectionView {
                    id: r.get(0)?,
                    text: r.get(1)?,
                    reason: r.get(2)?,
                    written_at: r.get(3)?,
                    author: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// An entry's key persons, its corrections and the texts that lost
    /// to it.
    fn fill_review(&self, entry: &mut EntryView) -> Result<()> {
        let content: Option<String> = self
            .conn
            .query_row(
                "SELECT v.content FROM entries e JOIN entry_versions v ON v.op_id = e.version_op
                 WHERE e.id = ?1",
                [&entry.id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(json) = content {
            let content: EntryContent = serde_json::from_str(&json).map_err(|e| {
                Error::Damaged(format!("entry {} has an unreadable version: {e}", entry.id))
            })?;
            entry.key_persons = self.key_person_views(&content, entry.status == "signed")?;
        }
        entry.corrections = self.corrections_of(&entry.id)?;
        entry.conflicts = self.conflicts_of(
            crate::replay::ENTRY_OBJECT,
            &entry.id,
            crate::replay::ENTRY_FIELD,
        )?;
        Ok(())
    }

    /// One entry with its corrections.
    pub fn entry(&self, entry_id: Uuid) -> Result<EntryView> {
        let mut entry = self
            .conn
            .query_row(
                &format!("SELECT {ENTRY_COLUMNS} FROM entries e WHERE e.id = ?1"),
                [entry_id.to_string()],
                entry_from_row,
            )
            .optional()?
            .ok_or_else(|| Error::not_found("entry", entry_id))?;
        self.fill_review(&mut entry)?;
        let case_id = Uuid::parse_str(&entry.case_id)
            .map_err(|_| Error::Damaged(format!("entry {entry_id} has a bad case id")))?;
        self.record(self.entry_event(Action::Read, &entry_id, &case_id, String::new())?)?;
        Ok(entry)
    }

    /// A case's timeline: every entry, oldest event first, with corrections.
    pub fn list_entries(&self, case_id: Uuid) -> Result<Vec<EntryView>> {
        let pupil_id = self.pupil_of_case(&case_id)?;
        let entries = self.load_entries(case_id)?;
        self.record(Event {
            action: Action::Read,
            object_type: "case-timeline",
            object_id: Some(case_id.to_string()),
            pupil_id: Some(pupil_id),
            detail: format!("{} entries", entries.len()),
        })?;
        Ok(entries)
    }

    /// [`Journal::list_entries`] without its audit row, for callers that
    /// record their own.
    pub(crate) fn load_entries(&self, case_id: Uuid) -> Result<Vec<EntryView>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM entries e WHERE e.case_id = ?1 ORDER BY e.event_at, e.id"
        ))?;
        let mut entries = stmt
            .query_map(params![case_id.to_string()], entry_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for entry in &mut entries {
            self.fill_review(entry)?;
        }
        Ok(entries)
    }
}
