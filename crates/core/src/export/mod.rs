//! Exports: what leaves the encrypted journal as a file.
//!
//! - a case journal as PDF, for a records request ([`journal_pdf`]);
//! - the participant list of a European Social Fund project as CSV
//!   ([`esf`]);
//! - follow-up statistics as CSV and PDF, aggregate only ([`outcomes`]);
//! - the team's deviations in collaboration by partner and category, as
//!   CSV and PDF, aggregate only and suppressed the same way
//!   ([`deviations`]).
//!
//! Each export is one `export` row in the audit log, with what it held
//! (counts, never a personnummer). The core returns the file's bytes; the
//! caller (CLI, desktop shell) decides where they go. A protected pupil's
//! school and address are in no export: the views already leave them out,
//! and the exports print no contact details at all.

mod deviations;
mod esf;
mod journal_pdf;
mod outcomes;

use brygga_outcomes::{csv_out, pdf};

pub use brygga_outcomes::{Figure, OutcomeGroup, OutcomeStats, MIN_GROUP};
pub use deviations::{DeviationGroup, DeviationSummary};
pub use journal_pdf::LeaveOut;

use brygga_protocol::entry_kind::EntryKind;

/// The Swedish name of an entry kind, as the journal prints it.
pub(crate) fn kind_label(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::HomeVisit => "Hembesök",
        EntryKind::MorningCheckin => "Morgonincheckning",
        EntryKind::ApartmentSession => "Lägenheten (bryggan)",
        EntryKind::Consultation => "Konsultation",
        EntryKind::CollaborationMeeting => "Samverkansmöte",
        EntryKind::PhoneCall => "Telefonsamtal",
        EntryKind::Note => "Anteckning",
    }
}
