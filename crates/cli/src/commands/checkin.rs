//! `checkin expected`.

use super::Context;
use crate::args::CheckinCommand;
use crate::exit::Result;
use crate::output;

pub fn run(ctx: &Context, cmd: CheckinCommand) -> Result<()> {
    match cmd {
        CheckinCommand::Expected { date, format } => {
            output::show(format.json, &ctx.open()?.expected(date)?)
        }
    }
}
