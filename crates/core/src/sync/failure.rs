//! Why the last round failed, in a form the window words in its own
//! language: a code, its parameters, and the same in English.

use super::SyncError;
use crate::error::code_name;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The ways a round fails other than this laptop's journal failing (that
/// one keeps the core's `ErrorCode`). The desktop shell sends the same
/// codes when `sync_now` fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SyncErrorCode {
    Unreachable,
    Refused,
    Revoked,
    NotEnrolled,
    Locked,
    /// The server's notice key is not the one pinned at enrolment: this
    /// is not the server the laptop enrolled with, or its key was replaced.
    ServerKeyChanged,
    /// Only in a status: a failure an earlier version kept as English text.
    Unknown,
}

/// The last failed round, as kept in the sync state and shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncFailure {
    /// A `SyncErrorCode`, or the `ErrorCode` of the journal's failure.
    pub code: String,
    /// `detail`: what the network, the server or the journal said, in
    /// English and technical; the window shows it only on request.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, string>"))]
    pub params: BTreeMap<String, String>,
    /// The whole failure in English, for logs and the CLI.
    pub message: String,
}

impl SyncError {
    /// The sync code of this failure, or the journal's own error when that
    /// is what failed (it has the core's [`crate::ErrorCode`]).
    pub fn sync_code(&self) -> Result<SyncErrorCode, &crate::Error> {
        Ok(match self {
            SyncError::Unreachable(_) => SyncErrorCode::Unreachable,
            SyncError::Refused(_) => SyncErrorCode::Refused,
            SyncError::Revoked => SyncErrorCode::Revoked,
            SyncError::NotEnrolled => SyncErrorCode::NotEnrolled,
            SyncError::Locked => SyncErrorCode::Locked,
            SyncError::ServerKeyChanged => SyncErrorCode::ServerKeyChanged,
            SyncError::Local(e) => return Err(e),
        })
    }

    /// What a status shows of this failure.
    pub fn failure(&self) -> SyncFailure {
        let (code, params) = match self.sync_code() {
            Ok(code) => (
                code_name(code),
                self.detail().map(detail_param).unwrap_or_default(),
            ),
            Err(local) => (code_name(local.code()), local.params()),
        };
        SyncFailure {
            code,
            params,
            message: self.to_string(),
        }
    }

    /// What the network or the server said, when it said anything (the
    /// journal's own failures carry theirs in [`crate::Error::params`]).
    fn detail(&self) -> Option<String> {
        match self {
            SyncError::Unreachable(d) | SyncError::Refused(d) => Some(d.clone()),
            _ => None,
        }
    }
}

fn detail_param(detail: String) -> BTreeMap<String, String> {
    BTreeMap::from([("detail".to_owned(), detail)])
}

impl SyncFailure {
    /// Reads what the sync state keeps. Earlier versions kept the English
    /// message alone: it reads as `unknown` with the text as its detail,
    /// until the next round replaces it.
    pub(crate) fn from_stored(stored: &str) -> SyncFailure {
        serde_json::from_str(stored).unwrap_or_else(|_| SyncFailure {
            code: code_name(SyncErrorCode::Unknown),
            params: detail_param(stored.to_owned()),
            message: stored.to_owned(),
        })
    }

    pub(crate) fn to_stored(&self) -> String {
        serde_json::to_string(self).expect("a failure serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, ReasonCode};

    #[test]
    fn a_failure_has_its_code_and_the_technical_detail_apart() {
        let f = SyncError::Unreachable("connection refused".into()).failure();
        assert_eq!(f.code, "unreachable");
        assert_eq!(f.params["detail"], "connection refused");
        assert_eq!(f.message, "server unreachable: connection refused");
        assert_eq!(SyncError::NotEnrolled.failure().code, "not_enrolled");
        assert!(SyncError::Revoked.failure().params.is_empty());
    }

    #[test]
    fn a_refusing_journal_keeps_the_core_code_and_reason() {
        let f =
            SyncError::Local(Error::invalid(ReasonCode::ServerUrlNotHttps, "https only")).failure();
        assert_eq!(f.code, "invalid");
        assert_eq!(f.params["reason"], "server-url-not-https");
        assert!(!f.params.contains_key("detail"));
    }

    #[test]
    fn a_failing_journal_keeps_the_core_code() {
        let f = SyncError::Local(Error::Damaged("torn page".into())).failure();
        assert_eq!(f.code, "damaged");
        assert_eq!(
            f.params["detail"],
            "the journal database is damaged: torn page"
        );
        assert!(SyncError::Local(Error::WrongPassphrase)
            .sync_code()
            .is_err());
    }

    #[test]
    fn what_is_stored_reads_back_and_old_text_reads_as_unknown() {
        let f = SyncError::Refused("HTTP 502".into()).failure();
        assert_eq!(SyncFailure::from_stored(&f.to_stored()), f);
        let old = SyncFailure::from_stored("server unreachable: connection refused");
        assert_eq!(old.code, "unknown");
        assert_eq!(
            old.params["detail"],
            "server unreachable: connection refused"
        );
        assert_eq!(old.message, "server unreachable: connection refused");
    }

    #[test]
    fn a_journal_from_an_earlier_version_shows_its_old_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let j = crate::Journal::create(
            dir.path(),
            &crate::secret::Passphrase::new("fiktivt lösenord 123".into()),
            "Fiktiv Handläggare",
        )
        .expect("create");
        let old = "server refused: HTTP 500";
        super::super::state::set(&j.conn, super::super::state::LAST_ERROR, old).expect("set");
        let shown = j
            .sync_status()
            .expect("status")
            .last_error
            .expect("an error");
        assert_eq!(
            (shown.code.as_str(), shown.message.as_str()),
            ("unknown", old)
        );
        let failure = SyncError::Unreachable("connection refused".into()).failure();
        j.note_attempt(Some(&failure)).expect("noted");
        assert_eq!(j.sync_status().expect("status").last_error, Some(failure));
    }
}
