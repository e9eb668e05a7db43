//! What the core hands out: plain view models, never rows or keys.
//!
//! A protected-identity pupil's school and address are left out of every
//! view (`None`), so no caller can show or export them by mistake.

use brygga_protocol::entry_kind::EntryKind;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PupilView {
    pub id: String,
    pub name: String,
    /// YYMMDD-NNNC.
    pub personnummer: String,
    /// None for a protected-identity pupil.
    pub school: Option<String>,
    pub grade: u8,
    pub protected_identity: bool,
    pub open_case_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseView {
    pub id: String,
    pub pupil_id: String,
    pub pupil_name: String,
    pub personnummer: String,
    pub status: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub drafts: u32,
    pub signed: u32,
    pub last_event_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CorrectionView {
    pub id: String,
    pub text: String,
    pub reason: String,
    pub written_at: String,
    pub author: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EntryView {
    pub id: String,
    pub case_id: String,
    pub kind: EntryKind,
    pub status: String,
    pub event_at: String,
    pub written_at: String,
    pub author: String,
    /// Who took part who is not a key person, as written.
    pub participants: Vec<String>,
    /// The team's key persons who took part: as signed in a signed entry,
    /// as the directory has them now in a draft.
    pub key_persons: Vec<crate::key_persons::KeyPersonView>,
    pub fields: BTreeMap<String, String>,
    /// The text as signed; corrections never change it.
    pub text: String,
    pub signed_at: Option<String>,
    pub signed_by: Option<String>,
    pub corrections: Vec<CorrectionView>,
    /// Texts of other laptops that lost to the one shown, for review.
    pub conflicts: Vec<ConflictView>,
}

/// A value that lost an edit made at the same time, kept for review: shown
/// beside its field (an entry, a guardian, a plan action) and listed in the
/// sync status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConflictView {
    pub object_type: String,
    pub object_id: String,
    pub field: String,
    /// `concurrent` (two edits at once) or `after-signature` (a text that
    /// came after the entry was signed: only a correction can add it).
    pub kind: String,
    /// The value that stands now.
    pub current_value: Option<String>,
    /// The operation whose value lost: what a resolution names.
    pub lost_op_id: String,
    /// The operation whose value stands.
    pub won_op_id: String,
    pub lost_value: String,
    pub lost_author: String,
    pub lost_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GuardianView {
    pub id: String,
    pub case_id: String,
    pub name: String,
    pub relation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// None when the pupil has a protected identity.
    pub address: Option<String>,
    pub conflicts: Vec<ConflictView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsentView {
    pub id: String,
    pub case_id: String,
    pub guardian_id: Option<String>,
    /// The guardian's name, or None when the pupil gave it.
    pub given_by: Option<String>,
    pub scope: String,
    pub recipient: String,
    pub purpose: String,
    pub form: String,
    pub given_on: String,
    pub valid_until: Option<String>,
    pub withdrawn_on: Option<String>,
    /// Given, not withdrawn and not past its end date today.
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActionView {
    pub id: String,
    /// Who does it, as written (the key person's name when picked).
    pub who: String,
    /// The key person who does it, as the directory has them now, when
    /// picked from it.
    pub owner: Option<crate::key_persons::KeyPersonView>,
    pub what: String,
    pub due_on: Option<String>,
    pub status: String,
    pub conflicts: Vec<ConflictView>,
    /// When it happens each week, if it is scheduled.
    pub schedule: Option<crate::schedules::Schedule>,
    /// What each signed collaboration meeting recorded of it, oldest
    /// first.
    pub results: Vec<crate::meetings::ActionResult>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanView {
    pub id: String,
    pub case_id: String,
    pub needs: String,
    pub goals: Vec<String>,
    pub lead_party: String,
    pub follow_up_on: String,
    pub created_at: String,
    pub author: String,
    pub actions: Vec<ActionView>,
    /// The number of the version shown ([`crate::Journal::plan_versions`]).
    pub version: u32,
    /// The version shown was made at the same time as the one before it
    /// (two laptops revised the plan at once): both are kept.
    pub concurrent: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConcernView {
    pub id: String,
    pub case_id: String,
    pub reported_at: String,
    pub to_whom: String,
    pub by_whom: String,
    pub summary: String,
    pub recorded_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseDetail {
    pub case: CaseView,
    pub pupil: PupilView,
    pub guardians: Vec<GuardianView>,
    pub consents: Vec<ConsentView>,
    pub plans: Vec<PlanView>,
    pub concerns: Vec<ConcernView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchHit {
    pub entry_id: String,
    pub case_id: String,
    pub pupil_name: String,
    pub kind: EntryKind,
    pub status: String,
    pub event_at: String,
    /// The matching words in context, marked with [ and ].
    pub snippet: String,
    /// True when the match is in a correction rather than the entry.
    pub in_correction: bool,
}
