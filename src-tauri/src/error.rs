//! Errors at the IPC edge: `{code, params, message}`.
//!
//! `code` is a core [`ErrorCode`] (snake_case), a [`SyncErrorCode`] or the
//! shell's own [`ShellCode`]; `params` are the code's parameters, with the
//! broken rule of a refused input or action as `reason` (a core
//! `ReasonCode` or a [`ShellReason`]). The UI words code and parameters in
//! the user's language; `message` is English for logs and the developer
//! console, never shown. Messages never contain a passphrase or key
//! material (the core's messages do not; the shell adds none).

use brygga_core::sync::{SyncError, SyncErrorCode};
use brygga_core::{code_name, Error, ErrorCode};
use serde::Serialize;
use std::collections::BTreeMap;

/// What only the shell can go wrong with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ShellCode {
    /// The journal is locked: unlock it first.
    Locked,
}

/// Which rule of the shell's own an input broke (`reason.<code>` in the UI,
/// as the core's `ReasonCode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ShellReason {
    /// Params `min` and `max`.
    IdleMinutes,
    /// Param `max_mb`.
    FileTooLarge,
    NotAFolder,
    CannotWrite,
    TooManyExports,
    /// Starting again while the journal is open: lock it first.
    JournalUnlocked,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(untagged)]
pub enum IpcCode {
    Core(ErrorCode),
    /// The core's words for a failed sync round, the same a status shows.
    Sync(SyncErrorCode),
    Shell(ShellCode),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct IpcError {
    pub code: IpcCode,
    #[cfg_attr(test, ts(type = "Record<string, string>"))]
    pub params: BTreeMap<String, String>,
    pub message: String,
}

impl IpcError {
    fn of(e: &Error) -> Self {
        IpcError {
            code: IpcCode::Core(e.code()),
            params: e.params(),
            message: e.to_string(),
        }
    }

    fn new(code: IpcCode, message: impl Into<String>) -> Self {
        IpcError {
            code,
            params: BTreeMap::new(),
            message: message.into(),
        }
    }

    pub fn locked() -> Self {
        IpcError::new(
            IpcCode::Shell(ShellCode::Locked),
            "the journal is locked; unlock it first",
        )
    }

    pub fn invalid(reason: ShellReason, message: impl Into<String>) -> Self {
        IpcError::new(IpcCode::Core(ErrorCode::Invalid), message).with("reason", code_name(reason))
    }

    pub fn not_allowed(reason: ShellReason, message: impl Into<String>) -> Self {
        IpcError::new(IpcCode::Core(ErrorCode::NotAllowed), message)
            .with("reason", code_name(reason))
    }

    pub fn internal(message: impl Into<String>) -> Self {
        IpcError::new(IpcCode::Core(ErrorCode::Internal), message)
    }

    /// Adds a parameter the UI's words use.
    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        self.params.insert(key.to_owned(), value.to_string());
        self
    }
}

impl From<Error> for IpcError {
    fn from(e: Error) -> Self {
        IpcError::of(&e)
    }
}

impl From<SyncError> for IpcError {
    fn from(e: SyncError) -> Self {
        match e.sync_code() {
            Ok(code) => IpcError {
                code: IpcCode::Sync(code),
                params: e.failure().params,
                message: e.to_string(),
            },
            Err(local) => IpcError::of(local),
        }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_plain_snake_case_strings() {
        let e = IpcError::from(Error::WrongPassphrase);
        assert_eq!(
            serde_json::to_value(&e).expect("json"),
            serde_json::json!({"code": "wrong_passphrase", "params": {}, "message": "wrong passphrase"})
        );
        assert_eq!(
            serde_json::to_value(IpcError::locked()).expect("json")["code"],
            "locked"
        );
    }

    #[test]
    fn a_failed_sync_has_the_code_its_status_shows() {
        for e in [
            SyncError::Unreachable("connection refused".into()),
            SyncError::Refused("HTTP 502".into()),
            SyncError::Revoked,
            SyncError::NotEnrolled,
            SyncError::Locked,
            SyncError::Local(Error::WrongPassphrase),
        ] {
            let code = e.failure().code;
            assert_eq!(
                serde_json::to_value(IpcError::from(e)).expect("json")["code"],
                code
            );
        }
    }
}
