//! A case journal as PDF, for a records request (begäran om
//! allmän handling / partsinsyn).
//!
//! Only signed entries are the journal; a draft is not a record yet, so
//! drafts are counted but not printed. Each entry shows its kind, event
//! time, who wrote it when, who signed it when, participants, fields and
//! text; each correction stands right beside (under) the entry it
//! corrects, with its own author, time and reason, and the original text
//! unchanged. Entries can be left out after a harm assessment
//! (menprövning): the PDF says how many were left out and why, but not
//! which. A protected pupil's school is not printed, and no export prints
//! guardians' contact details.

use super::kind_label;
use super::pdf::{Document, Style};
use crate::audit::{Action, Event};
use crate::clock;
use crate::disclosures::JournalRelease;
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::key_persons::KeyPersonView;
use crate::text;
use crate::views::{CaseDetail, EntryView};
use uuid::Uuid;

/// An entry to leave out of an export, and why.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LeaveOut {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub entry_id: Uuid,
    pub reason: String,
}

/// Checks the entries to leave out: each a signed entry of the case, once,
/// with a reason. Returns reason → how many, in the order first given.
fn left_out_by_reason(
    entries: &[EntryView],
    leave_out: &[LeaveOut],
) -> Result<Vec<(String, usize)>> {
    let mut seen = Vec::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for l in leave_out {
        let id = l.entry_id.to_string();
        let entry = entries
            .iter()
            .find(|e| e.id == id)
            .ok_or_else(|| Error::not_found("entry", l.entry_id))?;
        if entry.status != "signed" {
            return Err(Error::invalid(
                ReasonCode::LeaveOutDraft,
                format!(
                "entry {id} is a draft; drafts are never in the export, so it need not be left out"
            ),
            ));
        }
        if seen.contains(&id) {
            return Err(Error::invalid(
                ReasonCode::LeaveOutTwice,
                format!("entry {id} is to be left out twice"),
            ));
        }
        seen.push(id);
        let reason = text::required("reason for leaving out an entry", &l.reason)?;
        match counts.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, n)) => *n += 1,
            None => counts.push((reason, 1)),
        }
    }
    Ok(counts)
}

fn entries_word(n: usize) -> &'static str {
    if n == 1 {
        "anteckning"
    } else {
        "anteckningar"
    }
}

/// The Swedish label of an entry field (docs/entry-kinds.md).
fn field_label(key: &str) -> &str {
    match key {
        "place" => "Plats",
        "purpose" => "Syfte",
        "agreed" => "Överenskommet",
        "arrival" => "Ankomst",
        "time" => "Tid",
        "mood" => "Mående",
        "teacher_present" => "Lärare närvarande",
        "step" => "Steg i planen",
        "duration_min" => "Längd (min)",
        "staff_role" => "Personalens roll",
        "topic" => "Ämne",
        "parties" => "Parter",
        "outcome" => "Resultat",
        "with_whom" => "Med vem",
        "direction" => "Riktning",
        other => other,
    }
}

fn header(doc: &mut Document, detail: &CaseDetail, author: &str) {
    let p = &detail.pupil;
    let c = &detail.case;
    doc.text("Journalutdrag", Style::TITLE);
    doc.text(
        "Socialtjänstens familjebehandling i skolan — utdrag ur ärendets journal",
        Style::SMALL,
    );
    doc.gap(8.0);
    doc.text(
        &format!("Elev: {}, {}", p.name, p.personnummer),
        Style::BODY,
    );
    let school = match (&p.school, p.protected_identity) {
        (Some(school), false) => format!("Skola: {school}, årskurs {}", p.grade),
        _ => format!(
            "Skola: lämnas inte ut (skyddade personuppgifter); årskurs {}",
            p.grade
        ),
    };
    doc.text(&school, Style::BODY);
    let status = match c.closed_at.as_deref() {
        Some(closed) => format!("avslutat {}", clock::local_text(closed)),
        None => "pågår".to_owned(),
    };
    doc.text(
        &format!(
            "Ärendet öppnat {}, {status}",
            clock::local_text(&c.opened_at)
        ),
        Style::BODY,
    );
    doc.text(&format!("Ärende-id: {}", c.id), Style::SMALL);
    if !detail.guardians.is_empty() {
        let names: Vec<String> = detail
            .guardians
            .iter()
            .map(|g| format!("{} ({})", g.name, g.relation))
            .collect();
        doc.text(
            &format!("Vårdnadshavare: {}", names.join(", ")),
            Style::BODY,
        );
    }
    let now = clock::now().to_rfc3339();
    doc.text(
        &format!("Utskrivet {} av {author}", clock::local_text(&now)),
        Style::BODY,
    );
}

fn entry(doc: &mut Document, e: &EntryView) {
    doc.heading(
        &format!(
            "{} — {}",
            kind_label(e.kind),
            clock::local_text(&e.event_at)
        ),
        Style::HEADING,
    );
    doc.text(
        &format!("Händelsetid: {}", clock::local_text(&e.event_at)),
        Style::BODY,
    );
    doc.text(
        &format!(
            "Skriven: {} av {}",
            clock::local_text(&e.written_at),
            e.author
        ),
        Style::BODY,
    );
    if let (Some(at), Some(by)) = (&e.signed_at, &e.signed_by) {
        doc.text(
            &format!("Signerad: {} av {by}", clock::local_text(at)),
            Style::BODY,
        );
    }
    let participants: Vec<String> = e
        .key_persons
        .iter()
        .map(KeyPersonView::label)
        .chain(e.participants.iter().cloned())
        .collect();
    if !participants.is_empty() {
        doc.text(
            &format!("Deltagare: {}", participants.join(", ")),
            Style::BODY,
        );
    }
    for (key, value) in &e.fields {
        doc.text(&format!("{}: {value}", field_label(key)), Style::BODY);
    }
    doc.gap(4.0);
    if e.corrections.is_empty() {
        doc.text(&e.text, Style::BODY);
    } else {
        // The original on the left, unchanged; its corrections beside it.
        let original = vec!["Ursprunglig text (oförändrad):".to_owned(), e.text.clone()];
        let corrections = e
            .corrections
            .iter()
            .flat_map(|c| {
                [
                    format!(
                        "Rättelse {} av {}",
                        clock::local_text(&c.written_at),
                        c.author
                    ),
                    format!("Skäl: {}", c.reason),
                    c.text.clone(),
                    String::new(),
                ]
            })
            .collect();
        doc.row(&[0.5, 0.5], &[original, corrections], Style::BODY, 18.0);
    }
    doc.rule();
}

impl Journal {
    /// The case's journal as PDF bytes, handed to `release.recipient` on
    /// `release.ground`: the disclosure is recorded in the case's register
    /// with the export's audit row, in one transaction, and the PDF states
    /// to whom and on which ground. `leave_out` names signed entries not
    /// to print, each with a reason.
    pub fn export_case_journal_pdf(
        &mut self,
        case_id: Uuid,
        leave_out: &[LeaveOut],
        release: JournalRelease,
    ) -> Result<Vec<u8>> {
        let detail = self.load_case_detail(case_id)?;
        let entries = self.load_entries(case_id)?;
        let reasons = left_out_by_reason(&entries, leave_out)?;
        let skipped: Vec<String> = leave_out.iter().map(|l| l.entry_id.to_string()).collect();
        let signed: Vec<&EntryView> = entries
            .iter()
            .filter(|e| e.status == "signed" && !skipped.contains(&e.id))
            .collect();
        let drafts = entries.iter().filter(|e| e.status != "signed").count();
        let what = format!(
            "Journalutdrag (PDF), {} signerade {}{}",
            signed.len(),
            entries_word(signed.len()),
            if leave_out.is_empty() {
                String::new()
            } else {
                format!(", {} utelämnade efter menprövning", leave_out.len())
            }
        );
        let disclosure = self.disclosure(case_id, &release.recipient, what, release.ground)?;

        let mut doc = Document::new("Journalutdrag");
        header(&mut doc, &detail, self.author());
        doc.text(
            &format!(
                "Lämnas ut till {} med stöd av: {}",
                disclosure.recipient, disclosure.ground_sv
            ),
            Style::BODY,
        );
        doc.gap(8.0);
        doc.text(
            &format!(
                "Utdraget omfattar {} signerade {}.",
                signed.len(),
                entries_word(signed.len())
            ),
            Style::BODY,
        );
        for (reason, n) in &reasons {
            doc.text(
                &format!(
                    "{n} {} har utelämnats efter menprövning. Skäl: {reason}",
                    entries_word(*n)
                ),
                Style::BODY,
            );
        }
        if drafts > 0 {
            doc.text(
                &format!(
                    "{drafts} osignerade utkast ingår inte: ett utkast blir journalanteckning först när det signeras."
                ),
                Style::BODY,
            );
        }
        doc.rule();
        for e in &signed {
            entry(&mut doc, e);
        }
        let bytes = doc.finish();

        let why: Vec<String> = reasons.iter().map(|(r, n)| format!("{n}: {r}")).collect();
        let export = Event {
            action: Action::Export,
            object_type: "case-journal",
            object_id: Some(case_id.to_string()),
            pupil_id: Some(detail.pupil.id.clone()),
            detail: if why.is_empty() {
                format!("PDF, {} signed entries", signed.len())
            } else {
                format!(
                    "PDF, {} signed entries, {} left out ({})",
                    signed.len(),
                    leave_out.len(),
                    why.join("; ")
                )
            },
        };
        self.commit_batch(vec![(disclosure.payload, disclosure.event)], Some(export))?;
        Ok(bytes)
    }
}
