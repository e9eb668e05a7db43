//! `ladder steps`, `ladder set`, `ladder show`.

use super::Context;
use crate::args::LadderCommand;
use crate::exit::Result;
use crate::output;
use brygga_core::{ladder, NewLadderStep};

pub fn run(ctx: &Context, cmd: LadderCommand) -> Result<()> {
    match cmd {
        LadderCommand::Steps(format) => output::show(
            format.json,
            &ctx.journal_or(|j| j.ladder_steps(), ladder::default_ladder_steps)?,
        ),
        LadderCommand::Set(set) => {
            let id = ctx.open()?.set_ladder_step(NewLadderStep {
                case_id: set.case,
                step: set.step,
                note: set.note,
                next_step: set.next,
                next_on: set.next_date,
            })?;
            output::created(id)
        }
        LadderCommand::Show { case, format } => {
            output::show(format.json, &ctx.open()?.ladder(case)?)
        }
    }
}
