//! brygga-core: the encrypted case journal, its keys, audit log and the
//! device's signed operation log. Knows nothing of Tauri or HTTP.
//!
//! Start at [`Journal`]: `Journal::create` or `Journal::open` with a
//! [`Passphrase`], then the domain methods (pupils, cases, entries, …).

pub mod attendance;
mod audit;
mod caseload;
mod cases;
mod checkin;
mod checkpoints;
mod clock;
mod conflicts;
mod consents;
pub mod contacts;
mod data_dir;
mod demo;
pub mod deviations;
mod device;
pub mod device_card;
mod disclosures;
mod durable;
mod entries;
pub mod entry_fields;
mod error;
pub mod export;
#[cfg(test)]
mod fixtures;
mod followups;
pub mod form_rules;
mod journal;
pub mod key_persons;
mod keys;
pub mod ladder;
mod leaving;
mod meetings;
mod migrations;
pub mod municipality;
mod personnummer;
mod plan_versions;
mod plans;
pub mod programme;
mod pupils;
mod replay;
pub mod schedules;
mod search;
mod secret;
mod set_aside;
mod store;
pub mod sync;
mod text;
pub mod views;

pub use audit::{Action as AuditAction, AuditFilter, AuditReport, AuditRow};
pub use brygga_protocol::entry_kind::EntryKind;
pub use brygga_protocol::op::{
    ActionStatus, ConsentForm, ContactField, DeviationCategory, DeviationStatus, DisclosureGround,
    FollowupTask, GuardianField, KeyPersonRef, OrgKind,
};
pub use caseload::{Attention, CaseloadItem, CONSENT_WARNING_DAYS, FOLLOW_UP_WARNING_DAYS};
pub use cases::{NewConcern, NewGuardian};
pub use checkin::{CheckinRow, NewCheckin, TodayCheckin};
pub use conflicts::Keep;
pub use consents::NewConsent;
pub use contacts::{ContactEdit, ContactFilter, ContactView, NewContact};
pub use data_dir::default_data_dir;
pub use demo::{DemoSummary, DEMO_SCHOOL};
pub use deviations::{DeviationView, NewDeviation};
pub use disclosures::{DisclosureView, JournalRelease, NewDisclosure};
pub use entries::NewEntry;
pub use error::{code_name, Error, ErrorCode, Reason, ReasonCode, Result};
pub use export::LeaveOut;
pub use followups::FollowupView;
#[cfg(feature = "test-support")]
pub use journal::CopyKey;
pub use journal::{Journal, JournalPaths, MIN_PASSPHRASE_CHARS};
pub use keys::KdfParams;
pub use ladder::{LadderRecord, LadderStep, LadderView, NewLadderStep, PlannedStep};
pub use leaving::LeftCase;
pub use meetings::{ActionResult, AgendaPlan, AgendaView, MinutesResult, NewMinutes};
pub use municipality::{MunicipalitySettings, SettingSource};
pub use personnummer::Personnummer;
pub use plan_versions::{PlanRevision, PlanVersionView, RevisedAction, VersionAction};
pub use plans::{NewAction, NewPlan};
pub use programme::{NewProgramme, NextSession, ProgrammeSession, ProgrammeView, SessionDone};
pub use pupils::{NewPupil, GRADES};
pub use schedules::{ExpectedPupil, Schedule};
#[cfg(feature = "bench-plaintext")]
pub use search::to_fts_query;
pub use secret::Passphrase;
pub use set_aside::{set_aside, SetAside};
