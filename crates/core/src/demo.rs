//! A fictional demo caseload, to explore the app with.
//!
//! Every person, school, number and event here is made up, and the data
//! says so: the school is "Exempelskolan (fiktiv)" and every text starts
//! with "Fiktiv". The personnummer are generated with valid check digits
//! from dates and serial numbers chosen here; they are not anyone's.

use crate::audit::{Action, Event};
use crate::cases::NewGuardian;
use crate::clock;
use crate::consents::NewConsent;
use crate::entries::NewEntry;
use crate::error::{Error, ReasonCode, Result};
use crate::journal::Journal;
use crate::ladder::NewLadderStep;
use crate::plans::{NewAction, NewPlan};
use crate::programme::NewProgramme;
use crate::pupils::NewPupil;
use brygga_protocol::entry_kind::EntryKind;
use brygga_protocol::op::{ConsentForm, GuardianField};
use chrono::{Duration, NaiveDate, Utc, Weekday};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The school every demo pupil goes to.
pub const DEMO_SCHOOL: &str = "Exempelskolan (fiktiv)";

/// What the demo loader wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DemoSummary {
    pub pupils: u32,
    pub cases: u32,
    pub entries: u32,
}

/// Fictional names (first name, surname).
const NAMES: [(&str, &str); 20] = [
    ("Alva", "Lindqvist"),
    ("Noah", "Berglund"),
    ("Elsa", "Holmgren"),
    ("Liam", "Sundberg"),
    ("Maja", "Ekström"),
    ("Hugo", "Nyberg"),
    ("Wilma", "Forsberg"),
    ("Elias", "Sjöberg"),
    ("Ella", "Wikström"),
    ("Oscar", "Lundin"),
    ("Saga", "Bergqvist"),
    ("William", "Hedlund"),
    ("Alma", "Åberg"),
    ("Lucas", "Mattsson"),
    ("Freja", "Blom"),
    ("Adam", "Engström"),
    ("Stella", "Dahlberg"),
    ("Melvin", "Nordin"),
    ("Ebba", "Falk"),
    ("Leo", "Strand"),
];

/// A fictional 12-digit personnummer with a valid check digit.
fn fictional_personnummer(year: i32, month: u32, day: u32, serial: u32) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(year, month, day).expect("a real calendar date");
    crate::Personnummer::fictional(birth, serial as u16)
        .as_str()
        .to_owned()
}

fn entry(kind: EntryKind, days_ago: i64, fields: &[(&str, &str)], text: &str) -> NewEntry {
    NewEntry {
        kind,
        event_at: Utc::now() - Duration::days(days_ago) - Duration::hours(2),
        participants: Vec::new(),
        key_persons: Vec::new(),
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        text: text.to_owned(),
    }
}

fn with_participants(mut e: NewEntry, who: &[&str]) -> NewEntry {
    e.participants = who.iter().map(|s| (*s).to_owned()).collect();
    e
}

impl Journal {
    /// Fills an empty journal with a fictional caseload of 20 pupils and
    /// their weekly absence, in one transaction. Refused when the journal
    /// already has pupils, so demo data never mixes with real data.
    pub fn load_demo(&mut self) -> Result<DemoSummary> {
        self.atomically(|j| {
            let summary = j.demo_caseload()?;
            j.load_demo_absence()?;
            Ok(summary)
        })
    }

    fn demo_caseload(&mut self) -> Result<DemoSummary> {
        let pupils: i64 = self
            .conn
            .query_row("SELECT count(*) FROM pupils", [], |r| r.get(0))?;
        if pupils > 0 {
            return Err(Error::not_allowed(
                ReasonCode::DemoNotEmpty,
                "demo data is only loaded into an empty journal; this one already has pupils",
            ));
        }
        let today = clock::today();
        let day = |offset: i64| today + Duration::days(offset);
        let mut summary = DemoSummary {
            pupils: 0,
            cases: 0,
            entries: 0,
        };
        let mut cases = Vec::new();
        for (i, (first, last)) in NAMES.iter().enumerate() {
            let n = u32::try_from(i)
                .map_err(|_| Error::invalid(ReasonCode::DemoTooLarge, "too many demo pupils"))?;
            let year = 2011 + i32::try_from(n % 3).unwrap_or(0);
            let pupil_id = self.add_pupil(NewPupil {
                name: format!("{first} {last}"),
                personnummer: fictional_personnummer(year, 1 + n % 12, 3 + n, 970 + n),
                school: DEMO_SCHOOL.to_owned(),
                grade: 7 + u8::try_from(n % 3).unwrap_or(0),
                // One pupil with a protected identity: school and address
                // never shown.
                protected_identity: i == 2,
            })?;
            summary.pupils += 1;
            let case_id = self.open_case(pupil_id)?;
            summary.cases += 1;
            cases.push(case_id);
        }
        let mut count = |r: Result<Uuid>| -> Result<Uuid> {
            let id = r?;
            summary.entries += 1;
            Ok(id)
        };

        // Alva: a plan whose follow-up has passed, a corrected home visit,
        // a draft waiting, a consent ending soon.
        let alva = cases[0];
        let mum = self.add_guardian(NewGuardian {
            case_id: alva,
            name: "Karin Lindqvist (fiktiv)".into(),
            relation: "mamma".into(),
            phone: None,
            email: None,
            address: None,
        })?;
        self.set_guardian_field(mum, GuardianField::Phone, "070-000 00 01")?;
        self.set_guardian_field(
            mum,
            GuardianField::Address,
            "Påhittade gatan 1, Exempelstad",
        )?;
        let dad = self.add_guardian(NewGuardian {
            case_id: alva,
            name: "Johan Lindqvist (fiktiv)".into(),
            relation: "pappa".into(),
            phone: None,
            email: None,
            address: None,
        })?;
        self.set_guardian_field(dad, GuardianField::Email, "johan@example.invalid")?;
        self.record_consent(NewConsent {
            case_id: alva,
            guardian_id: Some(mum),
            scope: "närvaro och stödinsatser".into(),
            recipient: "Exempelskolan, mentor och elevhälsa".into(),
            purpose: "planera skolgången tillsammans".into(),
            form: ConsentForm::Written,
            given_on: day(-60),
            valid_until: Some(day(12)),
        })?;
        self.record_consent(NewConsent {
            case_id: alva,
            guardian_id: Some(dad),
            scope: "närvaro".into(),
            recipient: "Exempelskolan, mentor".into(),
            purpose: "planera skolgången tillsammans".into(),
            form: ConsentForm::Oral,
            given_on: day(-58),
            valid_until: None,
        })?;
        let alva_plan = self.create_plan(NewPlan {
            case_id: alva,
            needs: "Fiktivt: Alva har svårt att komma till skolan på morgnarna och undviker idrottslektionerna.".into(),
            goals: vec![
                "Närvaro minst 80 % av erbjuden tid under fyra veckor i rad".into(),
                "Deltar i idrott minst en gång i veckan".into(),
            ],
            lead_party: "Socialtjänsten, familjebehandlare".into(),
            follow_up_on: day(-3),
            actions: vec![
                NewAction {
                    who: "Familjebehandlare".into(),
                    what: "Möter Alva vid entrén måndag och onsdag 08.10".into(),
                    due_on: Some(day(7)),
                    contact_id: None,
                },
                NewAction {
                    who: "Mentor".into(),
                    what: "Anpassat schema för idrott".into(),
                    due_on: Some(day(14)),
                    contact_id: None,
                },
            ],
        })?;
        // The entrance meeting is the plan's first action: Alva is expected
        // at the check-in on Monday and Wednesday mornings.
        let entrance = self.first_action(alva_plan)?;
        self.schedule_action(entrance, vec![Weekday::Mon, Weekday::Wed], "08:10")?;
        self.demo_ladder(
            alva,
            &[(
                9,
                "home-visits",
                "Motiverande hembesök med Alva och mamma (fiktivt).",
            )],
            Some(("transition-apartment", day(7))),
        )?;
        let visit = count(self.draft_entry(
            alva,
            with_participants(
                entry(
                    EntryKind::HomeVisit,
                    9,
                    &[
                        ("place", "hemmet"),
                        ("purpose", "motivationssamtal"),
                        ("agreed", "Möte vid entrén tisdag 08.10"),
                    ],
                    "Fiktivt hembesök. Alva och mamma berättade att morgnarna är svårast. Vi kom överens om att mötas vid skolans entré på tisdag.",
                ),
                &["Alva", "Karin (mamma)"],
            ),
        ))?;
        self.sign_entry(visit)?;
        self.correct_entry(
            visit,
            "Mötet vid entrén är på onsdag 08.10, inte tisdag.",
            "Fel veckodag i den signerade anteckningen.",
        )?;
        let call = count(self.draft_entry(
            alva,
            entry(
                EntryKind::PhoneCall,
                4,
                &[("with_whom", "mentor"), ("direction", "incoming")],
                "Fiktivt samtal: mentorn berättar att Alva var med på två lektioner i går.",
            ),
        ))?;
        self.sign_entry(call)?;
        count(self.draft_entry(
            alva,
            entry(
                EntryKind::Consultation,
                1,
                &[("staff_role", "nurse"), ("topic", "frånvaro")],
                "Fiktiv konsultation med skolsköterskan om frånvaron i november. Utkast, skrivs klart.",
            ),
        ))?;

        // Noah: up the ladder in the middle of the autumn, from home visits
        // to the apartment to the calmer unit; a consent ending within days.
        let noah = cases[1];
        self.demo_ladder(
            noah,
            &[
                (
                    56,
                    "home-visits",
                    "Beslutat på nätverksmötet: hembesök två gånger i veckan (fiktivt).",
                ),
                (
                    35,
                    "transition-apartment",
                    "Noah orkar komma till lägenheten med läraren (fiktivt).",
                ),
                (
                    14,
                    "calmer-unit",
                    "Första veckan i Slussen gick bra (fiktivt).",
                ),
            ],
            Some(("part-time-class", day(10))),
        )?;
        let noah_mum = self.add_guardian(NewGuardian {
            case_id: noah,
            name: "Sara Berglund (fiktiv)".into(),
            relation: "mamma".into(),
            phone: None,
            email: None,
            address: None,
        })?;
        self.record_consent(NewConsent {
            case_id: noah,
            guardian_id: Some(noah_mum),
            scope: "närvaro".into(),
            recipient: "Exempelskolan, rektor".into(),
            purpose: "stegvis återgång till klassrummet".into(),
            form: ConsentForm::Written,
            given_on: day(-100),
            valid_until: Some(day(5)),
        })?;
        // Noah follows Back2School from the turn: the assessment and the
        // first sessions are done, the return to class is planned.
        self.start_programme_on(
            NewProgramme {
                case_id: noah,
                template: "back2school".into(),
                return_date: Some(day(28)),
            },
            day(-56),
        )?;
        for (i, (days_ago, kind, fields, text)) in [
            (
                56,
                EntryKind::HomeVisit,
                [("place", "hemmet"), ("purpose", "bedömningssamtal")],
                "Fiktivt bedömningssamtal hemma med Noah och mamma inför Back2School.",
            ),
            (
                49,
                EntryKind::HomeVisit,
                [("place", "hemmet"), ("purpose", "första sessionen")],
                "Fiktiv session: vi gick igenom hur en skoldag ser ut och vad som är svårast.",
            ),
            (
                42,
                EntryKind::CollaborationMeeting,
                [
                    ("parties", "skolan, familjen"),
                    ("outcome", "anpassningar i Slussen"),
                ],
                "Fiktivt skolmöte: mentorn och rektorn gick med på korta dagar i Slussen.",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let session = i.to_string();
            let mut fields = fields.to_vec();
            fields.push(("programme_session", &session));
            let id = count(self.draft_entry(noah, entry(kind, days_ago, &fields, text)))?;
            self.sign_entry(id)?;
        }
        for (days_ago, step, session) in [
            (28, "transition-apartment", "3"),
            (21, "transition-apartment", "4"),
        ] {
            let id = count(self.draft_entry(
                noah,
                with_participants(
                    entry(
                        EntryKind::ApartmentSession,
                        days_ago,
                        &[
                            ("teacher_present", "yes"),
                            ("step", step),
                            ("duration_min", "60"),
                            ("programme_session", session),
                        ],
                        "Fiktiv session i lägenheten. Noah arbetade med matematik tillsammans med läraren.",
                    ),
                    &["Noah", "Lärare (fiktiv)"],
                ),
            ))?;
            self.sign_entry(id)?;
        }

        // Elsa: protected identity; the guardian's address is stored but
        // never shown.
        let elsa = cases[2];
        let elsa_g = self.add_guardian(NewGuardian {
            case_id: elsa,
            name: "Vårdnadshavare (fiktiv)".into(),
            relation: "mamma".into(),
            phone: None,
            email: None,
            address: None,
        })?;
        self.set_guardian_field(elsa_g, GuardianField::Address, "Skyddad adress (fiktiv)")?;
        self.record_consent(NewConsent {
            case_id: elsa,
            guardian_id: Some(elsa_g),
            scope: "närvaro".into(),
            // Not the school's name: it must not appear for this pupil.
            recipient: "skolans mentor".into(),
            purpose: "planera skolgången".into(),
            form: ConsentForm::Oral,
            given_on: day(-20),
            valid_until: Some(day(160)),
        })?;
        let meeting = count(self.draft_entry(
            elsa,
            entry(
                EntryKind::CollaborationMeeting,
                6,
                &[
                    ("parties", "skolan, socialtjänsten, BUP, familjen"),
                    ("outcome", "SIP upprättas"),
                ],
                "Fiktivt samverkansmöte. Alla parter var överens om att börja med korta skoldagar.",
            ),
        ))?;
        self.sign_entry(meeting)?;
        let elsa_plan = self.create_plan(NewPlan {
            case_id: elsa,
            needs: "Fiktivt: Elsa behöver en lugn start på dagen.".into(),
            goals: vec!["Kommer till skolan fyra dagar av fem".into()],
            lead_party: "Skolan, rektor".into(),
            follow_up_on: day(5),
            actions: vec![NewAction {
                who: "Elevhälsan".into(),
                what: "Samtal varje måndag".into(),
                due_on: None,
                contact_id: None,
            }],
        })?;

        let talk = self.first_action(elsa_plan)?;
        self.schedule_action(talk, vec![Weekday::Mon], "09:00")?;

        // Liam: no consent yet, a draft home visit.
        count(self.draft_entry(
            cases[3],
            entry(
                EntryKind::HomeVisit,
                0,
                &[("place", "hemmet"), ("purpose", "första kontakt")],
                "Fiktivt hembesök, utkast. Pappa var hemma, Liam sov.",
            ),
        ))?;

        // Everyone else: a consent that runs, and a morning check-in or two.
        for (i, case_id) in cases.iter().enumerate().skip(4) {
            self.record_consent(NewConsent {
                case_id: *case_id,
                guardian_id: None,
                scope: "närvaro".into(),
                recipient: "Exempelskolan, mentor".into(),
                purpose: "följa upp närvaron".into(),
                form: ConsentForm::Oral,
                given_on: day(-30),
                valid_until: Some(NaiveDate::from_ymd_opt(2099, 6, 30).unwrap_or(day(365))),
            })?;
            let arrival = ["arrived", "late", "not-seen"][i % 3];
            let mut fields = vec![("arrival", arrival)];
            if arrival != "not-seen" {
                fields.push(("time", if arrival == "late" { "08:40" } else { "08:05" }));
            }
            let id = count(self.draft_entry(
                *case_id,
                entry(EntryKind::MorningCheckin, 1 + (i as i64 % 3), &fields, ""),
            ))?;
            self.sign_entry(id)?;
        }

        self.record(Event {
            action: Action::Create,
            object_type: "demo-data",
            object_id: None,
            pupil_id: None,
            detail: format!(
                "fictional demo data: {} pupils, {} entries",
                summary.pupils, summary.entries
            ),
        })?;
        Ok(summary)
    }

    /// A demo case's ladder: each step decided `days_ago`, then the plan.
    fn demo_ladder(
        &mut self,
        case_id: Uuid,
        history: &[(i64, &str, &str)],
        next: Option<(&str, NaiveDate)>,
    ) -> Result<()> {
        let today = clock::today();
        let last = history.len().saturating_sub(1);
        for (i, (days_ago, step, note)) in history.iter().enumerate() {
            let planned = next.filter(|_| i == last);
            self.set_ladder_step_on(
                NewLadderStep {
                    case_id,
                    step: (*step).to_owned(),
                    note: (*note).to_owned(),
                    next_step: planned.map(|(s, _)| s.to_owned()),
                    next_on: planned.map(|(_, on)| on),
                },
                today - Duration::days(*days_ago),
            )?;
        }
        Ok(())
    }

    /// The first action of a plan just made.
    fn first_action(&self, plan_id: Uuid) -> Result<Uuid> {
        let id: String = self.conn.query_row(
            "SELECT id FROM plan_actions WHERE plan_id = ?1 ORDER BY position LIMIT 1",
            [plan_id.to_string()],
            |r| r.get(0),
        )?;
        Uuid::parse_str(&id).map_err(|e| Error::Damaged(format!("plan action id {id}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personnummer::Personnummer;

    #[test]
    fn demo_personnummer_are_valid_and_distinct() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        let mut seen = std::collections::HashSet::new();
        for n in 0..20u32 {
            let p = fictional_personnummer(2011 + (n % 3) as i32, 1 + n % 12, 3 + n, 970 + n);
            Personnummer::parse(&p, today).expect("valid check digit");
            assert!(seen.insert(p));
        }
    }
}

#[cfg(test)]
mod journal_tests {
    use super::*;
    use crate::caseload::Attention;
    use crate::secret::Passphrase;
    use chrono::Datelike;

    #[test]
    fn demo_loads_once_into_an_empty_journal_and_sorts_by_attention() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut j = Journal::create(
            dir.path(),
            &Passphrase::new("fiktivt lösenord 123".into()),
            "Fiktiv Handläggare",
        )
        .expect("create");
        // A step that fails inside the one transaction leaves nothing.
        let failed = j.atomically(|j| {
            j.demo_caseload()?;
            Err::<(), _>(Error::invalid(ReasonCode::DemoTooLarge, "fiktivt fel"))
        });
        assert!(failed.is_err());
        assert!(j.list_pupils().expect("pupils").is_empty());
        assert!(j.operations().expect("ops").is_empty(), "no operation left");
        let summary = j.load_demo().expect("demo");
        assert_eq!(summary.pupils, 20);
        assert_eq!(summary.cases, 20);
        assert!(summary.entries >= 20);
        assert!(j.load_demo().is_err(), "never twice, never into real data");

        let caseload = j.caseload().expect("caseload");
        assert_eq!(caseload.len(), 20);
        let first = &caseload[0];
        assert_eq!(first.pupil_name, "Alva Lindqvist");
        assert!(matches!(
            first.attention[0],
            Attention::FollowUpOverdue { days_ago: 3, .. }
        ));
        assert!(first
            .attention
            .iter()
            .any(|a| matches!(a, Attention::DraftsWaiting { count: 1 })));
        assert!(first
            .attention
            .iter()
            .any(|a| matches!(a, Attention::ConsentEnding { days_left: 12, .. })));
        let liam = caseload
            .iter()
            .position(|c| c.pupil_name == "Liam Sundberg")
            .expect("liam");
        let noah = caseload
            .iter()
            .position(|c| c.pupil_name == "Noah Berglund")
            .expect("noah");
        // Drafts waiting come before a consent ending.
        assert!(liam < noah, "{caseload:#?}");
        let elsa = caseload
            .iter()
            .find(|c| c.pupil_name == "Elsa Holmgren")
            .expect("elsa");
        assert!(elsa.protected_identity);
        assert_eq!(elsa.school, None);
        let detail = j
            .case_detail(Uuid::parse_str(&elsa.case_id).expect("id"))
            .expect("detail");
        assert!(detail.guardians.iter().all(|g| g.address.is_none()));
        let shown = serde_json::to_string(&detail).expect("json");
        assert!(!shown.contains("Exempelskolan"), "{shown}");
        // Everything at the end of the list needs nothing.
        assert!(caseload.last().expect("last").attention.is_empty());

        // Noah went up the ladder in the middle of the autumn; Alva is
        // expected at the entrance on Mondays, before Elsa's talk.
        let noah_case = Uuid::parse_str(&caseload[noah].case_id).expect("id");
        let ladder = j.ladder(noah_case).expect("ladder");
        let steps: Vec<_> = ladder.history.iter().map(|h| h.step.as_str()).collect();
        assert_eq!(
            steps,
            ["home-visits", "transition-apartment", "calmer-unit"]
        );
        assert_eq!(
            ladder.history[0].decided_on,
            (clock::today() - Duration::days(56)).to_string()
        );
        assert_eq!(ladder.next.expect("planned").step, "part-time-class");
        assert_eq!(caseload[noah].ladder_step.as_deref(), Some("calmer-unit"));
        let programme = j.programme(noah_case).expect("read").expect("Back2School");
        let done: Vec<_> = programme
            .sessions
            .iter()
            .filter(|s| s.done.is_some())
            .map(|s| s.number)
            .collect();
        assert_eq!(done, [0, 1, 2, 3, 4]);
        assert_eq!(programme.next, Some(5));
        assert_eq!(
            programme.started_on,
            (clock::today() - Duration::days(56)).to_string()
        );
        let monday = clock::today()
            + Duration::days(7 - i64::from(clock::today().weekday().num_days_from_monday()));
        let expected: Vec<_> = j
            .expected(Some(monday))
            .expect("expected")
            .into_iter()
            .map(|e| (e.pupil_name, e.time))
            .collect();
        assert_eq!(
            expected,
            [
                ("Alva Lindqvist".to_owned(), "08:10".to_owned()),
                ("Elsa Holmgren".to_owned(), "09:00".to_owned())
            ]
        );
        assert!(j
            .expected(Some(monday + Duration::days(1)))
            .expect("tuesday")
            .is_empty());
        j.check_replay().expect("the demo replays from the log");
    }
}
