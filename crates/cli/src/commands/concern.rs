//! `concern add`.

use super::Context;
use crate::args::ConcernCommand;
use crate::exit::Result;
use crate::output;
use brygga_core::NewConcern;

pub fn run(ctx: &Context, cmd: ConcernCommand) -> Result<()> {
    match cmd {
        ConcernCommand::Add {
            case,
            at,
            to,
            by,
            summary,
        } => {
            let id = ctx.open()?.report_concern(NewConcern {
                case_id: case,
                reported_at: at,
                to_whom: to,
                by_whom: by,
                summary,
            })?;
            output::created(id)
        }
    }
}
