//! The morning check-in board: many pupils in one go, one signed
//! `morning-checkin` entry per pupil (docs/entry-kinds.md).

use crate::audit::{Action, Event};
use crate::entries::NewEntry;
use crate::entry_fields;
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::ladder::LadderStep;
use crate::{clock, text};
use brygga_protocol::entry_kind::EntryKind;
use brygga_protocol::op::FollowupTask;
use chrono::{DateTime, Local, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// One pupil's check-in as marked on the board.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewCheckin {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub case_id: Uuid,
    /// `arrived`, `late` or `not-seen` ([`entry_fields::ARRIVAL`]).
    pub arrival: String,
    /// HH:MM, when the pupil came in; None for `not-seen`.
    pub time: Option<String>,
    /// A short note, searchable like every entry text; may be empty.
    pub note: String,
    /// What to do about an expected pupil who is `not-seen`: call a
    /// guardian when absent (the default) or book a home visit.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub followup: Option<FollowupTask>,
}

/// Today's signed check-in of one pupil, if one is already written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TodayCheckin {
    pub entry_id: String,
    pub arrival: String,
    pub time: Option<String>,
    pub note: String,
    /// The text of the latest correction of this entry, if it was corrected
    /// (a signed check-in never changes; "came at 9:30 after all" is a
    /// correction pointing at it).
    pub correction: Option<String>,
}

/// One row of the check-in board: a pupil with an open case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckinRow {
    pub case_id: String,
    pub pupil_id: String,
    pub pupil_name: String,
    pub grade: u8,
    pub protected_identity: bool,
    /// HH:MM when the pupil is expected today ([`Journal::expected`]).
    pub expected_at: Option<String>,
    /// The latest signed check-in of today (local date), if any. A second
    /// one is refused ([`Journal::record_checkins`]); it is corrected instead.
    pub today: Option<TodayCheckin>,
}

/// Local midnight at the start and end of `day`, as the UTC strings
/// `event_at` is stored in, so a plain string comparison selects the day's
/// entries.
fn day_bounds(day: NaiveDate) -> (String, String) {
    let bound = |d: NaiveDate| {
        Local
            .from_local_datetime(&d.and_time(NaiveTime::MIN))
            .earliest()
            .map(|t| {
                t.with_timezone(&Utc)
                    .to_rfc3339_opts(SecondsFormat::Secs, true)
            })
            .unwrap_or_default()
    };
    let next = day.succ_opt().unwrap_or(day);
    (bound(day), bound(next))
}

/// The arrival of a pupil who did not come.
const NOT_SEEN: &str = "not-seen";

/// Selects the signed morning check-ins `e` of the day bounded by ?1 and ?2
/// (see [`day_bounds`]).
const SIGNED_CHECKIN_OF_DAY: &str = "e.kind = 'morning-checkin' AND e.status = 'signed'
     AND e.event_at >= ?1 AND e.event_at < ?2";

impl NewCheckin {
    /// The check-in as an entry, checked before anything is written (a
    /// ladder step, were there one, must be one of `steps`).
    fn into_entry(self, event_at: DateTime<Utc>, steps: &[LadderStep]) -> Result<NewEntry> {
        let mut fields = BTreeMap::new();
        fields.insert("arrival".to_owned(), self.arrival.trim().to_owned());
        if let Some(time) = self.time.map(|t| t.trim().to_owned()) {
            if !time.is_empty() {
                fields.insert("time".to_owned(), time);
            }
        }
        entry_fields::validate(EntryKind::MorningCheckin, &fields, steps)?;
        Ok(NewEntry {
            kind: EntryKind::MorningCheckin,
            event_at,
            participants: Vec::new(),
            key_persons: Vec::new(),
            fields,
            text: text::bounded("note", &self.note)?,
        })
    }
}

impl Journal {
    /// The pupils with an open case, by name, each with today's check-in.
    pub fn checkin_board(&self) -> Result<Vec<CheckinRow>> {
        let (from, to) = day_bounds(clock::today());
        let mut stmt = self.conn.prepare(&format!(
            "SELECT c.id, p.id, p.name, p.grade, p.protected_identity,
                    (SELECT json_object('id', e.id, 'fields', json(e.fields), 'text', e.text,
                                        'correction', (SELECT k.text FROM corrections k
                                                        WHERE k.entry_id = e.id
                                                        ORDER BY k.written_at DESC, k.id DESC LIMIT 1))
                       FROM entries e
                      WHERE e.case_id = c.id AND {SIGNED_CHECKIN_OF_DAY}
                      ORDER BY e.event_at DESC, e.id DESC LIMIT 1)
             FROM cases c JOIN pupils p ON p.id = c.pupil_id
             WHERE c.status = 'open'
             ORDER BY p.name, c.id"
        ))?;
        let rows = stmt
            .query_map(params![from, to], |r| {
                let today: Option<String> = r.get(5)?;
                Ok(CheckinRow {
                    case_id: r.get(0)?,
                    pupil_id: r.get(1)?,
                    pupil_name: r.get(2)?,
                    grade: r.get(3)?,
                    protected_identity: r.get(4)?,
                    expected_at: None,
                    today: today.and_then(|json| {
                        let v: serde_json::Value = serde_json::from_str(&json).ok()?;
                        let field = |k: &str| v["fields"][k].as_str().map(str::to_owned);
                        Some(TodayCheckin {
                            entry_id: v["id"].as_str()?.to_owned(),
                            arrival: field("arrival")?,
                            time: field("time"),
                            note: v["text"].as_str().unwrap_or_default().to_owned(),
                            correction: v["correction"].as_str().map(str::to_owned),
                        })
                    }),
                })
            })?
            .collect::<rusqlite::Result<Vec<CheckinRow>>>()?;
        let rows = self.expected_first(rows)?;
        self.record(Event {
            action: Action::List,
            object_type: "checkin-board",
            object_id: None,
            pupil_id: None,
            detail: format!("{} pupils", rows.len()),
        })?;
        Ok(rows)
    }

    /// The board's rows (by name) with the pupils expected today first,
    /// earliest first.
    fn expected_first(&self, mut rows: Vec<CheckinRow>) -> Result<Vec<CheckinRow>> {
        let expected: BTreeMap<String, String> = self
            .expected_on(clock::today())?
            .into_iter()
            .map(|e| (e.case_id, e.time))
            .collect();
        for row in &mut rows {
            row.expected_at = expected.get(&row.case_id).cloned();
        }
        rows.sort_by_key(|r| (r.expected_at.is_none(), r.expected_at.clone()));
        Ok(rows)
    }

    /// Writes and signs one `morning-checkin` entry per pupil, all at
    /// `event_at`. Everything is checked before anything is written: a bad
    /// row (unknown or closed case, a case twice, a wrong arrival value, a
    /// case that already has a signed check-in on `event_at`'s local date:
    /// that one is corrected, not written again) writes nothing. Each entry
    /// is then drafted and signed on its own, so a crash part-way leaves the
    /// first pupils' entries complete and signed and the rest unwritten,
    /// never a half entry. An expected pupil who is `not-seen` gets a
    /// follow-up due that day, in the transaction that signs the entry.
    /// Returns the entry ids in the order given.
    pub fn record_checkins(
        &mut self,
        event_at: DateTime<Utc>,
        checkins: Vec<NewCheckin>,
    ) -> Result<Vec<Uuid>> {
        if checkins.is_empty() {
            return Err(Error::invalid(
                ReasonCode::CheckinEmpty,
                "the check-in has no pupils in it",
            ));
        }
        let day = event_at.with_timezone(&Local).date_naive();
        let (day_from, day_to) = day_bounds(day);
        let expected: HashSet<String> = self
            .expected_on(day)?
            .into_iter()
            .map(|e| e.case_id)
            .collect();
        let steps = self.ladder_steps()?;
        let mut seen = HashSet::new();
        let mut prepared = Vec::with_capacity(checkins.len());
        for checkin in checkins {
            if !seen.insert(checkin.case_id) {
                return Err(Error::invalid(
                    ReasonCode::CheckinCaseTwice,
                    format!("case {} is in the check-in twice", checkin.case_id),
                ));
            }
            self.ensure_case_open(&checkin.case_id)?;
            let already: Option<String> = self
                .conn
                .query_row(
                    &format!(
                        "SELECT e.id FROM entries e WHERE e.case_id = ?3 AND {SIGNED_CHECKIN_OF_DAY}
                          ORDER BY e.event_at DESC, e.id DESC LIMIT 1"
                    ),
                    params![day_from, day_to, checkin.case_id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(entry_id) = already {
                return Err(Error::not_allowed(
                    ReasonCode::CheckinAlreadySigned,
                    format!(
                        "case {} already has a signed morning check-in on {} (entry {entry_id}); \
                     correct that entry instead of writing a second one",
                        checkin.case_id,
                        event_at.with_timezone(&Local).date_naive()
                    ),
                ));
            }
            let case_id = checkin.case_id;
            let followup = (checkin.arrival.trim() == NOT_SEEN
                && expected.contains(&case_id.to_string()))
            .then(|| checkin.followup.unwrap_or(FollowupTask::CallGuardian));
            prepared.push((case_id, checkin.into_entry(event_at, &steps)?, followup));
        }
        let mut ids = Vec::with_capacity(prepared.len());
        for (case_id, entry, followup) in prepared {
            let id = self.draft_entry(case_id, entry)?;
            let mut items = self.signing(id)?;
            if let Some(task) = followup {
                items.push(self.followup_created(case_id, task, day, id)?);
            }
            self.commit_batch(items, None)?;
            ids.push(id);
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pupils::NewPupil;
    use crate::secret::Passphrase;

    fn journal_with_pupils(n: usize) -> (tempfile::TempDir, Journal, Vec<Uuid>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut j = Journal::create(
            dir.path(),
            &Passphrase::new("fiktivt lösenord 123".into()),
            "Fiktiv Handläggare",
        )
        .expect("create");
        // Fictional personnummer with valid check digits.
        let pnrs = ["20120417-9939", "20110305-9810", "20120911-9823"];
        let cases = pnrs[..n]
            .iter()
            .enumerate()
            .map(|(i, pnr)| {
                let p = j
                    .add_pupil(NewPupil {
                        name: format!("Fiktiv Elev {i}"),
                        personnummer: (*pnr).into(),
                        school: "Fiktiva skolan".into(),
                        grade: 8,
                        protected_identity: false,
                    })
                    .expect("pupil");
                j.open_case(p).expect("case")
            })
            .collect();
        (dir, j, cases)
    }

    fn checkin(case_id: Uuid, arrival: &str, time: Option<&str>, note: &str) -> NewCheckin {
        NewCheckin {
            case_id,
            arrival: arrival.into(),
            time: time.map(Into::into),
            note: note.into(),
            followup: None,
        }
    }

    #[test]
    fn one_signed_entry_per_pupil_and_the_board_shows_today() {
        let (_dir, mut j, cases) = journal_with_pupils(3);
        let board = j.checkin_board().expect("board");
        assert_eq!(board.len(), 3);
        assert!(board.iter().all(|r| r.today.is_none()));
        let ids = j
            .record_checkins(
                Utc::now(),
                vec![
                    checkin(cases[0], "arrived", Some("08:05"), ""),
                    checkin(cases[1], "late", Some("08:40"), "Kom med mamma"),
                    checkin(cases[2], "not-seen", None, ""),
                ],
            )
            .expect("recorded");
        assert_eq!(ids.len(), 3);
        for (id, case) in ids.iter().zip(&cases) {
            let e = j.entry(*id).expect("entry");
            assert_eq!(e.status, "signed");
            assert_eq!(e.kind, EntryKind::MorningCheckin);
            assert_eq!(e.case_id, case.to_string());
        }
        let board = j.checkin_board().expect("board");
        let late = board
            .iter()
            .find(|r| r.case_id == cases[1].to_string())
            .and_then(|r| r.today.clone())
            .expect("today's check-in");
        assert_eq!(late.arrival, "late");
        assert_eq!(late.time.as_deref(), Some("08:40"));
        assert_eq!(late.note, "Kom med mamma");
        j.check_replay()
            .expect("the tables are a replay of the log");
    }

    #[test]
    fn a_bad_row_writes_nothing() {
        let (_dir, mut j, cases) = journal_with_pupils(2);
        let before = j.operations().expect("ops").len();
        for bad in [
            vec![
                checkin(cases[0], "arrived", None, ""),
                checkin(cases[1], "maybe", None, ""),
            ],
            vec![
                checkin(cases[0], "arrived", None, ""),
                checkin(cases[0], "late", None, ""),
            ],
            vec![
                checkin(cases[0], "arrived", None, ""),
                checkin(Uuid::now_v7(), "late", None, ""),
            ],
            vec![checkin(cases[0], "late", Some("25:00"), "")],
            vec![],
        ] {
            assert!(j.record_checkins(Utc::now(), bad).is_err());
        }
        assert_eq!(j.operations().expect("ops").len(), before);
    }

    #[test]
    fn a_second_checkin_the_same_day_is_refused_and_writes_nothing() {
        let (_dir, mut j, cases) = journal_with_pupils(2);
        let first = j
            .record_checkins(Utc::now(), vec![checkin(cases[0], "not-seen", None, "")])
            .expect("the first check-in")[0];
        let before = j.operations().expect("ops").len();
        // The pupil came at 9:30 after all: a second check-in is refused,
        // and with it the whole call, the other pupil's row too.
        let again = j.record_checkins(
            Utc::now(),
            vec![
                checkin(cases[1], "arrived", Some("08:05"), ""),
                checkin(cases[0], "late", Some("09:30"), "Kom till slut"),
            ],
        );
        match again {
            Err(Error::NotAllowed(r)) => {
                assert_eq!(r.code, ReasonCode::CheckinAlreadySigned);
                let m = r.message;
                assert!(m.contains(&cases[0].to_string()), "names the case: {m}");
                assert!(m.contains(&first.to_string()), "names the entry: {m}");
                assert!(m.contains("correct"), "says what to do: {m}");
            }
            other => panic!("expected not allowed, got {other:?}"),
        }
        assert_eq!(j.operations().expect("ops").len(), before);
        let board = j.checkin_board().expect("board");
        assert!(board[1].today.is_none(), "the other pupil was not written");

        // The existing entry is corrected instead, and the board shows it.
        j.correct_entry(first, "Sen, kom 09:30.", "Kom efter incheckningen")
            .expect("corrected");
        let today = j.checkin_board().expect("board")[0]
            .today
            .clone()
            .expect("today's check-in");
        assert_eq!(today.entry_id, first.to_string());
        assert_eq!(today.arrival, "not-seen");
        assert_eq!(today.correction.as_deref(), Some("Sen, kom 09:30."));

        // Another day is another check-in.
        let yesterday = Utc::now() - chrono::Duration::days(1);
        j.record_checkins(yesterday, vec![checkin(cases[0], "arrived", None, "")])
            .expect("yesterday's check-in is a different day");
    }

    #[test]
    fn a_draft_checkin_does_not_block_the_board() {
        let (_dir, mut j, cases) = journal_with_pupils(1);
        let mut fields = BTreeMap::new();
        fields.insert("arrival".to_owned(), "arrived".to_owned());
        j.draft_entry(
            cases[0],
            NewEntry {
                kind: EntryKind::MorningCheckin,
                event_at: Utc::now(),
                participants: Vec::new(),
                key_persons: Vec::new(),
                fields,
                text: String::new(),
            },
        )
        .expect("draft");
        assert!(j.checkin_board().expect("board")[0].today.is_none());
        j.record_checkins(Utc::now(), vec![checkin(cases[0], "late", None, "")])
            .expect("only a signed check-in counts");
    }
}
