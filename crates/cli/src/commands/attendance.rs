//! `attendance import|show|chart|overview|thresholds`.

use super::Context;
use crate::args::{AttendanceCommand, AttendanceImport};
use crate::exit::{Failure, Result};
use crate::output;
use brygga_core::attendance::{ColumnMapping, ImportOptions};

pub fn run(ctx: &Context, cmd: AttendanceCommand) -> Result<()> {
    match cmd {
        AttendanceCommand::Import(args) => import(ctx, args),
        AttendanceCommand::Show { pupil, format } => {
            output::show(format.json, &ctx.open()?.absence_figures(pupil)?)
        }
        AttendanceCommand::Chart { pupil, format } => {
            output::show(format.json, &ctx.open()?.absence_chart(pupil)?)
        }
        AttendanceCommand::Overview(format) => {
            output::show(format.json, &ctx.open()?.absence_overview()?)
        }
        AttendanceCommand::Thresholds { set, format } => {
            let mut journal = ctx.open()?;
            if let Some(thresholds) = set {
                journal.set_absence_thresholds(thresholds)?;
            }
            output::show(format.json, &journal.absence_thresholds()?)
        }
    }
}

/// Reads the file before the passphrase is asked for; prints the report
/// (also when nothing was written) and exits 2 when there were problems.
fn import(ctx: &Context, args: AttendanceImport) -> Result<()> {
    let bytes = std::fs::read(&args.file).map_err(|e| {
        Failure::usage(format!(
            "cannot read {}: {e}; check the path",
            args.file.display()
        ))
    })?;
    let mut mapping = ColumnMapping {
        unit: args.unit,
        ..ColumnMapping::default()
    };
    for (role, header) in args.map {
        if mapping.columns.insert(role, header).is_some() {
            return Err(Failure::usage(format!(
                "--map {} is given twice; give each role once",
                role.as_str()
            )));
        }
    }
    let options = ImportOptions {
        dry_run: args.dry_run,
        skip_unknown: args.skip_unknown,
        mapping,
        source: args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| args.file.display().to_string()),
    };
    let report = ctx.open()?.import_absence(&bytes, &options)?;
    output::show(args.format.json, &report)?;
    if report.problems.is_empty() {
        return Ok(());
    }
    Err(Failure::usage(format!(
        "nothing was imported: {} problem(s) in {}, listed above; correct the file \
         (or name columns with --map, the unit with --unit, or skip unknown pupils with --skip-unknown) and import it again",
        report.problems.len(),
        report.source
    )))
}
