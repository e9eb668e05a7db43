//! What the importer says about a file, a row or a value: a code the window
//! words in its own language, with the parameters it needs, and the same
//! in English for the CLI and logs.

use serde::Serialize;
use std::collections::BTreeMap;

/// Every problem or note an import can report (`import.note.<code>` in the
/// UI's words). Parameters named `role` hold a [`super::Role`], `unit` a
/// [`super::TimeUnit`], `column` the header of the column it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum NoteCode {
    EmptyFile,
    NoSeparator,
    NoHeader,
    UnreadableLine,
    MappedColumnMissing,
    AmbiguousColumns,
    NoWeekColumn,
    NoColumn,
    TooFewFields,
    TooManyFields,
    JoinedFields,
    EmptyCell,
    NotANumber,
    Negative,
    TooLarge,
    NotADate,
    NotAWeek,
    NoSuchWeek,
    NotAYear,
    PersonnummerForm,
    PersonnummerDate,
    PersonnummerLength,
    PersonnummerSerial,
    PersonnummerCheckDigit,
    PeriodOverWeeks,
    ScheduledTooLarge,
    AbsenceOverScheduled,
    WeekNotBegun,
    DuplicateRow,
    UnknownPupil,
}

/// One problem or note, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Note {
    pub code: NoteCode,
    #[cfg_attr(feature = "ts", ts(type = "Record<string, string>"))]
    pub params: BTreeMap<String, String>,
    /// English, for the CLI and logs.
    pub message: String,
}

impl Note {
    pub(crate) fn new<const N: usize>(
        code: NoteCode,
        params: [(&str, String); N],
        message: String,
    ) -> Note {
        Note {
            code,
            params: params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            message,
        }
    }

    /// The same, about the column headed `header`.
    pub(crate) fn in_column(mut self, header: &str) -> Note {
        self.message = format!("column '{header}': {}", self.message);
        self.params.insert("column".into(), header.to_owned());
        self
    }
}
