//! `disclosure add|list`: the case's disclosure register.

use super::Context;
use crate::args::DisclosureCommand;
use crate::exit::Result;
use crate::output;
use brygga_core::NewDisclosure;

pub fn run(ctx: &Context, cmd: DisclosureCommand) -> Result<()> {
    match cmd {
        DisclosureCommand::Add {
            case,
            recipient,
            what,
            ground,
        } => {
            let id = ctx.open()?.record_disclosure(NewDisclosure {
                case_id: case,
                recipient,
                what,
                ground: ground.into_ground(),
            })?;
            output::created(id)
        }
        DisclosureCommand::List { case, format } => {
            output::show(format.json, &ctx.open()?.list_disclosures(case)?)
        }
    }
}
