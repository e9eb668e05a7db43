//! The one public error type of brygga-core.
//!
//! Every variant maps to an [`ErrorCode`], the stable name the CLI turns
//! into an exit code and the desktop shell sends over IPC as `{code,
//! params, message}`. A refused input or action also carries a
//! [`ReasonCode`] with its parameters ([`Error::params`]), so that the UI
//! can say which rule was broken in the user's language. Messages are
//! English and say what to do, for logs and the CLI; the UI words by code,
//! never by parsing the message.

use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("the key file {path} is damaged or has been tampered with ({reason}); restore it from the municipality's backup or re-enrol this device")]
    KeyFileDamaged { path: PathBuf, reason: String },
    #[error("no journal in {0}; run `brygga init` first")]
    JournalMissing(PathBuf),
    #[error("a journal already exists in {0}; it was left untouched")]
    JournalExists(PathBuf),
    #[error("{0} is an unencrypted database; Brygga only opens encrypted journals")]
    NotEncrypted(PathBuf),
    #[error("the journal database is damaged: {0}")]
    Damaged(String),
    #[error("the journal was written by a newer Brygga (schema {found}, this build knows up to {known}); update Brygga")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("invalid input: {0}")]
    Invalid(Reason),
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("not allowed: {0}")]
    NotAllowed(Reason),
    #[error("storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

/// Stable, machine-readable error classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    WrongPassphrase,
    KeyFileDamaged,
    JournalMissing,
    JournalExists,
    NotEncrypted,
    Damaged,
    SchemaTooNew,
    Invalid,
    NotFound,
    NotAllowed,
    Internal,
}

/// Which rule an input or an action broke: the words the UI shows for an
/// [`ErrorCode::Invalid`] or [`ErrorCode::NotAllowed`] (`reason.<code>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ReasonCode {
    /// A field of a case form breaks its rule (`form_rules`): params
    /// `form`, `field` and `problem`.
    FormField,
    /// Free text that must not be empty is; param `field` (English).
    TextEmpty,
    /// Free text longer than `max` characters.
    TextTooLong,
    /// An entry field's value is not what its kind accepts; param `field`.
    FieldValue,
    /// A field that the entry's kind does not have; param `field`.
    FieldUnknown,
    /// A required field of the entry's kind is missing; param `field`.
    FieldMissing,
    /// Param `flaw`: `form`, `date`, `length`, `serial` or `check-digit`.
    Personnummer,
    /// Params `min` and `max`.
    GradeOutOfRange,
    /// Param `min`.
    PassphraseTooShort,
    AuthorEmpty,
    KeyDerivation,
    /// Params `size_kib` and `max_kib`.
    ChangeTooLarge,
    Thresholds,
    /// The municipality has set the absence thresholds: read-only here.
    ThresholdsByMunicipality,
    SearchEmpty,
    CheckinEmpty,
    CheckinCaseTwice,
    CheckinAlreadySigned,
    LeaveOutDraft,
    LeaveOutTwice,
    NotAnAbsenceWeek,
    WeekNotMonday,
    NotAFigureOfThisWeek,
    NotThisField,
    ServerUrlNotHttps,
    ServerUrlInvalid,
    AlreadyEnrolled,
    DemoNotEmpty,
    DemoTooLarge,
    PupilAlreadyRegistered,
    CaseAlreadyOpen,
    CaseAlreadyClosed,
    /// Param `drafts`: how many.
    CaseHasDrafts,
    CaseClosed,
    /// The case is open: only a closed case is reopened.
    CaseNotClosed,
    /// The case left this laptop: fetch it back from the server first.
    CaseLeftLaptop,
    /// The case was purged by the municipality's retention rules.
    CasePurged,
    EntrySigned,
    EntryAlreadySigned,
    EntryNotSigned,
    EntrySignedVersionStands,
    EntryTextStands,
    OnlyAfterSignature,
    /// Param `on`: the day it was withdrawn.
    ConsentAlreadyWithdrawn,
    /// Not a step of the return ladder; param `step`.
    LadderStepUnknown,
    /// A planned next step without its date, or a date without the step.
    LadderNextIncomplete,
    /// A schedule without a weekday.
    ScheduleNoDays,
    /// A schedule's time is not HH:MM; param `time`.
    ScheduleTime,
    /// Param `on`: the day it was done.
    FollowupAlreadyDone,
    /// Not a programme template this laptop knows; param `template`.
    ProgrammeTemplateUnknown,
    /// The case already follows a programme; param `template`.
    ProgrammeAlreadyStarted,
    /// The case follows no programme yet.
    ProgrammeNotStarted,
    /// Not a session of the case's programme; param `session`.
    ProgrammeSessionUnknown,
    /// A planned return date before today; param `on`.
    ReturnDateInPast,
    /// Not a kind of organisation of the key persons' directory; param
    /// `org`.
    ContactOrgUnknown,
    /// Not a phone number; param `phone`.
    ContactPhone,
    /// Not an e-mail address; param `email`.
    ContactEmail,
    /// An edit of a key person that changes no field.
    ContactNothingToChange,
    /// The key person already left the role; param `on`.
    ContactAlreadyLeft,
    /// A revision that would write the version that stands again.
    PlanRevisionUnchanged,
    /// A revision names an action that is not one of the plan's, or one
    /// twice; param `action`.
    PlanRevisionActionUnknown,
    /// Minutes record a result of an action that is not one of the case's
    /// plans; param `action`.
    MinutesActionUnknown,
    /// Minutes record two results of one action; param `action`.
    MinutesResultTwice,
    /// Not a category of deviation; param `category`.
    DeviationCategoryUnknown,
    /// Not a status of a deviation; param `status`.
    DeviationStatusUnknown,
    /// The deviation already has this status; param `status`.
    DeviationStatusSame,
    /// The consent named as a disclosure's ground is not active (withdrawn
    /// or expired): name another ground; param `consent`.
    DisclosureConsentNotActive,
    /// A key person who left the role named anew as a participant or an
    /// owner; params `name` and `on`.
    ContactLeft,
}

/// A [`ReasonCode`] with its parameters and the English message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub code: ReasonCode,
    pub params: BTreeMap<&'static str, String>,
    pub message: String,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::WrongPassphrase => ErrorCode::WrongPassphrase,
            Error::KeyFileDamaged { .. } => ErrorCode::KeyFileDamaged,
            Error::JournalMissing(_) => ErrorCode::JournalMissing,
            Error::JournalExists(_) => ErrorCode::JournalExists,
            Error::NotEncrypted(_) => ErrorCode::NotEncrypted,
            Error::Damaged(_) => ErrorCode::Damaged,
            Error::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
            Error::Invalid(_) => ErrorCode::Invalid,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::NotAllowed(_) => ErrorCode::NotAllowed,
            Error::Storage(_) | Error::Io(_) => ErrorCode::Internal,
        }
    }

    /// What the UI words an error with, besides its code: for a refused
    /// input or action its `reason` and that reason's parameters; for a
    /// damaged journal or a failure inside Brygga the English text as a
    /// technical `detail`, which the window shows only on request.
    pub fn params(&self) -> BTreeMap<String, String> {
        match self {
            Error::Damaged(_) | Error::Storage(_) | Error::Io(_) => {
                BTreeMap::from([("detail".to_owned(), self.to_string())])
            }
            Error::Invalid(r) | Error::NotAllowed(r) => r
                .params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .chain([("reason".to_owned(), code_name(r.code))])
                .collect(),
            _ => BTreeMap::new(),
        }
    }

    pub(crate) fn invalid(code: ReasonCode, message: impl Into<String>) -> Self {
        Error::Invalid(Reason::new(code, message))
    }

    pub(crate) fn not_allowed(code: ReasonCode, message: impl Into<String>) -> Self {
        Error::NotAllowed(Reason::new(code, message))
    }

    /// Adds a parameter to a refused input or action's reason.
    pub(crate) fn with(mut self, key: &'static str, value: impl ToString) -> Self {
        if let Error::Invalid(r) | Error::NotAllowed(r) = &mut self {
            r.params.insert(key, value.to_string());
        }
        self
    }

    pub(crate) fn not_found(what: &'static str, id: impl ToString) -> Self {
        Error::NotFound {
            what,
            id: id.to_string(),
        }
    }
}

impl Reason {
    pub fn new(code: ReasonCode, message: impl Into<String>) -> Self {
        Reason {
            code,
            params: BTreeMap::new(),
            message: message.into(),
        }
    }
}

/// A code's name as it is serialised (`not_enrolled`, `form-field`): what
/// the UI words it by.
pub fn code_name(code: impl serde::Serialize) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(s)) => s,
        _ => unreachable!("codes serialise as strings"),
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
