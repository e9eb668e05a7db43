//! Printing: ids of created things, view models as JSON or compact text.

mod attendance;
mod contacts;
mod deviations;
mod disclosures;
mod ladder;
mod meetings;
mod morning;
mod programme;
mod settings;

use crate::exit::{Code, Failure, Result};
use brygga_core::views::{
    CaseDetail, CaseView, ConcernView, ConflictView, ConsentView, EntryView, GuardianView,
    PlanView, PupilView, SearchHit,
};
use brygga_core::AuditRow;
use serde::Serialize;
use std::fmt::Display;
use std::io::Write;

/// Human-readable text for a view model.
pub trait Render {
    fn render(&self) -> String;
}

/// Prints the id of something just created, alone on one line.
pub fn created(id: impl Display) -> Result<()> {
    write_stdout(&format!("{id}\n"))
}

/// Prints `value` as JSON or as text.
pub fn show<T: Serialize + Render>(json: bool, value: &T) -> Result<()> {
    let text = if json {
        let mut s = serde_json::to_string_pretty(value)
            .map_err(|e| Failure::new(Code::Internal, format!("cannot write JSON: {e}")))?;
        s.push('\n');
        s
    } else {
        value.render()
    };
    write_stdout(&text)
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::new(
            Code::Internal,
            format!("cannot write the output: {e}"),
        )),
        _ => Ok(()),
    }
}

/// A table cell or label value: one line, control characters as spaces.
fn cell(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Free text shown as a block: line breaks and tabs kept, other control
/// characters (terminal escapes) shown as spaces.
fn block(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Left-aligned columns two spaces apart; the last column is not padded.
fn table<const N: usize>(
    headers: [&str; N],
    rows: impl IntoIterator<Item = [String; N]>,
) -> String {
    let rows: Vec<[String; N]> = rows.into_iter().map(|r| r.map(|c| cell(&c))).collect();
    let mut widths = headers.map(width);
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(c));
        }
    }
    let line = |cells: &[&str]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(widths[i] - width(c) + 2));
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(&headers);
    for row in &rows {
        out.push_str(&line(&row.each_ref().map(String::as_str)));
    }
    out
}

/// `label  value` lines with the values aligned.
fn pairs(rows: &[(&str, String)]) -> String {
    let w = rows.iter().map(|(l, _)| width(l)).max().unwrap_or(0);
    rows.iter()
        .map(|(label, value)| format!("{label}{}  {}\n", " ".repeat(w - width(label)), cell(value)))
        .collect()
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// A key person where an entry or an action names them, and when they
/// left the role.
fn key_person(k: &brygga_core::key_persons::KeyPersonView) -> String {
    match &k.left_on {
        Some(on) => format!("{} [left the role {on}]", k.label()),
        None => k.label(),
    }
}

fn or_dash(value: Option<&str>) -> String {
    value.unwrap_or("-").to_owned()
}

/// The first line of a text, cut to `max` characters.
fn summary(text: &str, max: usize) -> String {
    let first = text.lines().next().unwrap_or_default();
    if width(first) > max || text.lines().nth(1).is_some() {
        let cut: String = first.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        first.to_owned()
    }
}

/// The school, or "skyddad" for a protected identity.
fn school_of(pupil: &PupilView) -> String {
    if pupil.protected_identity {
        "skyddad".to_owned()
    } else {
        or_dash(pupil.school.as_deref())
    }
}

fn conflicts(list: &[ConflictView]) -> String {
    list.iter()
        .map(|c| {
            format!(
                "! {}: the value \"{}\" by {} ({}) was overridden by a later change\n",
                c.field,
                cell(&c.lost_value),
                c.lost_author,
                c.lost_at
            )
        })
        .collect()
}

fn section(title: &str, body: String) -> String {
    if body.is_empty() {
        format!("\n{title}: none\n")
    } else {
        format!("\n{title}:\n{}", indent(&body))
    }
}

impl Render for Vec<PupilView> {
    fn render(&self) -> String {
        table(
            ["ID", "NAME", "PERSONNUMMER", "SCHOOL", "GRADE", "OPEN CASE"],
            self.iter().map(|p| {
                [
                    p.id.clone(),
                    p.name.clone(),
                    p.personnummer.clone(),
                    school_of(p),
                    p.grade.to_string(),
                    or_dash(p.open_case_id.as_deref()),
                ]
            }),
        )
    }
}

impl Render for Vec<CaseView> {
    fn render(&self) -> String {
        table(
            [
                "ID",
                "PUPIL",
                "PERSONNUMMER",
                "STATUS",
                "OPENED",
                "DRAFTS",
                "SIGNED",
                "LAST EVENT",
            ],
            self.iter().map(|c| {
                [
                    c.id.clone(),
                    c.pupil_name.clone(),
                    c.personnummer.clone(),
                    c.status.clone(),
                    c.opened_at.clone(),
                    c.drafts.to_string(),
                    c.signed.to_string(),
                    or_dash(c.last_event_at.as_deref()),
                ]
            }),
        )
    }
}

fn guardians(list: &[GuardianView]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut out = table(
        ["ID", "NAME", "RELATION", "PHONE", "EMAIL", "ADDRESS"],
        list.iter().map(|g| {
            [
                g.id.clone(),
                g.name.clone(),
                g.relation.clone(),
                or_dash(g.phone.as_deref()),
                or_dash(g.email.as_deref()),
                or_dash(g.address.as_deref()),
            ]
        }),
    );
    for g in list {
        out.push_str(&conflicts(&g.conflicts));
    }
    out
}

/// The version shown, and whether it was made at the same time as the
/// one before it.
fn version_of(p: &PlanView) -> String {
    if p.concurrent {
        format!(
            "{} (made at the same time as version {}; both kept: `brygga plan versions --plan {}`)",
            p.version,
            p.version - 1,
            p.id
        )
    } else {
        p.version.to_string()
    }
}

fn plans(list: &[PlanView]) -> String {
    list.iter()
        .map(|p| {
            let mut out = pairs(&[
                ("plan", p.id.clone()),
                ("needs", p.needs.clone()),
                ("goals", p.goals.join("; ")),
                ("lead", p.lead_party.clone()),
                ("follow-up", p.follow_up_on.clone()),
                ("created", format!("{} by {}", p.created_at, p.author)),
                ("version", version_of(p)),
            ]);
            if !p.actions.is_empty() {
                out.push_str(&table(
                    [
                        "ACTION",
                        "WHO",
                        "WHAT",
                        "DUE",
                        "STATUS",
                        "WEEKLY",
                        "LAST RESULT",
                    ],
                    p.actions.iter().map(|a| {
                        [
                            a.id.clone(),
                            a.owner.as_ref().map_or_else(|| a.who.clone(), key_person),
                            a.what.clone(),
                            or_dash(a.due_on.as_deref()),
                            a.status.clone(),
                            a.schedule
                                .as_ref()
                                .map(|s| format!("{} {}", s.days.join(","), s.time))
                                .unwrap_or_else(|| "-".into()),
                            or_dash(a.results.last().map(|r| r.result.as_str())),
                        ]
                    }),
                ));
                for a in &p.actions {
                    out.push_str(&conflicts(&a.conflicts));
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn concerns(list: &[ConcernView]) -> String {
    if list.is_empty() {
        return String::new();
    }
    table(
        ["ID", "REPORTED", "TO", "BY", "RECORDED BY", "SUMMARY"],
        list.iter().map(|c| {
            [
                c.id.clone(),
                c.reported_at.clone(),
                c.to_whom.clone(),
                c.by_whom.clone(),
                c.recorded_by.clone(),
                summary(&c.summary, 60),
            ]
        }),
    )
}

impl Render for Vec<brygga_core::LeftCase> {
    fn render(&self) -> String {
        table(
            ["CASE", "PUPIL", "REASON", "CLOSED", "LEFT"],
            self.iter().map(|c| {
                [
                    c.case_id.clone(),
                    c.pupil_name.clone().unwrap_or_else(|| c.pupil_id.clone()),
                    c.reason.clone(),
                    or_dash(c.closed_at.as_deref()),
                    c.left_at.clone(),
                ]
            }),
        )
    }
}

impl Render for CaseDetail {
    fn render(&self) -> String {
        let c = &self.case;
        let p = &self.pupil;
        let status = match &c.closed_at {
            Some(closed) => format!("{} (opened {}, closed {closed})", c.status, c.opened_at),
            None => format!("{} (opened {})", c.status, c.opened_at),
        };
        let mut out = pairs(&[
            ("case", c.id.clone()),
            ("status", status),
            (
                "pupil",
                format!("{}, {} ({})", p.name, p.personnummer, p.id),
            ),
            ("school", format!("{}, grade {}", school_of(p), p.grade)),
            (
                "entries",
                format!(
                    "{} signed, {} draft(s), last event {}",
                    c.signed,
                    c.drafts,
                    or_dash(c.last_event_at.as_deref())
                ),
            ),
        ]);
        out.push_str(&section("guardians", guardians(&self.guardians)));
        out.push_str(&section(
            "consents",
            if self.consents.is_empty() {
                String::new()
            } else {
                self.consents.render()
            },
        ));
        out.push_str(&section("plans", plans(&self.plans)));
        out.push_str(&section("reports of concern", concerns(&self.concerns)));
        out
    }
}

impl Render for Vec<EntryView> {
    fn render(&self) -> String {
        table(
            ["ID", "EVENT", "KIND", "STATUS", "AUTHOR", "CORR", "TEXT"],
            self.iter().map(|e| {
                [
                    e.id.clone(),
                    e.event_at.clone(),
                    e.kind.to_string(),
                    e.status.clone(),
                    e.author.clone(),
                    e.corrections.len().to_string(),
                    summary(&e.text, 50),
                ]
            }),
        )
    }
}

impl Render for EntryView {
    fn render(&self) -> String {
        let mut rows = vec![
            ("entry", self.id.clone()),
            ("case", self.case_id.clone()),
            ("kind", self.kind.to_string()),
            ("status", self.status.clone()),
            ("event", self.event_at.clone()),
            ("written", format!("{} by {}", self.written_at, self.author)),
        ];
        if let (Some(at), Some(by)) = (&self.signed_at, &self.signed_by) {
            rows.push(("signed", format!("{at} by {by}")));
        }
        if !self.key_persons.is_empty() {
            let named: Vec<String> = self.key_persons.iter().map(key_person).collect();
            rows.push(("key persons", named.join("; ")));
        }
        if !self.participants.is_empty() {
            rows.push(("participants", self.participants.join(", ")));
        }
        let fields: Vec<(&str, String)> = self
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        rows.extend(fields);
        let mut out = pairs(&rows);
        out.push('\n');
        out.push_str(&block(&self.text));
        out.push('\n');
        for c in &self.corrections {
            out.push_str(&format!(
                "\ncorrection {} — {} by {}\nreason: {}\n{}\n",
                c.id,
                c.written_at,
                c.author,
                cell(&c.reason),
                block(&c.text)
            ));
        }
        out
    }
}

impl Render for Vec<ConsentView> {
    fn render(&self) -> String {
        table(
            [
                "ID",
                "GIVEN BY",
                "SCOPE",
                "RECIPIENT",
                "PURPOSE",
                "FORM",
                "GIVEN",
                "UNTIL",
                "STATUS",
            ],
            self.iter().map(|c| {
                let status = match (&c.withdrawn_on, c.active) {
                    (Some(on), _) => format!("withdrawn {on}"),
                    (None, true) => "active".to_owned(),
                    (None, false) => "expired".to_owned(),
                };
                [
                    c.id.clone(),
                    c.given_by.clone().unwrap_or_else(|| "the pupil".to_owned()),
                    c.scope.clone(),
                    c.recipient.clone(),
                    c.purpose.clone(),
                    c.form.clone(),
                    c.given_on.clone(),
                    or_dash(c.valid_until.as_deref()),
                    status,
                ]
            }),
        )
    }
}

impl Render for Vec<SearchHit> {
    fn render(&self) -> String {
        table(
            ["ENTRY", "EVENT", "KIND", "STATUS", "PUPIL", "IN", "MATCH"],
            self.iter().map(|h| {
                [
                    h.entry_id.clone(),
                    h.event_at.clone(),
                    h.kind.to_string(),
                    h.status.clone(),
                    h.pupil_name.clone(),
                    if h.in_correction {
                        "correction"
                    } else {
                        "entry"
                    }
                    .to_owned(),
                    h.snippet.clone(),
                ]
            }),
        )
    }
}

impl Render for Vec<AuditRow> {
    fn render(&self) -> String {
        table(
            [
                "SEQ", "AT", "ACTOR", "ACTION", "OBJECT", "ID", "PUPIL", "DETAIL",
            ],
            self.iter().map(|r| {
                [
                    r.seq.to_string(),
                    r.at.clone(),
                    r.actor.clone(),
                    r.action.clone(),
                    r.object_type.clone(),
                    or_dash(r.object_id.as_deref()),
                    or_dash(r.pupil_id.as_deref()),
                    r.detail.clone(),
                ]
            }),
        )
    }
}

impl Render for brygga_core::sync::Enrollment {
    fn render(&self) -> String {
        format!(
            "enrolled with {} as {} (team {}); device {}\n",
            self.server_url, self.user, self.team, self.device_id
        )
    }
}

impl Render for brygga_core::sync::SyncReport {
    fn render(&self) -> String {
        let mut out = format!(
            "pushed {}, rejected {} (quarantined), pulled {}, skipped {}, quarantined on pull {}, audit rows sent {}\n",
            self.pushed,
            self.rejected,
            self.pulled.applied,
            self.pulled.skipped,
            self.pulled.quarantined,
            self.audit_pushed
        );
        if self.audit_breaks > 0 {
            out.push_str(&format!(
                "the server found {} break(s) in this device's audit log; the municipality's administrator sees them\n",
                self.audit_breaks
            ));
        }
        if self.notices > 0 {
            out.push_str(&format!(
                "took in {} notice(s) of the server (purges, the municipality's settings and templates)
",
                self.notices
            ));
        }
        if self.cases_left > 0 || self.cases_back > 0 {
            out.push_str(&format!(
                "closed cases that left this laptop: {}; cases fetched back: {} (`brygga case list --left`)
",
                self.cases_left, self.cases_back
            ));
        }
        out
    }
}

impl Render for brygga_core::sync::SyncStatus {
    fn render(&self) -> String {
        let or_dash = |v: &Option<String>| v.as_deref().map(cell).unwrap_or_else(|| "—".into());
        let mut out = format!(
            "server: {}\nuser: {} (team {})\npending changes: {}\nlast successful sync: {}\nlast attempt: {}\n",
            or_dash(&self.server_url),
            or_dash(&self.user),
            or_dash(&self.team),
            self.pending,
            or_dash(&self.last_success_at),
            or_dash(&self.last_attempt_at),
        );
        if let Some(e) = &self.last_error {
            out.push_str(&format!("last error: {}\n", cell(&e.message)));
        }
        if self.audit_breaks > 0 {
            out.push_str(&format!(
                "breaks the server found in this device's audit log: {}\n",
                self.audit_breaks
            ));
        }
        for q in &self.quarantined {
            out.push_str(&format!(
                "quarantined ({}) {} {}: {}\n",
                q.direction,
                q.op_type,
                q.op_id,
                cell(&q.reason)
            ));
        }
        for c in &self.conflicts {
            out.push_str(&format!(
                "conflict {} {} {}: kept {}, lost {} by {} at {}\n",
                c.object_type,
                c.object_id,
                c.field,
                or_dash(&c.current_value),
                cell(&c.lost_value),
                cell(&c.lost_author),
                c.lost_at
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_and_flatten_cells() {
        let out = table(
            ["A", "BB"],
            [
                ["åäö".to_owned(), "x".to_owned()],
                ["a\nb".to_owned(), "y".to_owned()],
            ],
        );
        assert_eq!(out, "A    BB\nåäö  x\na b  y\n");
    }

    #[test]
    fn terminal_escapes_in_text_are_not_printed() {
        assert_eq!(block("rad\u{1b}[31m\nrad\ttvå"), "rad [31m\nrad\ttvå");
        assert_eq!(cell("a\u{1b}b\nc"), "a b c");
    }

    #[test]
    fn summaries_keep_the_first_line() {
        assert_eq!(summary("kort", 10), "kort");
        assert_eq!(summary("rad ett\nrad två", 20), "rad ett…");
        assert_eq!(summary("abcdefghij", 5), "abcd…");
    }
}
