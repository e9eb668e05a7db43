//! Errors at the IPC edge: `{code, message}`.
//!
//! `code` is a core [`ErrorCode`] (snake_case), a [`SyncErrorCode`] or the
//! shell's own [`ShellCode`]; the UI translates by code and shows `message` only as a
//! detail. Messages never contain a passphrase or key material (the core's
//! messages do not; the shell adds none).

use brygga_core::sync::{SyncError, SyncErrorCode};
use brygga_core::{Error, ErrorCode};
use serde::Serialize;

/// What only the shell can go wrong with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ShellCode {
    /// The journal is locked: unlock it first.
    Locked,
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
    pub message: String,
}

impl IpcError {
    fn of(e: &Error) -> Self {
        IpcError {
            code: IpcCode::Core(e.code()),
            message: e.to_string(),
        }
    }

    pub fn locked() -> Self {
        IpcError {
            code: IpcCode::Shell(ShellCode::Locked),
            message: "the journal is locked; unlock it first".into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        IpcError {
            code: IpcCode::Core(ErrorCode::Invalid),
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        IpcError {
            code: IpcCode::Core(ErrorCode::Internal),
            message: message.into(),
        }
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
            serde_json::json!({"code": "wrong_passphrase", "message": "wrong passphrase"})
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
