//! The outcome figures of Brygga and the rules of what may be shown of
//! them, in one place for the laptop's exports (brygga-core) and the
//! server's unit manager pages (brygga-server): absence before and after
//! the first intervention ([`absence`], [`groups`]), no group under
//! [`MIN_GROUP`] pupils ([`figure`]), complementary suppression when a
//! total is shown ([`complementary`]), a deviation group's figures
//! ([`deviations`]), and the CSV and PDF files the
//! figures leave in ([`csv_out`], [`pdf`]). Pure functions: no database,
//! no journal, no audit (the callers record what they show).

pub mod absence;
pub mod complementary;
pub mod csv_out;
pub mod deviations;
pub mod figure;
pub mod groups;
pub mod labels;
pub mod pdf;

pub use figure::{count, count_in_group, too_small, Figure, MIN_GROUP};
pub use groups::{OutcomeGroup, OutcomeStats, PupilOutcome};
