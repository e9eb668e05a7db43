//! School attendance (frånvaro): importing the weekly absence that school
//! systems export, the figures and warnings per pupil, the caseload's
//! absence overview, and the trend chart's data.
//!
//! - [`parse`] reads a file (via `decode`, `columns`, `values`) into rows
//!   and problems, without the journal;
//! - [`import`] matches rows to pupils and writes them as operations, all
//!   or nothing;
//! - [`figures`] computes weekly and window percentages and warnings;
//! - [`store`] and [`chart`] are the journal methods the screens call.
//!
//! docs/attendance.md describes the file format and the rules for users.

mod chart;
mod columns;
mod decode;
mod demo;
mod figures;
mod import;
mod note;
mod parse;
mod store;
mod values;

pub use chart::{AbsenceChart, ChartWeek, Intervention, InterventionKind};
pub use columns::{ColumnMapping, ColumnUse, Role, TimeUnit};
pub use figures::{
    AbsenceFigures, AbsenceOverviewItem, Thresholds, Warning, WeekFigures, WindowFigures,
    WindowKind,
};
pub use import::{ImportOptions, ImportReport, ImportedWeek, SkippedRow, WeekStatus};
pub use note::{Note, NoteCode};
pub use parse::{LineNote, WeekMinutes};
