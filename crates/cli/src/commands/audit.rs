//! `audit list`, `audit verify`.

use super::Context;
use crate::args::AuditCommand;
use crate::exit::{Code, Failure, Result};
use crate::output::{self, Render};
use brygga_core::{AuditFilter, AuditReport, Error};
use serde::Serialize;

pub fn run(ctx: &Context, cmd: AuditCommand) -> Result<()> {
    match cmd {
        AuditCommand::List {
            user,
            pupil,
            from,
            to,
            format,
        } => {
            let filter = AuditFilter {
                actor: user,
                pupil_id: pupil.map(|p| p.to_string()),
                from,
                to,
            };
            output::show(format.json, &ctx.open()?.audit_list(&filter)?)
        }
        AuditCommand::Verify(format) => verify(ctx, format.json),
    }
}

/// The outcome of `audit verify`.
#[derive(Debug, Serialize)]
struct Verification {
    audit: AuditReport,
    replay: ReplayReport,
}

/// Whether the tables are exactly a replay of the signed operation log.
#[derive(Debug, Serialize)]
struct ReplayReport {
    matches: bool,
    problem: Option<String>,
}

impl Verification {
    fn is_intact(&self) -> bool {
        self.audit.is_intact() && self.replay.matches
    }

    fn problems(&self) -> Vec<&str> {
        [&self.audit.problem, &self.replay.problem]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect()
    }
}

impl Render for Verification {
    fn render(&self) -> String {
        let audit = match &self.audit.problem {
            None => format!("audit log: {} rows, chain intact\n", self.audit.rows),
            Some(problem) => format!("audit log: {} rows, BROKEN: {problem}\n", self.audit.rows),
        };
        let replay = match &self.replay.problem {
            None => {
                "operation log: the tables match a replay of the signed operations\n".to_owned()
            }
            Some(problem) => format!("operation log: DIFFERS: {problem}\n"),
        };
        audit + &replay
    }
}

/// Prints the report; exit 5 when the chain is broken or the replay differs.
fn verify(ctx: &Context, json: bool) -> Result<()> {
    let journal = ctx.open()?;
    let audit = journal.audit_verify()?;
    let replay = match journal.check_replay() {
        Ok(()) => ReplayReport {
            matches: true,
            problem: None,
        },
        Err(Error::Damaged(problem)) => ReplayReport {
            matches: false,
            problem: Some(problem),
        },
        Err(other) => return Err(other.into()),
    };
    let report = Verification { audit, replay };
    output::show(json, &report)?;
    if report.is_intact() {
        return Ok(());
    }
    Err(Failure::new(
        Code::Damaged,
        format!(
            "the journal fails verification ({}); stop writing to it and restore it from the municipality's backup",
            report.problems().join("; ")
        ),
    ))
}
