//! `case open`, `case close`, `case reopen`, `case list`, `case show`.

use super::Context;
use crate::args::CaseCommand;
use crate::exit::Result;
use crate::output;

pub fn run(ctx: &Context, cmd: CaseCommand) -> Result<()> {
    match cmd {
        CaseCommand::Open { pupil } => output::created(ctx.open()?.open_case(pupil)?),
        CaseCommand::Close { id } => Ok(ctx.open()?.close_case(id)?),
        CaseCommand::Reopen { id } => {
            let mut journal = ctx.open()?;
            if journal.case_has_left(id)?.is_some() {
                let transport = journal.server_transport()?;
                journal.fetch_case_back(&transport, id)?;
            }
            Ok(journal.reopen_case(id)?)
        }
        CaseCommand::List {
            left: true, format, ..
        } => output::show(format.json, &ctx.open()?.left_cases()?),
        CaseCommand::List { all, format, .. } => {
            output::show(format.json, &ctx.open()?.list_cases(all)?)
        }
        CaseCommand::Show { id, format } => {
            output::show(format.json, &ctx.open()?.case_detail(id)?)
        }
    }
}
