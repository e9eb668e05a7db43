//! `followup list`, `followup done`.

use super::Context;
use crate::args::FollowupCommand;
use crate::exit::Result;
use crate::output;

pub fn run(ctx: &Context, cmd: FollowupCommand) -> Result<()> {
    match cmd {
        FollowupCommand::List(format) => output::show(format.json, &ctx.open()?.followups()?),
        FollowupCommand::Done { id } => Ok(ctx.open()?.followup_done(id)?),
    }
}
