//! The caseload: open cases, sorted by what needs attention first.
//!
//! What needs attention, most urgent first:
//! 0. a follow-up of a morning (an expected pupil not seen) is not done;
//! 1. a collaboration plan's follow-up date has passed;
//! 2. drafts wait to be signed (a draft is meant to be short-lived);
//! 3. a consent to share ends within [`CONSENT_WARNING_DAYS`] days;
//! 4. a follow-up is due within [`FOLLOW_UP_WARNING_DAYS`] days;
//! 5. the case has no active consent at all.
//!
//! Cases with the same most urgent reason are ordered by its date (earliest
//! first), then by pupil name. Cases that need nothing come last, by name.

use crate::audit::{Action, Event};
use crate::clock;
use crate::error::Result;
use crate::followups::FollowupView;
use crate::journal::Journal;
use crate::personnummer::Personnummer;
use crate::programme::NextSession;
use chrono::NaiveDate;
use serde::Serialize;

/// A consent ending within this many days is flagged.
pub const CONSENT_WARNING_DAYS: i64 = 30;
/// A plan follow-up within this many days is flagged.
pub const FOLLOW_UP_WARNING_DAYS: i64 = 7;

/// Why a case needs attention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Attention {
    /// A follow-up due `on` (`task`: `call-guardian` or `book-home-visit`)
    /// is not done yet; it stays until it is.
    FollowupOpen { on: String, task: String },
    /// A plan's follow-up date has passed `days_ago` days ago.
    FollowUpOverdue {
        on: String,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        days_ago: i64,
    },
    /// `count` drafts wait to be signed.
    DraftsWaiting { count: u32 },
    /// An active consent ends on `on`, in `days_left` days (0 = today).
    ConsentEnding {
        on: String,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        days_left: i64,
    },
    /// A plan's follow-up is on `on`, in `days_left` days.
    FollowUpSoon {
        on: String,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        days_left: i64,
    },
    /// No consent to share is active.
    NoActiveConsent,
}

impl Attention {
    fn rank(&self) -> u8 {
        match self {
            Attention::FollowupOpen { .. } => 0,
            Attention::FollowUpOverdue { .. } => 1,
            Attention::DraftsWaiting { .. } => 2,
            Attention::ConsentEnding { .. } => 3,
            Attention::FollowUpSoon { .. } => 4,
            Attention::NoActiveConsent => 5,
        }
    }

    fn date(&self) -> &str {
        match self {
            Attention::FollowupOpen { on, .. }
            | Attention::FollowUpOverdue { on, .. }
            | Attention::ConsentEnding { on, .. }
            | Attention::FollowUpSoon { on, .. } => on,
            Attention::DraftsWaiting { .. } | Attention::NoActiveConsent => "",
        }
    }
}

/// One open case on the caseload screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseloadItem {
    pub case_id: String,
    pub pupil_id: String,
    pub pupil_name: String,
    /// YYMMDD-NNNC.
    pub personnummer: String,
    /// None for a protected-identity pupil.
    pub school: Option<String>,
    pub grade: u8,
    pub protected_identity: bool,
    pub drafts: u32,
    pub signed: u32,
    pub last_event_at: Option<String>,
    /// The earliest follow-up date among the case's plans.
    pub next_follow_up: Option<String>,
    /// Reasons for attention, most urgent first; empty when none.
    pub attention: Vec<Attention>,
    /// The step of the return ladder the pupil is on, by its key.
    pub ladder_step: Option<String>,
    /// The next session of the case's programme, when it follows one.
    pub next_session: Option<NextSession>,
}

struct Row {
    item: CaseloadItem,
    follow_ups: Vec<String>,
    consent_ends: Vec<Option<String>>,
}

fn days_between(from: NaiveDate, to: &str) -> Option<i64> {
    NaiveDate::parse_from_str(to, "%Y-%m-%d")
        .ok()
        .map(|d| (d - from).num_days())
}

/// The reasons for one case, most urgent first.
fn attention_of(
    today: NaiveDate,
    drafts: u32,
    follow_ups: &[String],
    active_consent_ends: &[Option<String>],
    open_followups: &[&FollowupView],
) -> Vec<Attention> {
    let mut out = Vec::new();
    for f in open_followups {
        out.push(Attention::FollowupOpen {
            on: f.due_on.clone(),
            task: f.task.clone(),
        });
    }
    for on in follow_ups {
        match days_between(today, on) {
            Some(d) if d < 0 => out.push(Attention::FollowUpOverdue {
                on: on.clone(),
                days_ago: -d,
            }),
            Some(d) if d <= FOLLOW_UP_WARNING_DAYS => out.push(Attention::FollowUpSoon {
                on: on.clone(),
                days_left: d,
            }),
            _ => {}
        }
    }
    if drafts > 0 {
        out.push(Attention::DraftsWaiting { count: drafts });
    }
    for end in active_consent_ends.iter().flatten() {
        if let Some(d) = days_between(today, end) {
            if (0..=CONSENT_WARNING_DAYS).contains(&d) {
                out.push(Attention::ConsentEnding {
                    on: end.clone(),
                    days_left: d,
                });
            }
        }
    }
    if active_consent_ends.is_empty() {
        out.push(Attention::NoActiveConsent);
    }
    out.sort_by(|a, b| (a.rank(), a.date()).cmp(&(b.rank(), b.date())));
    out
}

fn sort_caseload(items: &mut [CaseloadItem]) {
    items.sort_by(|a, b| {
        let key = |i: &CaseloadItem| {
            i.attention
                .first()
                .map(|x| (x.rank(), x.date().to_owned()))
                .unwrap_or((u8::MAX, String::new()))
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.pupil_name.cmp(&b.pupil_name))
            .then_with(|| a.case_id.cmp(&b.case_id))
    });
}

impl Journal {
    /// The open cases on this device, what needs attention first.
    pub fn caseload(&self) -> Result<Vec<CaseloadItem>> {
        let today = clock::today();
        let today_s = today.to_string();
        let mut stmt = self.conn.prepare(
            "SELECT c.id, p.id, p.name, p.personnummer, p.school, p.grade, p.protected_identity,
                    (SELECT count(*) FROM entries e WHERE e.case_id = c.id AND e.status = 'draft'),
                    (SELECT count(*) FROM entries e WHERE e.case_id = c.id AND e.status = 'signed'),
                    (SELECT max(e.event_at) FROM entries e WHERE e.case_id = c.id),
                    (SELECT json_group_array(follow_up_on) FROM plans WHERE case_id = c.id),
                    (SELECT json_group_array(valid_until) FROM consents
                      WHERE case_id = c.id AND withdrawn_on IS NULL
                        AND (valid_until IS NULL OR valid_until >= ?1)),
                    (SELECT step FROM ladder_steps WHERE case_id = c.id
                      ORDER BY order_key DESC LIMIT 1)
             FROM cases c JOIN pupils p ON p.id = c.pupil_id
             WHERE c.status = 'open'",
        )?;
        let rows = stmt
            .query_map([&today_s], |r| {
                let stored: String = r.get(3)?;
                let protected: bool = r.get(6)?;
                let school: String = r.get(4)?;
                let follow_ups: String = r.get(10)?;
                let consent_ends: String = r.get(11)?;
                Ok(Row {
                    item: CaseloadItem {
                        case_id: r.get(0)?,
                        pupil_id: r.get(1)?,
                        pupil_name: r.get(2)?,
                        personnummer: Personnummer::try_from(stored.clone())
                            .map(|p| p.display())
                            .unwrap_or(stored),
                        school: (!protected).then_some(school),
                        grade: r.get(5)?,
                        protected_identity: protected,
                        drafts: r.get(7)?,
                        signed: r.get(8)?,
                        last_event_at: r.get(9)?,
                        next_follow_up: None,
                        attention: Vec::new(),
                        ladder_step: r.get(12)?,
                        next_session: None,
                    },
                    follow_ups: serde_json::from_str(&follow_ups).unwrap_or_default(),
                    consent_ends: serde_json::from_str(&consent_ends).unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let followups = self.open_followups()?;
        let mut next_sessions = self.next_sessions()?;
        let mut items: Vec<CaseloadItem> = rows
            .into_iter()
            .map(|row| {
                let mut item = row.item;
                item.next_session = next_sessions.remove(&item.case_id);
                item.next_follow_up = row.follow_ups.iter().min().cloned();
                let open: Vec<&FollowupView> = followups
                    .iter()
                    .filter(|f| f.case_id == item.case_id)
                    .collect();
                item.attention = attention_of(
                    today,
                    item.drafts,
                    &row.follow_ups,
                    &row.consent_ends,
                    &open,
                );
                item
            })
            .collect();
        sort_caseload(&mut items);
        self.record(Event {
            action: Action::List,
            object_type: "case",
            object_id: None,
            pupil_id: None,
            detail: format!("caseload: {} open cases", items.len()),
        })?;
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn reasons_come_most_urgent_first() {
        let a = attention_of(
            day("2026-11-25"),
            2,
            &[
                "2026-11-20".into(),
                "2026-11-28".into(),
                "2027-03-01".into(),
            ],
            &[Some("2026-12-10".into()), None],
            &[],
        );
        assert_eq!(
            a,
            vec![
                Attention::FollowUpOverdue {
                    on: "2026-11-20".into(),
                    days_ago: 5
                },
                Attention::DraftsWaiting { count: 2 },
                Attention::ConsentEnding {
                    on: "2026-12-10".into(),
                    days_left: 15
                },
                Attention::FollowUpSoon {
                    on: "2026-11-28".into(),
                    days_left: 3
                },
            ]
        );
    }

    #[test]
    fn no_consent_is_flagged_and_far_dates_are_not() {
        let a = attention_of(day("2026-11-25"), 0, &["2027-01-10".into()], &[], &[]);
        assert_eq!(a, vec![Attention::NoActiveConsent]);
        let calm = attention_of(day("2026-11-25"), 0, &[], &[Some("2027-06-01".into())], &[]);
        assert!(calm.is_empty());
    }

    fn item(name: &str, attention: Vec<Attention>) -> CaseloadItem {
        CaseloadItem {
            case_id: name.into(),
            pupil_id: name.into(),
            pupil_name: name.into(),
            personnummer: String::new(),
            school: None,
            grade: 8,
            protected_identity: false,
            drafts: 0,
            signed: 0,
            last_event_at: None,
            next_follow_up: None,
            attention,
            ladder_step: None,
            next_session: None,
        }
    }

    #[test]
    fn cases_sort_by_most_urgent_reason_then_date_then_name() {
        let mut items = vec![
            item("Anna", vec![]),
            item("Bo", vec![Attention::DraftsWaiting { count: 1 }]),
            item(
                "Cia",
                vec![Attention::ConsentEnding {
                    on: "2026-12-01".into(),
                    days_left: 6,
                }],
            ),
            item(
                "Dan",
                vec![Attention::FollowUpOverdue {
                    on: "2026-11-01".into(),
                    days_ago: 24,
                }],
            ),
            item(
                "Eva",
                vec![Attention::ConsentEnding {
                    on: "2026-11-30".into(),
                    days_left: 5,
                }],
            ),
            item("Abel", vec![]),
        ];
        sort_caseload(&mut items);
        let names: Vec<_> = items.iter().map(|i| i.pupil_name.as_str()).collect();
        assert_eq!(names, ["Dan", "Bo", "Eva", "Cia", "Abel", "Anna"]);
    }
}
