//! `deviation add|status|list|summary`: deviations in collaboration.

use super::export::aggregate_files;
use super::Context;
use crate::args::DeviationCommand;
use crate::exit::Result;
use crate::output;
use brygga_core::{Journal, NewDeviation};

pub fn run(ctx: &Context, cmd: DeviationCommand) -> Result<()> {
    match cmd {
        DeviationCommand::Add {
            case,
            partner,
            category,
            text,
            action,
        } => {
            let id = ctx.open()?.add_deviation(NewDeviation {
                case_id: case,
                action_id: action,
                partner: partner.as_str().to_owned(),
                category: category.as_str().to_owned(),
                text,
            })?;
            output::created(id)
        }
        DeviationCommand::Status { id, status } => {
            Ok(ctx.open()?.set_deviation_status(id, status.as_str())?)
        }
        DeviationCommand::List { case, format } => {
            output::show(format.json, &ctx.open()?.list_deviations(case)?)
        }
        DeviationCommand::Summary { out, pdf, format } => {
            let journal = aggregate_files(
                ctx,
                (out.as_deref(), Journal::export_deviations_csv),
                (pdf.as_deref(), Journal::export_deviations_pdf),
            )?;
            if out.is_none() && pdf.is_none() {
                output::show(format.json, &journal.deviation_summary()?)?;
            }
            Ok(())
        }
    }
}
