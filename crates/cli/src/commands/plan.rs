//! `plan add`, `plan action-status`, `plan schedule`.

use super::Context;
use crate::args::PlanCommand;
use crate::exit::Result;
use crate::output;
use brygga_core::NewPlan;

pub fn run(ctx: &Context, cmd: PlanCommand) -> Result<()> {
    match cmd {
        PlanCommand::Add(add) => {
            let id = ctx.open()?.create_plan(NewPlan {
                case_id: add.case,
                needs: add.needs,
                goals: add.goals,
                lead_party: add.lead,
                follow_up_on: add.follow_up,
                actions: add.actions,
            })?;
            output::created(id)
        }
        PlanCommand::SetActionStatus { action_id, status } => {
            Ok(ctx.open()?.set_action_status(action_id, status)?)
        }
        PlanCommand::Schedule { action, days, time } => {
            Ok(ctx.open()?.schedule_action(action, days, &time)?)
        }
    }
}
