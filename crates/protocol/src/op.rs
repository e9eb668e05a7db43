//! Operations: the unit of change, sync and audit.
//!
//! The journal on a device is a deterministic replay of operations. Signed
//! entries and corrections are write-once, so they never conflict; mutable
//! fields (a guardian's phone number, a plan action's status) are settled
//! last-writer-wins by [`Operation::order_key`], and the losing value is
//! kept for review by the replaying side.

use crate::entry_kind::EntryKind;
use crate::hlc::Hlc;
use crate::programme::Template;
use chrono::{DateTime, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// One change made on one device, before signing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub version: u16,
    /// UUIDv7: unique everywhere, roughly time-ordered.
    pub id: Uuid,
    pub device_id: Uuid,
    /// 1, 2, 3, … per device, without gaps; (device_id, seq) is unique.
    pub seq: u64,
    pub hlc: Hlc,
    /// The user the device is registered to, as shown in the journal.
    pub author: String,
    pub payload: Payload,
}

impl Operation {
    /// The total order in which operations are replayed everywhere.
    pub fn order_key(&self) -> (Hlc, Uuid, u64) {
        (self.hlc, self.device_id, self.seq)
    }
}

/// An operation with the device's Ed25519 signature over its canonical bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedOperation {
    pub op: Operation,
    /// Hex-encoded 64-byte Ed25519 signature.
    pub signature: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ConsentForm {
    Oral,
    Written,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GuardianField {
    Phone,
    Email,
    Address,
}

impl GuardianField {
    pub fn as_str(self) -> &'static str {
        match self {
            GuardianField::Phone => "phone",
            GuardianField::Email => "email",
            GuardianField::Address => "address",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ActionStatus {
    Planned,
    Ongoing,
    Done,
    Cancelled,
}

impl ActionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Planned => "planned",
            ActionStatus::Ongoing => "ongoing",
            ActionStatus::Done => "done",
            ActionStatus::Cancelled => "cancelled",
        }
    }
}

/// The entry's content while it is a draft; frozen by [`Payload::EntrySigned`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryContent {
    pub kind: EntryKind,
    pub event_at: DateTime<Utc>,
    /// Who took part, as written: the pupil, a guardian ("mamma"), anyone
    /// who is not one of the team's key persons.
    pub participants: Vec<String>,
    /// The team's key persons who took part (docs/contacts.md). Absent in
    /// content written before links existed, so its bytes and hash stay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_persons: Vec<KeyPersonRef>,
    /// Kind-specific fields; a BTreeMap so the signed bytes are canonical.
    pub fields: BTreeMap<String, String>,
    pub text: String,
}

/// A key person of the team named in a pupil's entry: the contact's id,
/// as data and not as an object of the pupil's (docs/adr/0029-a-team-scope.md),
/// and what the writer saw of them. A signed entry keeps these words
/// whatever the directory says later (docs/adr/0031-links-to-key-persons.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPersonRef {
    pub contact_id: Uuid,
    pub name: String,
    pub role: String,
    /// The organisation's name (may be empty).
    pub org_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAction {
    pub action_id: Uuid,
    /// Who does it, as written; a key person's name when `contact_id` is
    /// given.
    pub who: String,
    /// The team's key person who does it, named as data; absent when the
    /// owner is typed (and in actions written before links existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<Uuid>,
    pub what: String,
    pub due_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Payload {
    PupilRegistered {
        pupil_id: Uuid,
        name: String,
        /// 12 digits, YYYYMMDDNNNC.
        personnummer: String,
        school: String,
        grade: u8,
        protected_identity: bool,
    },
    CaseOpened {
        case_id: Uuid,
        pupil_id: Uuid,
    },
    CaseClosed {
        case_id: Uuid,
    },
    /// A closed case taken up again: it stays on every device that holds
    /// it, and one it had left fetches it back.
    CaseReopened {
        case_id: Uuid,
    },
    GuardianAdded {
        guardian_id: Uuid,
        case_id: Uuid,
        name: String,
        relation: String,
    },
    /// A mutable contact field: last writer wins, the loser is kept.
    GuardianFieldSet {
        guardian_id: Uuid,
        field: GuardianField,
        value: String,
        /// The op whose value the writer saw and replaced; an edit that
        /// replaces neither the current value nor is replaced by it is
        /// concurrent, and its loser is kept as a conflict.
        replaces: Option<Uuid>,
    },
    ConsentRecorded {
        consent_id: Uuid,
        case_id: Uuid,
        /// The guardian who gave it, or None when the pupil did.
        guardian_id: Option<Uuid>,
        scope: String,
        recipient: String,
        purpose: String,
        form: ConsentForm,
        given_on: NaiveDate,
        valid_until: Option<NaiveDate>,
    },
    ConsentWithdrawn {
        consent_id: Uuid,
        withdrawn_on: NaiveDate,
    },
    EntryDrafted {
        entry_id: Uuid,
        case_id: Uuid,
        content: EntryContent,
    },
    DraftEdited {
        entry_id: Uuid,
        content: EntryContent,
        /// The version (the op that drafted or edited it) the writer saw
        /// and replaced; absent in operations written before it existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<Uuid>,
    },
    /// A signature names what it signs: the hash of the exact content the
    /// signer saw ([`EntryContent::hash`]). No edit, however concurrent,
    /// changes what was signed; absent only in operations written before
    /// it existed (they sign the version they follow in replay order).
    EntrySigned {
        entry_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content_hash: Option<String>,
    },
    EntryCorrected {
        correction_id: Uuid,
        entry_id: Uuid,
        text: String,
        reason: String,
    },
    PlanCreated {
        plan_id: Uuid,
        case_id: Uuid,
        needs: String,
        goals: Vec<String>,
        lead_party: String,
        follow_up_on: NaiveDate,
        actions: Vec<PlanAction>,
    },
    /// A new version of a plan (docs/meetings.md): its needs, goals, lead
    /// party and follow-up date as they now stand, and its actions. Every
    /// version is kept in the log and stays readable; the plan shows the
    /// latest in the order. Actions are never dropped by a revision (one
    /// no longer wanted is cancelled), so two revisions made at once keep
    /// every action either added, and the one the writer had not seen is
    /// shown as made at the same time.
    PlanRevised {
        plan_id: Uuid,
        /// The version the writer saw and revised: the operation that
        /// created the plan or last revised it.
        replaces: Uuid,
        needs: String,
        goals: Vec<String>,
        lead_party: String,
        follow_up_on: NaiveDate,
        /// The plan's actions carried over, changed or not, in order.
        actions: Vec<PlanAction>,
        /// Actions new in this version, after the carried ones.
        new_actions: Vec<PlanAction>,
    },
    /// A mutable field: last writer wins, the loser is kept.
    PlanActionStatusSet {
        action_id: Uuid,
        status: ActionStatus,
        replaces: Option<Uuid>,
    },
    ConcernReported {
        report_id: Uuid,
        case_id: Uuid,
        reported_at: DateTime<Utc>,
        to_whom: String,
        by_whom: String,
        summary: String,
    },
    /// One pupil's school attendance for one week, from the school's
    /// absence export. A pupil has one record per week: recording the same
    /// week again replaces the figures, last writer wins by HLC like a
    /// mutable field, and a concurrent loser is kept for review.
    AbsenceWeekRecorded {
        pupil_id: Uuid,
        /// The Monday of the ISO week.
        week_start: NaiveDate,
        /// Time the school offered (schemalagd tid), in minutes.
        scheduled_min: u32,
        /// Valid (giltig, anmäld) absence, in minutes.
        valid_absent_min: u32,
        /// Invalid (ogiltig, oanmäld) absence, in minutes.
        invalid_absent_min: u32,
        /// Where the figures came from: the imported file's name.
        source: String,
        /// The operation whose figures the writer saw and replaced, as in
        /// [`Payload::GuardianFieldSet`].
        replaces: Option<Uuid>,
    },
    /// A case reached a step of the return ladder (docs/return-path.md):
    /// one line of its history, written once. The case's current step is
    /// the latest in the replay order.
    LadderStepSet {
        record_id: Uuid,
        case_id: Uuid,
        /// The step's stable key (`home-visits`, `calmer-unit`…).
        step: String,
        /// The local day the step was decided.
        decided_on: NaiveDate,
        note: String,
    },
    /// The planned next step of a case's ladder and its date. A mutable
    /// value: last writer wins, the loser is kept, as in
    /// [`Payload::GuardianFieldSet`].
    LadderNextPlanned {
        case_id: Uuid,
        step: String,
        on: NaiveDate,
        replaces: Option<Uuid>,
    },
    /// When a plan action happens each week ("Monday and Wednesday
    /// 08:10"): the weekdays and the local time `HH:MM`. A mutable value,
    /// settled like [`Payload::LadderNextPlanned`].
    ActionScheduled {
        action_id: Uuid,
        days: Vec<Weekday>,
        time: String,
        replaces: Option<Uuid>,
    },
    /// Something to do about a pupil the same day: an expected pupil was
    /// not seen at the morning check-in. Written once.
    FollowupCreated {
        followup_id: Uuid,
        case_id: Uuid,
        task: FollowupTask,
        due_on: NaiveDate,
        /// The check-in entry that gave rise to it.
        entry_id: Option<Uuid>,
    },
    /// A follow-up done. Done twice (two laptops at once) is done once:
    /// the first in the order stands.
    FollowupDone {
        followup_id: Uuid,
        done_on: NaiveDate,
    },
    /// A case starts following a programme (docs/programmes.md), once: a
    /// second start of the same case (two laptops at once) changes nothing,
    /// the first in the order stands. The template is carried whole, as it
    /// stood, so every device replays the same plan.
    ProgrammeStarted {
        programme_id: Uuid,
        case_id: Uuid,
        template: Template,
        /// The local day it started.
        started_on: NaiveDate,
    },
    /// The planned return date of a case's programme. A mutable value,
    /// settled like [`Payload::LadderNextPlanned`].
    ProgrammeReturnPlanned {
        case_id: Uuid,
        on: NaiveDate,
        replaces: Option<Uuid>,
    },
    /// A key person of the team's directory (docs/contacts.md): someone at a
    /// school or a partner organisation. Belongs to the team, not to a
    /// pupil ([`crate::auth::Target::Team`]).
    ContactAdded {
        contact_id: Uuid,
        org_kind: OrgKind,
        /// Which organisation of its kind: the school's name, the clinic's.
        org_name: String,
        role: String,
        name: String,
        phone: Option<String>,
        email: Option<String>,
    },
    /// One field of a key person changed. A mutable value: last writer
    /// wins, the loser is kept, as in [`Payload::GuardianFieldSet`]. An
    /// empty phone or e-mail clears it.
    ContactChanged {
        contact_id: Uuid,
        field: ContactField,
        value: String,
        replaces: Option<Uuid>,
    },
    /// The person no longer holds the role: kept for history, no longer
    /// offered. Left twice (two laptops at once) is left once: the first
    /// in the order stands.
    ContactLeftRole {
        contact_id: Uuid,
        left_on: NaiveDate,
    },
    /// Where collaboration with a partner organisation failed, for a case
    /// ("avvikelse i samverkan", docs/deviations.md): written once, its
    /// status then changes with [`Payload::DeviationStatusSet`].
    DeviationRecorded {
        deviation_id: Uuid,
        case_id: Uuid,
        /// The plan action of the case it concerns, if one.
        action_id: Option<Uuid>,
        /// The partner's kind of organisation, the key of the team's
        /// directory of key persons.
        partner: OrgKind,
        category: DeviationCategory,
        text: String,
        /// The local day it was recorded.
        noted_on: NaiveDate,
    },
    /// A deviation's status. A mutable value: last writer wins, the loser
    /// is kept, as in [`Payload::GuardianFieldSet`].
    DeviationStatusSet {
        deviation_id: Uuid,
        status: DeviationStatus,
        replaces: Option<Uuid>,
    },
    /// Information about the pupil shared outside the team (a journal PDF,
    /// what was told in a meeting), with its legal ground
    /// (docs/disclosures.md): the case's disclosure register. Written once.
    DisclosureRecorded {
        disclosure_id: Uuid,
        case_id: Uuid,
        recipient: String,
        /// What was shared.
        what: String,
        ground: DisclosureGround,
        /// The local day it was shared.
        disclosed_on: NaiveDate,
    },
    /// A person looked at a conflict and chose which value stands: `chosen`
    /// is the operation whose value (or draft version) is kept, `resolves`
    /// the competing operations now settled. A choice is itself an
    /// operation, so it converges like any other.
    ConflictResolved {
        subject: ConflictSubject,
        chosen: Uuid,
        resolves: Vec<Uuid>,
    },
}

/// The kind of organisation a key person works in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgKind {
    /// The school: principal, mentor, teacher.
    School,
    /// The school's student health: nurse, counsellor, psychologist.
    StudentHealth,
    /// The region's child and youth psychiatry (BUP).
    Bup,
    YouthClinic,
    ChildHealth,
    Police,
    LeisureServices,
    SocialServices,
    Other,
}

impl OrgKind {
    pub const ALL: [OrgKind; 9] = [
        OrgKind::School,
        OrgKind::StudentHealth,
        OrgKind::Bup,
        OrgKind::YouthClinic,
        OrgKind::ChildHealth,
        OrgKind::Police,
        OrgKind::LeisureServices,
        OrgKind::SocialServices,
        OrgKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::School => "school",
            OrgKind::StudentHealth => "student-health",
            OrgKind::Bup => "bup",
            OrgKind::YouthClinic => "youth-clinic",
            OrgKind::ChildHealth => "child-health",
            OrgKind::Police => "police",
            OrgKind::LeisureServices => "leisure-services",
            OrgKind::SocialServices => "social-services",
            OrgKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A key person's field that changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContactField {
    OrgName,
    Role,
    Name,
    Phone,
    Email,
}

impl ContactField {
    pub const ALL: [ContactField; 5] = [
        ContactField::OrgName,
        ContactField::Role,
        ContactField::Name,
        ContactField::Phone,
        ContactField::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactField::OrgName => "org-name",
            ContactField::Role => "role",
            ContactField::Name => "name",
            ContactField::Phone => "phone",
            ContactField::Email => "email",
        }
    }
}

/// The legal ground of a disclosure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DisclosureGround {
    /// A consent of the case, active when the information was shared.
    Consent {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        consent_id: Uuid,
    },
    /// Another ground the user named (a provision of law, a request under
    /// the principle of public access…).
    Other { ground: String },
}

/// What went wrong in a collaboration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviationCategory {
    /// The partner made contact late (or not at all).
    LateContact,
    /// An agreed action was not done.
    ActionNotDone,
    /// Information was not passed on.
    InformationNotPassed,
    /// The guardian was used as messenger between the organisations.
    GuardianAsMessenger,
    Other,
}

impl DeviationCategory {
    pub const ALL: [DeviationCategory; 5] = [
        DeviationCategory::LateContact,
        DeviationCategory::ActionNotDone,
        DeviationCategory::InformationNotPassed,
        DeviationCategory::GuardianAsMessenger,
        DeviationCategory::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviationCategory::LateContact => "late-contact",
            DeviationCategory::ActionNotDone => "action-not-done",
            DeviationCategory::InformationNotPassed => "information-not-passed",
            DeviationCategory::GuardianAsMessenger => "guardian-as-messenger",
            DeviationCategory::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<DeviationCategory> {
        DeviationCategory::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Where the mending of a deviation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviationStatus {
    Open,
    /// Raised with the partner.
    Raised,
    Mended,
}

impl DeviationStatus {
    pub const ALL: [DeviationStatus; 3] = [
        DeviationStatus::Open,
        DeviationStatus::Raised,
        DeviationStatus::Mended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviationStatus::Open => "open",
            DeviationStatus::Raised => "raised",
            DeviationStatus::Mended => "mended",
        }
    }

    pub fn parse(s: &str) -> Option<DeviationStatus> {
        DeviationStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// What a follow-up asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum FollowupTask {
    CallGuardian,
    BookHomeVisit,
}

impl FollowupTask {
    pub const ALL: [FollowupTask; 2] = [FollowupTask::CallGuardian, FollowupTask::BookHomeVisit];

    pub fn as_str(self) -> &'static str {
        match self {
            FollowupTask::CallGuardian => "call-guardian",
            FollowupTask::BookHomeVisit => "book-home-visit",
        }
    }
}

/// What a conflict is about: the value that several devices wrote at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ConflictSubject {
    GuardianField {
        guardian_id: Uuid,
        field: GuardianField,
    },
    ActionStatus {
        action_id: Uuid,
    },
    AbsenceWeek {
        pupil_id: Uuid,
        week_start: NaiveDate,
    },
    /// The planned next step of a case's return ladder.
    LadderNext {
        case_id: Uuid,
    },
    /// The planned return date of a case's programme.
    ProgrammeReturn {
        case_id: Uuid,
    },
    /// The weekly schedule of a plan action.
    ActionSchedule {
        action_id: Uuid,
    },
    /// A field of a key person of the team's directory.
    ContactField {
        contact_id: Uuid,
        field: ContactField,
    },
    /// The status of a deviation in collaboration.
    DeviationStatus {
        deviation_id: Uuid,
    },
    /// The content of a journal entry: concurrent draft versions, or a
    /// version that lost to a signature (only the signed one can stand).
    EntryContent {
        entry_id: Uuid,
    },
}

impl EntryContent {
    /// SHA-256 (hex) of the content's canonical JSON: what a signature
    /// names.
    pub fn hash(&self) -> String {
        // Plain data with ordered maps serialises the same way every time.
        let bytes = serde_json::to_vec(self).expect("entry content serialises");
        hex::encode(ring::digest::digest(&ring::digest::SHA256, &bytes).as_ref())
    }
}

impl Payload {
    /// The stable name of the payload type, as serialised in `type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Payload::PupilRegistered { .. } => "pupil-registered",
            Payload::CaseOpened { .. } => "case-opened",
            Payload::CaseClosed { .. } => "case-closed",
            Payload::CaseReopened { .. } => "case-reopened",
            Payload::GuardianAdded { .. } => "guardian-added",
            Payload::GuardianFieldSet { .. } => "guardian-field-set",
            Payload::ConsentRecorded { .. } => "consent-recorded",
            Payload::ConsentWithdrawn { .. } => "consent-withdrawn",
            Payload::EntryDrafted { .. } => "entry-drafted",
            Payload::DraftEdited { .. } => "draft-edited",
            Payload::EntrySigned { .. } => "entry-signed",
            Payload::EntryCorrected { .. } => "entry-corrected",
            Payload::PlanCreated { .. } => "plan-created",
            Payload::PlanRevised { .. } => "plan-revised",
            Payload::PlanActionStatusSet { .. } => "plan-action-status-set",
            Payload::ConcernReported { .. } => "concern-reported",
            Payload::AbsenceWeekRecorded { .. } => "absence-week-recorded",
            Payload::LadderStepSet { .. } => "ladder-step-set",
            Payload::LadderNextPlanned { .. } => "ladder-next-planned",
            Payload::ActionScheduled { .. } => "action-scheduled",
            Payload::FollowupCreated { .. } => "followup-created",
            Payload::FollowupDone { .. } => "followup-done",
            Payload::ProgrammeStarted { .. } => "programme-started",
            Payload::ProgrammeReturnPlanned { .. } => "programme-return-planned",
            Payload::ContactAdded { .. } => "contact-added",
            Payload::ContactChanged { .. } => "contact-changed",
            Payload::ContactLeftRole { .. } => "contact-left-role",
            Payload::DeviationRecorded { .. } => "deviation-recorded",
            Payload::DeviationStatusSet { .. } => "deviation-status-set",
            Payload::DisclosureRecorded { .. } => "disclosure-recorded",
            Payload::ConflictResolved { .. } => "conflict-resolved",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_type_name_matches_serde_tag() {
        let p = Payload::EntrySigned {
            entry_id: Uuid::nil(),
            content_hash: None,
        };
        let v = serde_json::to_value(&p).expect("serialize");
        assert_eq!(v["type"], p.type_name());
    }

    #[test]
    fn an_absence_week_serialises_with_its_type_name() {
        let p = Payload::AbsenceWeekRecorded {
            pupil_id: Uuid::nil(),
            week_start: NaiveDate::from_ymd_opt(2026, 10, 5).expect("date"),
            scheduled_min: 1680,
            valid_absent_min: 120,
            invalid_absent_min: 45,
            source: "franvaro.csv".into(),
            replaces: None,
        };
        let v = serde_json::to_value(&p).expect("serialize");
        assert_eq!(v["type"], p.type_name());
        assert_eq!(v["week_start"], "2026-10-05");
        let back: Payload = serde_json::from_value(v).expect("deserialize");
        assert_eq!(back, p);
    }

    #[test]
    fn fields_added_later_leave_older_operations_bytes_alone() {
        let old = r#"{"type":"entry-signed","entry_id":"00000000-0000-0000-0000-000000000000"}"#;
        let p: Payload = serde_json::from_str(old).expect("an op written before content_hash");
        assert_eq!(serde_json::to_string(&p).expect("serialise"), old);
    }

    /// A note's content with no participant.
    fn note() -> EntryContent {
        EntryContent {
            kind: EntryKind::Note,
            event_at: DateTime::<Utc>::from_timestamp(0, 0).expect("epoch"),
            participants: vec![],
            key_persons: vec![],
            fields: BTreeMap::new(),
            text: "Fiktiv".into(),
        }
    }

    #[test]
    fn content_and_actions_without_key_persons_keep_their_bytes() {
        let content = r#"{"kind":"note","event_at":"1970-01-01T00:00:00Z","participants":["mamma"],"fields":{},"text":"Fiktiv"}"#;
        let c: EntryContent = serde_json::from_str(content).expect("content before links");
        assert!(c.key_persons.is_empty());
        assert_eq!(serde_json::to_string(&c).expect("serialise"), content);
        let action = r#"{"action_id":"00000000-0000-0000-0000-000000000000","who":"Mentor","what":"Ring","due_on":null}"#;
        let a: PlanAction = serde_json::from_str(action).expect("action before links");
        assert_eq!(a.contact_id, None);
        assert_eq!(serde_json::to_string(&a).expect("serialise"), action);
    }

    #[test]
    fn a_key_person_is_part_of_what_an_entry_hash_covers() {
        let content = note();
        let mut linked = content.clone();
        linked.key_persons.push(KeyPersonRef {
            contact_id: Uuid::nil(),
            name: "Fiktiv Mentor".into(),
            role: "mentor".into(),
            org_name: String::new(),
        });
        let mut renamed = linked.clone();
        renamed.key_persons[0].name = "Fiktiv Mentorsson".into();
        assert_ne!(content.hash(), linked.hash());
        assert_ne!(linked.hash(), renamed.hash());
    }

    #[test]
    fn an_entry_hash_changes_with_any_part_of_the_content() {
        let content = note();
        let mut other = content.clone();
        other.text.push('.');
        assert_eq!(content.hash(), content.clone().hash());
        assert_ne!(content.hash(), other.hash());
        assert_eq!(content.hash().len(), 64);
    }

    #[test]
    fn order_key_breaks_hlc_ties_by_device() {
        let mk = |dev: u128| Operation {
            version: crate::PROTOCOL_VERSION,
            id: Uuid::from_u128(dev),
            device_id: Uuid::from_u128(dev),
            seq: 1,
            hlc: Hlc {
                wall_ms: 1,
                counter: 0,
            },
            author: "x".into(),
            payload: Payload::CaseClosed {
                case_id: Uuid::nil(),
            },
        };
        assert!(mk(1).order_key() < mk(2).order_key());
    }
}
