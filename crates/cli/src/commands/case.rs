//! `case open`, `case close`, `case list`, `case show`.

use super::Context;
use crate::args::CaseCommand;
use crate::exit::Result;
use crate::output;

pub fn run(ctx: &Context, cmd: CaseCommand) -> Result<()> {
    match cmd {
        CaseCommand::Open { pupil } => output::created(ctx.open()?.open_case(pupil)?),
        CaseCommand::Close { id } => Ok(ctx.open()?.close_case(id)?),
        CaseCommand::List { all, format } => {
            output::show(format.json, &ctx.open()?.list_cases(all)?)
        }
        CaseCommand::Show { id, format } => {
            output::show(format.json, &ctx.open()?.case_detail(id)?)
        }
    }
}
