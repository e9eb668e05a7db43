//! Synced data for the unit manager pages' tests and benchmark: a team's
//! device, enrolled through the store, pushing signed operations of
//! fictional pupils (a school, a case, weeks of absence, a first
//! intervention, a plan, a step on the return ladder, a deviation) through
//! the store's real write path.

use super::{keypair, now_ms, prepared_op, unique};
use brygga_protocol::entry_kind::EntryKind;
use brygga_protocol::op::{DeviationCategory, EntryContent, OrgKind, Payload};
use brygga_server::store::{
    AuditRecord, DynStore, NewDevice, NonceRecord, PreparedOp, PushBatch, RequestWrite, WriteBatch,
};
use chrono::{Datelike, Duration, NaiveDate};
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Operations per push request.
const PUSH_OPS: usize = 1000;

/// One fictional pupil of a team.
#[derive(Debug, Clone)]
pub struct PupilSpec {
    pub school: String,
    pub protected: bool,
    pub opened: NaiveDate,
    /// The first intervention (an entry's event day).
    pub first: NaiveDate,
    pub plan: bool,
    /// Mondays and minutes scheduled, valid, invalid.
    pub weeks: Vec<(NaiveDate, [u32; 3])>,
    pub step: Option<String>,
    pub deviation: Option<(OrgKind, DeviationCategory)>,
}

impl PupilSpec {
    /// `n` weeks of 1000 minutes before `first`, `before` invalid each,
    /// and `n` after it, `after` invalid each.
    pub fn around(
        school: &str,
        opened: NaiveDate,
        first: NaiveDate,
        n: i64,
        before: u32,
        after: u32,
    ) -> PupilSpec {
        let monday = first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
        let weeks = (1..=n)
            .map(|i| (monday - Duration::weeks(i), [1000, 0, before]))
            .chain((1..=n).map(|i| (monday + Duration::weeks(i), [1000, 0, after])))
            .collect();
        PupilSpec {
            school: school.to_owned(),
            protected: false,
            opened,
            first,
            plan: false,
            weeks,
            step: None,
            deviation: None,
        }
    }
}

fn audit(action: &str) -> AuditRecord {
    super::audit_row(now_ms(), "admin", action)
}

fn ms(day: NaiveDate) -> i64 {
    day.and_hms_opt(12, 0, 0)
        .expect("noon")
        .and_utc()
        .timestamp_millis()
}

/// A team with one enrolled device, and the operations it has still to
/// push.
pub struct SeedTeam {
    pub store: DynStore,
    pub team_id: i64,
    pub name: String,
    device: Uuid,
    key: Ed25519KeyPair,
    seq: u64,
    queued: Vec<PreparedOp>,
}

impl SeedTeam {
    pub async fn new(store: &DynStore, prefix: &str) -> SeedTeam {
        let name = unique(prefix);
        let team = store
            .add_team(&name, audit("team.add"))
            .await
            .expect("team");
        let user = unique("fiktiv-handlaggare");
        store
            .add_user(&user, &name, audit("user.add"))
            .await
            .expect("user");
        let code = unique("code");
        store
            .add_enroll_code(&user, &code, now_ms() + 60_000, audit("code"))
            .await
            .expect("code");
        let key = keypair();
        let device = Uuid::now_v7();
        store
            .enroll(
                &code,
                NewDevice {
                    id: device,
                    public_key: key.public_key().as_ref().to_vec(),
                    name: "Fiktiv laptop".into(),
                },
                now_ms(),
                audit("enroll"),
            )
            .await
            .expect("enroll");
        SeedTeam {
            store: store.clone(),
            team_id: team.id,
            name,
            device,
            key,
            seq: 0,
            queued: Vec::new(),
        }
    }

    fn op(&mut self, at_ms: i64, payload: Payload) {
        self.seq += 1;
        self.queued.push(prepared_op(
            &self.key,
            self.device,
            self.seq,
            at_ms,
            payload,
        ));
    }

    /// Queues a pupil's operations; returns the pupil's id.
    pub fn pupil(&mut self, p: &PupilSpec) -> Uuid {
        let (pupil_id, case_id) = (Uuid::now_v7(), Uuid::now_v7());
        let opened = ms(p.opened);
        self.op(
            opened,
            Payload::PupilRegistered {
                pupil_id,
                name: "Fiktiv Elev Hemligsson".into(),
                personnummer: "201001012384".into(),
                school: p.school.clone(),
                grade: 8,
                protected_identity: p.protected,
            },
        );
        self.op(opened, Payload::CaseOpened { case_id, pupil_id });
        for (monday, [scheduled, valid, invalid]) in &p.weeks {
            self.op(
                ms(*monday),
                Payload::AbsenceWeekRecorded {
                    pupil_id,
                    week_start: *monday,
                    scheduled_min: *scheduled,
                    valid_absent_min: *valid,
                    invalid_absent_min: *invalid,
                    source: "fiktiv.csv".into(),
                    replaces: None,
                },
            );
        }
        self.op(
            ms(p.first),
            Payload::EntryDrafted {
                entry_id: Uuid::now_v7(),
                case_id,
                content: EntryContent {
                    kind: EntryKind::HomeVisit,
                    event_at: p.first.and_hms_opt(9, 0, 0).expect("nine").and_utc(),
                    participants: vec!["Fiktiv Elev Hemligsson".into()],
                    key_persons: Vec::new(),
                    fields: BTreeMap::new(),
                    text: "Hemlig anteckning".into(),
                },
            },
        );
        if p.plan {
            self.op(
                ms(p.first),
                Payload::PlanCreated {
                    plan_id: Uuid::now_v7(),
                    case_id,
                    needs: "Hemligt behov".into(),
                    goals: vec!["Mål".into()],
                    lead_party: "Skolan".into(),
                    follow_up_on: p.first + Duration::weeks(6),
                    actions: Vec::new(),
                },
            );
        }
        if let Some(step) = &p.step {
            self.op(
                ms(p.first),
                Payload::LadderStepSet {
                    record_id: Uuid::now_v7(),
                    case_id,
                    step: step.clone(),
                    decided_on: p.first + Duration::weeks(2),
                    note: "Hemlig".into(),
                },
            );
        }
        if let Some((partner, category)) = p.deviation {
            self.op(
                ms(p.first),
                Payload::DeviationRecorded {
                    deviation_id: Uuid::now_v7(),
                    case_id,
                    action_id: None,
                    partner,
                    category,
                    text: "Hemlig detalj".into(),
                    noted_on: p.first + Duration::weeks(1),
                },
            );
        }
        pupil_id
    }

    /// Pushes what is queued, in requests of [`PUSH_OPS`] operations.
    pub async fn push(&mut self) {
        let queued = std::mem::take(&mut self.queued);
        for chunk in queued.chunks(PUSH_OPS) {
            let result = self
                .store
                .write(WriteBatch {
                    requests: vec![RequestWrite {
                        nonce: NonceRecord {
                            device_id: self.device,
                            nonce: Uuid::now_v7().to_string(),
                            expires_at_ms: now_ms() + 60_000,
                        },
                        push: Some(PushBatch {
                            device_id: self.device,
                            team_id: self.team_id,
                            received_at_ms: now_ms(),
                            ops: chunk.to_vec(),
                        }),
                        audit: None,
                    }],
                    ..Default::default()
                })
                .await
                .expect("push");
            let text = format!("{:?}", result.requests);
            assert!(!text.contains("Rejected"), "{text}");
        }
    }
}
