//! From errors to exit codes and one-line messages.
//!
//! Every failure ends as exactly one line on stderr, starting with
//! "brygga: " and saying what to do, and one of the documented exit codes.

use brygga_core::sync::SyncError;
use brygga_core::{Error, ErrorCode};
use std::process::ExitCode;

/// The documented exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Internal = 1,
    Usage = 2,
    WrongPassphrase = 3,
    NotFound = 4,
    Damaged = 5,
    /// The server could not be reached or refused the round; nothing was lost.
    SyncFailed = 6,
    /// The server revoked this device; the journal was removed from it.
    Revoked = 7,
}

impl From<Code> for ExitCode {
    fn from(code: Code) -> ExitCode {
        ExitCode::from(code as u8)
    }
}

/// A command that did not succeed: the exit code and what to tell the user.
#[derive(Debug)]
pub struct Failure {
    code: Code,
    message: String,
}

pub type Result<T, E = Failure> = std::result::Result<T, E>;

impl Failure {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// Bad usage or invalid input (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::new(Code::Usage, message)
    }

    /// The same failure, after `done` (what did happen before it).
    pub fn after(self, done: &str) -> Self {
        Failure::new(self.code, format!("{done}: {}", self.message))
    }

    /// Prints the one-line message and gives the exit code.
    pub fn report(&self) -> ExitCode {
        eprintln!("brygga: {}", one_line(&self.message));
        self.code.into()
    }
}

/// Collapses line breaks so a message stays one line.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn code_of(code: ErrorCode) -> Code {
    match code {
        ErrorCode::WrongPassphrase => Code::WrongPassphrase,
        ErrorCode::NotFound | ErrorCode::JournalMissing => Code::NotFound,
        ErrorCode::KeyFileDamaged
        | ErrorCode::Damaged
        | ErrorCode::NotEncrypted
        | ErrorCode::SchemaTooNew => Code::Damaged,
        ErrorCode::Invalid | ErrorCode::NotAllowed | ErrorCode::JournalExists => Code::Usage,
        ErrorCode::Internal => Code::Internal,
    }
}

/// Which command lists the things of a kind, so a not-found message can
/// say where to look.
fn where_to_look(what: &str) -> &'static str {
    match what {
        "pupil" => "`brygga pupil list` shows the pupils",
        "case" => "`brygga case list --all` shows the cases",
        "entry" => "`brygga entry list --case CASE` shows a case's entries",
        "consent" => "`brygga consent list --case CASE` shows a case's consents",
        "guardian" | "guardian in this case" => "`brygga case show CASE` shows a case's guardians",
        "plan action" => "`brygga case show CASE` shows a case's plans and their actions",
        _ => "check the id",
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        let code = code_of(err.code());
        let message = match &err {
            Error::WrongPassphrase => {
                "wrong passphrase; nothing was changed. Try again.".to_owned()
            }
            Error::NotFound { what, .. } => format!("{err}; {}", where_to_look(what)),
            Error::JournalMissing(_) => {
                format!("{err} (or point --data-dir or BRYGGA_DATA_DIR at the journal's directory)")
            }
            Error::JournalExists(_) => {
                format!("{err}; to start another journal choose another --data-dir")
            }
            Error::Damaged(_) => format!(
                "{err}; stop writing to it and restore the journal from the municipality's backup"
            ),
            Error::Storage(_) => format!("{err}; try again, and report it if it happens again"),
            Error::Io(_) => {
                format!("{err}; check that the data directory exists and that you may write to it")
            }
            _ => err.to_string(),
        };
        Failure::new(code, message)
    }
}

impl From<SyncError> for Failure {
    fn from(err: SyncError) -> Self {
        match err {
            SyncError::Local(e) => e.into(),
            SyncError::NotEnrolled => Failure::usage(err.to_string()),
            SyncError::Revoked => Failure::new(Code::Revoked, err.to_string()),
            SyncError::ServerKeyChanged => Failure::new(Code::SyncFailed, err.to_string()),
            SyncError::Unreachable(_) | SyncError::Refused(_) | SyncError::Locked => Failure::new(
                Code::SyncFailed,
                format!("{err}; nothing was lost, the changes wait for the next sync"),
            ),
        }
    }
}

/// Handles a clap parse error: help and version print and exit 0; a usage
/// error becomes one line naming `command` (what the user typed, e.g.
/// "brygga entry add") for help, and exit 2.
pub fn clap_error(err: clap::Error, command: &str) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // Nothing sensible is left to do if stdout is gone.
            let _ = err.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            Code::Usage.into()
        }
        _ => Failure::usage(summarise_clap(&err.render().to_string(), command)).report(),
    }
}

/// Turns clap's multi-paragraph error into one line: its first paragraph
/// and where to read more.
fn summarise_clap(rendered: &str, command: &str) -> String {
    let first = rendered.split("\n\n").next().unwrap_or_default();
    let what = one_line(first);
    let what = what.strip_prefix("error: ").unwrap_or(&what);
    format!("{what}; see `{command} --help`")
}

#[cfg(test)]
mod tests {
    use super::*;
    use brygga_core::{Reason, ReasonCode};

    #[test]
    fn clap_errors_become_one_line_with_the_command_to_ask() {
        let rendered = "error: the following required arguments were not provided:\n  --name <NAME>\n  --grade <GRADE>\n\nUsage: brygga pupil add --name <NAME> --grade <GRADE>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            summarise_clap(rendered, "brygga pupil add"),
            "the following required arguments were not provided: --name <NAME> --grade <GRADE>; see `brygga pupil add --help`"
        );
    }

    #[test]
    fn core_errors_map_to_the_documented_codes() {
        let code = |e: Error| Failure::from(e).code;
        assert_eq!(code(Error::WrongPassphrase), Code::WrongPassphrase);
        assert_eq!(code(Error::JournalMissing("/x".into())), Code::NotFound);
        assert_eq!(code(Error::JournalExists("/x".into())), Code::Usage);
        assert_eq!(code(Error::Damaged("x".into())), Code::Damaged);
        assert_eq!(code(Error::NotEncrypted("/x".into())), Code::Damaged);
        assert_eq!(
            code(Error::SchemaTooNew { found: 9, known: 1 }),
            Code::Damaged
        );
        assert_eq!(
            code(Error::Invalid(Reason::new(ReasonCode::SearchEmpty, "x"))),
            Code::Usage
        );
        assert_eq!(
            code(Error::NotAllowed(Reason::new(ReasonCode::CaseClosed, "x"))),
            Code::Usage
        );
        assert_eq!(
            code(Error::NotFound {
                what: "entry",
                id: "x".into()
            }),
            Code::NotFound
        );
        assert_eq!(code(Error::Io(std::io::Error::other("x"))), Code::Internal);
    }

    #[test]
    fn messages_are_one_line() {
        let failure = Failure::usage("first\n  second third\n");
        assert_eq!(one_line(&failure.message), "first second third");
    }
}
