//! The one public error type of brygga-core.
//!
//! Every variant maps to an [`ErrorCode`], the stable name the CLI turns
//! into an exit code and the desktop shell sends over IPC as `{code,
//! message}`. Messages are English and say what to do; the UI translates
//! by code, never by parsing the message.

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
    Invalid(String),
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("not allowed: {0}")]
    NotAllowed(String),
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

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }

    pub(crate) fn not_allowed(msg: impl Into<String>) -> Self {
        Error::NotAllowed(msg.into())
    }

    pub(crate) fn not_found(what: &'static str, id: impl ToString) -> Self {
        Error::NotFound {
            what,
            id: id.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
