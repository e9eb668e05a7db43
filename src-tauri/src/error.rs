//! Errors at the IPC edge: `{code, message}`.
//!
//! `code` is a core [`ErrorCode`] (snake_case) or one of the shell's own
//! [`ShellCode`]s; the UI translates by code and shows `message` only as a
//! detail. Messages never contain a passphrase or key material (the core's
//! messages do not; the shell adds none).

use brygga_core::sync::SyncError;
use brygga_core::{Error, ErrorCode};
use serde::Serialize;

/// What only the shell can go wrong with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ShellCode {
    /// The journal is locked: unlock it first.
    Locked,
    /// Sync: the server could not be reached (no network, server down, TLS).
    Unreachable,
    /// Sync: the server answered with an error.
    Refused,
    /// Sync: this device was revoked (the journal has been wiped).
    Revoked,
    /// Sync: this device is not enrolled with a server.
    NotEnrolled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(untagged)]
pub enum IpcCode {
    Core(ErrorCode),
    Shell(ShellCode),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct IpcError {
    pub code: IpcCode,
    pub message: String,
}

impl IpcError {
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
        IpcError {
            code: IpcCode::Core(e.code()),
            message: e.to_string(),
        }
    }
}

impl From<SyncError> for IpcError {
    fn from(e: SyncError) -> Self {
        let shell = |code, e: &SyncError| IpcError {
            code: IpcCode::Shell(code),
            message: e.to_string(),
        };
        match e {
            SyncError::Local(e) => e.into(),
            SyncError::Unreachable(_) => shell(ShellCode::Unreachable, &e),
            SyncError::Refused(_) => shell(ShellCode::Refused, &e),
            SyncError::Revoked => shell(ShellCode::Revoked, &e),
            SyncError::NotEnrolled => shell(ShellCode::NotEnrolled, &e),
            SyncError::Locked => shell(ShellCode::Locked, &e),
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
}
