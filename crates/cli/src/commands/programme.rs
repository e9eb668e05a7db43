//! `programme templates`, `programme start`, `programme return`,
//! `programme show`.

use super::Context;
use crate::args::ProgrammeCommand;
use crate::exit::Result;
use crate::output;
use brygga_core::{programme, NewProgramme};

pub fn run(ctx: &Context, cmd: ProgrammeCommand) -> Result<()> {
    match cmd {
        // The templates name no one: no audit row.
        ProgrammeCommand::Templates(format) => output::show(
            format.json,
            &ctx.journal_or(|j| j.programme_templates(), programme::built_in_templates)?,
        ),
        ProgrammeCommand::Start(start) => {
            let id = ctx.open()?.start_programme(NewProgramme {
                case_id: start.case,
                template: start.template,
                return_date: start.return_date,
            })?;
            output::created(id)
        }
        ProgrammeCommand::Return { case, date } => Ok(ctx.open()?.plan_return_date(case, date)?),
        ProgrammeCommand::Show { case, format } => {
            output::show(format.json, &ctx.open()?.programme(case)?)
        }
    }
}
