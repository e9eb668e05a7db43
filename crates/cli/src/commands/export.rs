//! `export journal|esf|outcomes`: the core makes the file, this writes it.
//! A journal is handed to someone: its ground is asked for, and the core
//! records the disclosure with the export.

use super::Context;
use crate::args::ExportCommand;
use crate::exit::{Failure, Result};
use crate::output;
use brygga_core::{Journal, JournalRelease};
use std::io::Write;
use std::path::Path;

pub fn run(ctx: &Context, cmd: ExportCommand) -> Result<()> {
    match cmd {
        ExportCommand::Journal(args) => {
            let leave_out = args.leave_outs()?;
            check_target(&args.out)?;
            let release = JournalRelease {
                recipient: args.recipient.unwrap_or_default(),
                ground: args.ground.into_ground(),
            };
            let bytes = ctx
                .open()?
                .export_case_journal_pdf(args.case, &leave_out, release)?;
            write(&args.out, &bytes)
        }
        ExportCommand::Esf { out } => {
            check_target(&out)?;
            let bytes = ctx.open()?.export_esf_csv()?;
            write(&out, &bytes)
        }
        ExportCommand::Outcomes { out, pdf } => {
            aggregate_files(
                ctx,
                (out.as_deref(), Journal::export_outcomes_csv),
                (pdf.as_deref(), Journal::export_outcomes_pdf),
            )?;
            Ok(())
        }
    }
}

/// How a journal makes an export's bytes.
type Make = fn(&Journal) -> brygga_core::Result<Vec<u8>>;

/// Writes an aggregate as CSV and as PDF to the files given (either or
/// both), each target checked before the journal is opened; gives the
/// journal, open, for what else the command shows.
pub(super) fn aggregate_files(
    ctx: &Context,
    (out, csv): (Option<&Path>, Make),
    (pdf, pdf_bytes): (Option<&Path>, Make),
) -> Result<Journal> {
    for target in out.iter().chain(&pdf) {
        check_target(target)?;
    }
    let journal = ctx.open()?;
    if let Some(out) = out {
        write(out, &csv(&journal)?)?;
    }
    if let Some(pdf) = pdf {
        write(pdf, &pdf_bytes(&journal)?)?;
    }
    Ok(journal)
}

/// Refuses a target in a folder that does not exist before the journal
/// is opened, so no export is made (and audited) that cannot be written.
fn check_target(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if dir.is_dir() && !path.is_dir() {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "cannot write {}: the folder does not exist or the path is a folder",
            path.display()
        )))
    }
}

/// Writes the file readable by this user only (it holds personal data),
/// and prints its path.
fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))?;
    output::created(path.display())
}
